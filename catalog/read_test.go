package catalog_test

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/pedigree-ai/pedigree/catalog"
)

// row is an entry as the tests compare it.
type row struct {
	Ref, Where string
	Labels     map[string]string
	Err        string // a substring of the error; "" for none
}

// rows turns entries into rows, checking that every error is an
// *EntryError naming the file and the entry's position.
func rows(t *testing.T, name string, entries []catalog.Entry) []row {
	t.Helper()
	out := make([]row, 0, len(entries))
	for _, e := range entries {
		r := row{Ref: e.Ref, Where: e.Where, Labels: e.Labels}
		if e.Err != nil {
			r.Err = e.Err.Error()
			var ee *catalog.EntryError
			if !errors.As(e.Err, &ee) || ee.File != name || ee.Where != e.Where || ee.Reason == "" {
				t.Errorf("%s: error %v is not an EntryError naming %s and the position", e.Where, e.Err, name)
			}
			if e.Ref != "" {
				t.Errorf("%s: entry with an error has ref %q", e.Where, e.Ref)
			}
		}
		out = append(out, r)
	}
	return out
}

// compareRows compares rows, the errors by substring.
func compareRows(t *testing.T, got, want []row) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d entries, want %d:\n%s", len(got), len(want), cmp.Diff(want, got))
	}
	for i := range want {
		w, g := want[i], got[i]
		if w.Err != "" && strings.Contains(g.Err, w.Err) {
			g.Err = w.Err
		}
		if d := cmp.Diff(w, g, cmpopts.EquateEmpty()); d != "" {
			t.Errorf("entry %d (-want +got):\n%s", i, d)
		}
	}
}

func openTestdata(t *testing.T, name string) *os.File {
	t.Helper()
	f, err := os.Open(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

func TestReadTextFile(t *testing.T) {
	entries, err := catalog.ReadText(openTestdata(t, "models.txt"), "models.txt")
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, rows(t, "models.txt", entries), []row{
		{Ref: "hf:meta-llama/Llama-2-7b-chat-hf", Where: "line 3"},
		{Ref: "TheBloke/Llama-2-7B-Chat-GGUF", Where: "line 4"},
		{Ref: "https://huggingface.co/mistralai/Mistral-7B-v0.1/tree/26bca36bde8333b5d7f72e9ed20ccda6a618af24", Where: "line 5"},
		{Ref: "hf:datasets/OpenAssistant/oasst1", Where: "line 6"},
		{Ref: "pkg:huggingface/google/gemma-7b@ff6768d9368919a1f025a54f9f5aa0ee591730bb", Where: "line 7"},
		{Ref: "./models/in-house-merge", Where: "line 8"},
		{Where: "line 9", Err: "models.txt: line 9: duplicate of line 3; each subject is assessed once"},
		{Where: "line 10", Err: `models.txt: line 10: reference "not a reference": not a Hugging Face id`},
	})
}

func TestReadText(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []row
	}{
		{"empty", "", nil},
		{"only comments", "# a\n   # b\n\n\t\n", nil},
		{"CRLF and BOM", "\ufeffhf:a/b\r\nhf:c/d\r\n", []row{{Ref: "hf:a/b", Where: "line 1"}, {Ref: "hf:c/d", Where: "line 2"}}},
		{"no final newline", "hf:a/b", []row{{Ref: "hf:a/b", Where: "line 1"}}},
		{"trailing comments", "hf:a/b # x\nhf:c/d\t# y\nhf:e/f#g\n", []row{
			{Ref: "hf:a/b", Where: "line 1"}, {Ref: "hf:c/d", Where: "line 2"},
			{Where: "line 3", Err: "not a Hugging Face id"},
		}},
		{"spaces around", "   hf:a/b   \n", []row{{Ref: "hf:a/b", Where: "line 1"}}},
		{"duplicates by subject", "hf:a/b\na/b\nhttps://huggingface.co/A/B\nhf:a/b@main\n", []row{
			{Ref: "hf:a/b", Where: "line 1"},
			{Where: "line 2", Err: "duplicate of line 1"},
			{Where: "line 3", Err: "duplicate of line 1"},
			{Ref: "hf:a/b@main", Where: "line 4"},
		}},
		{"invalid UTF-8", "hf:a/\xff\n", []row{{Where: "line 1", Err: "not valid UTF-8"}}},
		{"hf-search line", "hf-search:author=x\n", []row{{Where: "line 1", Err: "catalog of its own"}}},
		{"bad purl", "pkg:\n", []row{{Where: "line 1", Err: "not a valid Package URL"}}},
		{"hostile", "<script>alert(1)</script>\n\"quoted\"\n", []row{
			{Where: "line 1", Err: "reference"}, {Where: "line 2", Err: "reference"},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := catalog.ReadText(strings.NewReader(tc.in), "list.txt")
			if err != nil {
				t.Fatal(err)
			}
			compareRows(t, rows(t, "list.txt", entries), tc.want)
		})
	}
}

func TestReadCSVFile(t *testing.T) {
	entries, err := catalog.ReadCSV(openTestdata(t, "models.csv"), "models.csv")
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, rows(t, "models.csv", entries), []row{
		{Ref: "hf:meta-llama/Llama-2-7b-chat-hf", Where: "line 2", Labels: map[string]string{"Team": "assistants", "Owner email": "ml@example.com", "Notes": "base of the chat product, v2"}},
		{Ref: "TheBloke/Llama-2-7B-Chat-GGUF", Where: "line 3", Labels: map[string]string{"Team": "edge", "Owner email": "edge@example.com", "Notes": `the "small" build`}},
		{Where: "line 4", Labels: map[string]string{"Team": "orphans", "Notes": "no reference on this row"}, Err: `models.csv: line 4: empty "Ref" column`},
		{Ref: "hf:mistralai/Mistral-7B-v0.1", Where: "line 5", Labels: map[string]string{"Team": "research", "Notes": "notes over\ntwo lines"}},
		{Ref: "hf:datasets/OpenAssistant/oasst1", Where: "line 7", Labels: map[string]string{"Team": "data"}},
		{Where: "line 8", Labels: map[string]string{"Team": "assistants", "Notes": "listed twice"}, Err: "duplicate of line 2"},
	})
}

func TestReadCSV(t *testing.T) {
	for _, tc := range []struct {
		name, file, in string
		want           []row
		err            string // a whole-document error
	}{
		{name: "ref column not first", file: "a.csv", in: "team,REF\nx,hf:a/b\n",
			want: []row{{Ref: "hf:a/b", Where: "line 2", Labels: map[string]string{"team": "x"}}}},
		{name: "ref wins over repo_id", file: "a.csv", in: "repo_id,ref\na/b,hf:c/d\n",
			want: []row{{Ref: "hf:c/d", Where: "line 2", Labels: map[string]string{"repo_id": "a/b"}}}},
		{name: "quoted comma in ref", file: "a.csv", in: "ref,n\n\"hf:a/b,c\",1\n",
			want: []row{{Where: "line 2", Labels: map[string]string{"n": "1"}, Err: "not a Hugging Face id"}}},
		{name: "too many fields", file: "a.csv", in: "ref,n\nhf:a/b,1,2\nhf:c/d,3\n",
			want: []row{
				{Where: "line 2", Labels: map[string]string{"n": "1"}, Err: "3 fields where the header has 2"},
				{Ref: "hf:c/d", Where: "line 3", Labels: map[string]string{"n": "3"}},
			}},
		{name: "fewer fields", file: "a.csv", in: "n,ref,m\n1,hf:a/b\n2\n",
			want: []row{
				{Ref: "hf:a/b", Where: "line 2", Labels: map[string]string{"n": "1"}},
				{Where: "line 3", Labels: map[string]string{"n": "2"}, Err: `empty "ref" column`},
			}},
		{name: "bare quote then good row", file: "a.csv", in: "ref\nhf:a/\"b\nhf:c/d\n",
			want: []row{{Where: "line 2", Err: "malformed CSV row"}, {Ref: "hf:c/d", Where: "line 3"}}},
		{name: "blank rows and comments", file: "a.csv", in: "# exported\nref\n\n,\n# skip\nhf:a/b\n",
			want: []row{{Ref: "hf:a/b", Where: "line 6"}}},
		{name: "tsv", file: "a.tsv", in: "ref\tnote\nhf:a/b\tx, y\n",
			want: []row{{Ref: "hf:a/b", Where: "line 2", Labels: map[string]string{"note": "x, y"}}}},
		{name: "empty header name", file: "a.csv", in: "ref,\nhf:a/b,x\n",
			want: []row{{Ref: "hf:a/b", Where: "line 2", Labels: map[string]string{"column 2": "x"}}}},
		{name: "no ref column", file: "a.csv", in: "name,team\nx,y\n", err: `a.csv:1: no reference column in the header ("name", "team")`},
		{name: "duplicate column", file: "a.csv", in: "ref,Team,team\n", err: `names column "team" twice`},
		{name: "empty", file: "a.csv", in: "", err: "empty CSV catalog"},
		{name: "header only", file: "a.csv", in: "ref\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := catalog.ReadCSV(strings.NewReader(tc.in), tc.file)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("ReadCSV error = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			compareRows(t, rows(t, tc.file, entries), tc.want)
		})
	}
}

func TestReadJSONLFile(t *testing.T) {
	entries, err := catalog.ReadJSONL(openTestdata(t, "models.jsonl"), "models.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	compareRows(t, rows(t, "models.jsonl", entries), []row{
		{Ref: "hf:meta-llama/Llama-2-7b-chat-hf", Where: "line 1", Labels: map[string]string{"team": "assistants", "priority": "1", "shipped": "true"}},
		{Ref: "TheBloke/Llama-2-7B-Chat-GGUF", Where: "line 2", Labels: map[string]string{"team": "edge"}},
		{Ref: "hf:mistralai/Mistral-7B-v0.1@26bca36bde8333b5d7f72e9ed20ccda6a618af24", Where: "line 5", Labels: map[string]string{"cost": "12.5e3"}},
		{Where: "line 6", Err: `"ref" is not a JSON string`},
		{Where: "line 7", Labels: map[string]string{"team": "orphans"}, Err: `no "ref" member`},
		{Where: "line 8", Err: "truncated JSON object"},
		{Where: "line 9", Err: "a JSON array where an object was expected"},
		{Where: "line 10", Err: "duplicate of line 1"},
	})
}

func TestReadJSONL(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     []row
	}{
		{"CRLF and BOM", "\ufeff{\"ref\":\"hf:a/b\"}\r\n{\"ref\":\"hf:c/d\"}\r\n", []row{{Ref: "hf:a/b", Where: "line 1"}, {Ref: "hf:c/d", Where: "line 2"}}},
		{"two objects on a line", `{"ref":"hf:a/b"} {"ref":"hf:c/d"}`, []row{{Where: "line 1", Err: "more than one JSON value"}}},
		{"syntax error", `{"ref": "hf:a/b",}`, []row{{Where: "line 1", Err: "not JSON"}}},
		{"null", "null\n", []row{{Where: "line 1", Err: "not a JSON object"}}},
		{"empty ref", `{"ref": "  "}`, []row{{Where: "line 1", Err: `empty "ref"`}}},
		{"repo_id", `{"repo_id": "a/b", "x": -1}`, []row{{Ref: "a/b", Where: "line 1", Labels: map[string]string{"x": "-1"}}}},
		{"hostile label", `{"ref": "hf:a/b", "note": "<script>\n\"x\""}`, []row{{Ref: "hf:a/b", Where: "line 1", Labels: map[string]string{"note": "<script>\n\"x\""}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := catalog.ReadJSONL(strings.NewReader(tc.in), "a.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			compareRows(t, rows(t, "a.jsonl", entries), tc.want)
		})
	}
}

func TestReadDetectsFormat(t *testing.T) {
	bom, err := os.ReadFile(filepath.Join("testdata", "ml-bom.cdx.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, file, in string
		first          row    // the first entry
		count          int    // entries
		err            string // a whole-document error
	}{
		{name: "CycloneDX", file: "bom.json", in: string(bom), first: row{Ref: "pkg:huggingface/acme-ai/support-assistant-7b@3f1c2b9a7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a"}, count: 11},
		{name: "JSON Lines", file: "x", in: "# list\n{\"ref\": \"hf:a/b\"}\n", first: row{Ref: "hf:a/b", Where: "line 2"}, count: 1},
		{name: "CSV by name", file: "x.CSV", in: "ref\nhf:a/b\n", first: row{Ref: "hf:a/b", Where: "line 2"}, count: 1},
		{name: "TSV by name", file: "x.tsv", in: "ref\tn\nhf:a/b\t1\n", first: row{Ref: "hf:a/b", Where: "line 2", Labels: map[string]string{"n": "1"}}, count: 1},
		{name: "CSV by header", file: "standard input", in: "\ufeffRef,team\nhf:a/b,x\n", first: row{Ref: "hf:a/b", Where: "line 2", Labels: map[string]string{"team": "x"}}, count: 1},
		{name: "text", file: "models", in: "hf:a/b\nhf:c/d\n", first: row{Ref: "hf:a/b", Where: "line 1"}, count: 2},
		{name: "text named ref", file: "models", in: "ref\n", first: row{Ref: "ref", Where: "line 1"}, count: 1},
		{name: "pretty JSON not a BOM", file: "x.json", in: "{\n  \"components\": []\n}\n", err: "a JSON document that is not a CycloneDX BOM"},
		{name: "JSON array", file: "x.json", in: "[\"hf:a/b\"]", err: "x.json:1: a JSON array is not a catalog"},
		{name: "bad BOM", file: "x.json", in: `{"bomFormat": "CycloneDX", "specVersion": "2.0"}`, err: "specVersion"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			entries, err := catalog.Read(strings.NewReader(tc.in), tc.file)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("Read error = %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(entries) != tc.count {
				t.Fatalf("got %d entries, want %d", len(entries), tc.count)
			}
			got := rows(t, tc.file, entries[:1])[0]
			if tc.first.Where == "" { // a BOM: its own positions and labels
				got.Where, got.Labels = "", nil
			}
			compareRows(t, []row{got}, []row{tc.first})
		})
	}
}

func TestReadMarksDuplicatesInBOM(t *testing.T) {
	bom := `{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
	{"type":"machine-learning-model","name":"a","purl":"pkg:huggingface/acme/m@1111111111111111111111111111111111111111"},
	{"type":"machine-learning-model","name":"b","purl":"pkg:huggingface/acme/m@1111111111111111111111111111111111111111"}]}`
	entries, err := catalog.Read(strings.NewReader(bom), "bom.json")
	if err != nil {
		t.Fatal(err)
	}
	got := rows(t, "bom.json", entries)
	compareRows(t, got, []row{
		{Ref: "pkg:huggingface/acme/m@1111111111111111111111111111111111111111", Where: "components[0]", Labels: map[string]string{"type": "machine-learning-model", "name": "a"}},
		{Where: "components[1]", Labels: map[string]string{"type": "machine-learning-model", "name": "b"}, Err: "duplicate of components[0]"},
	})
}

// failingReader fails after its data.
type failingReader struct{ data io.Reader }

func (f failingReader) Read(p []byte) (int, error) {
	n, err := f.data.Read(p)
	if err == io.EOF {
		return n, errors.New("disk on fire")
	}
	return n, err
}

func TestReadLimits(t *testing.T) {
	t.Parallel()
	t.Run("too large", func(t *testing.T) {
		t.Parallel()
		// Every reader reads through the same bounded read; Read is the
		// one the command line uses.
		big := io.MultiReader(strings.NewReader("hf:a/b\n"), io.LimitReader(zeros{}, catalog.MaxBytes))
		_, err := catalog.Read(big, "big")
		if err == nil || !strings.Contains(err.Error(), "big: larger than the 64 MiB limit for a catalog") {
			t.Errorf("error = %v, want the size limit", err)
		}
	})
	t.Run("unreadable", func(t *testing.T) {
		_, err := catalog.Read(failingReader{strings.NewReader("hf:a/b\n")}, "x.txt")
		if err == nil || !strings.Contains(err.Error(), "x.txt: read: disk on fire") {
			t.Errorf("error = %v", err)
		}
	})
	t.Run("long line", func(t *testing.T) {
		t.Parallel()
		long := "hf:a/" + strings.Repeat("b", catalog.MaxLineBytes) + "\nhf:c/d\n"
		for name, read := range readers() {
			in := long
			if name == "csv" {
				in = "ref\n" + long
			}
			if name == "jsonl" {
				in = `{"ref": "` + strings.Repeat("b", catalog.MaxLineBytes) + "\"}\n{\"ref\": \"hf:c/d\"}\n"
			}
			entries, err := read(strings.NewReader(in), "f")
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if len(entries) != 2 || entries[0].Err == nil || !strings.Contains(entries[0].Err.Error(), "1 MiB limit for a catalog line") || entries[1].Ref != "hf:c/d" {
				t.Errorf("%s: entries = %+v, want the line limit then hf:c/d", name, entries)
			}
		}
	})
	t.Run("too many entries", func(t *testing.T) {
		t.Parallel()
		// Lines that are not UTF-8 are entries too, and cheap ones.
		many := bytes.Repeat([]byte("\xff\n"), catalog.MaxEntries+1)
		_, err := catalog.ReadText(bytes.NewReader(many), "many.txt")
		if err == nil || !strings.Contains(err.Error(), "1000001 entries, more than the 1000000 a catalog may hold") {
			t.Errorf("error = %v, want the entry limit", err)
		}
		if raceEnabled {
			return // a million CSV rows take too long with the race detector
		}
		// CSV rows can span lines: the limit is checked as rows are read.
		csvMany := append([]byte("ref\n"), bytes.Repeat([]byte("\"\xff\"\n"), catalog.MaxEntries+1)...)
		_, err = catalog.ReadCSV(bytes.NewReader(csvMany), "many.csv")
		if err == nil || !strings.Contains(err.Error(), "more than the 1000000 entries a catalog may hold") {
			t.Errorf("CSV error = %v, want the entry limit", err)
		}
	})
}

// zeros is an endless reader of newlines.
type zeros struct{}

var newlines = bytes.Repeat([]byte{'\n'}, 4<<20)

func (zeros) Read(p []byte) (int, error) {
	return copy(p, newlines), nil
}

// readers are the readers of the line-based formats.
func readers() map[string]func(io.Reader, string) ([]catalog.Entry, error) {
	return map[string]func(io.Reader, string) ([]catalog.Entry, error){
		"text": catalog.ReadText, "csv": catalog.ReadCSV, "jsonl": catalog.ReadJSONL, "read": catalog.Read,
	}
}
