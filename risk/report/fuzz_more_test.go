package report

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/risk"
)

// FuzzDecode feeds arbitrary bytes to Decode, the reader of saved reports.
// An error must say which report failed; a report that decodes must
// survive a write and a read unchanged, in both JSON forms.
func FuzzDecode(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "reports", "*.json"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no saved reports in testdata/reports: %v", err)
	}
	var lines bytes.Buffer
	for _, name := range files {
		data, err := os.ReadFile(name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		reps, err := Decode(bytes.NewReader(data))
		if err != nil || len(reps) != 1 {
			f.Fatalf("%s: Decode = %d reports, %v", name, len(reps), err)
		}
		if err := WriteJSONLine(&lines, reps[0]); err != nil {
			f.Fatal(err)
		}
		f.Add(data[:len(data)/2])
	}
	f.Add(lines.Bytes())
	for _, s := range []string{
		"",
		"null",
		"{}",
		"[]",
		`{"schema_version":"0"}`,
		`{"schema_version":"` + risk.SchemaVersion + `"}` + "\n" + `{"schema_version":"x"}`,
		`{"schema_version":"` + risk.SchemaVersion + `","score":1e999}`,
		`{"schema_version":"` + risk.SchemaVersion + `","findings":[{"rule_id":"<script>\u2028"}]}`,
		`{"schema_version":"` + risk.SchemaVersion + `","subject":{"ref":"hf:a/b\n\"x"}}` + " garbage",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		reps, err := Decode(bytes.NewReader(data))
		if err != nil {
			msg := err.Error()
			if !strings.HasPrefix(msg, "report: ") || !strings.Contains(msg, "report "+strconv.Itoa(len(reps)+1)) {
				t.Fatalf("error %q does not name report %d", msg, len(reps)+1)
			}
		}
		for i, rep := range reps {
			if rep == nil || rep.SchemaVersion != risk.SchemaVersion {
				t.Fatalf("report %d: nil or schema_version %q accepted", i+1, rep.SchemaVersion)
			}
			var first bytes.Buffer
			if err := WriteJSON(&first, rep); err != nil {
				// A decoded report can hold values JSON cannot write back
				// (none known today); that is a finding, not a pass.
				t.Fatalf("report %d decodes but does not encode: %v", i+1, err)
			}
			again, err := Decode(bytes.NewReader(first.Bytes()))
			if err != nil || len(again) != 1 {
				t.Fatalf("report %d: written report does not read back: %d reports, %v\n%s", i+1, len(again), err, first.Bytes())
			}
			var second bytes.Buffer
			if err := WriteJSON(&second, again[0]); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), second.Bytes()) {
				t.Fatalf("report %d changes on a second write:\n%s\n---\n%s", i+1, first.Bytes(), second.Bytes())
			}
			var line bytes.Buffer
			if err := WriteJSONLine(&line, again[0]); err != nil {
				t.Fatal(err)
			}
			if n := bytes.Count(line.Bytes(), []byte{'\n'}); n != 1 {
				t.Fatalf("report %d: JSON line has %d newlines", i+1, n)
			}
			fromLine, err := Decode(&line)
			if err != nil || len(fromLine) != 1 {
				t.Fatalf("report %d: JSON line does not read back: %v", i+1, err)
			}
			var third bytes.Buffer
			if err := WriteJSON(&third, fromLine[0]); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first.Bytes(), third.Bytes()) {
				t.Fatalf("report %d changes through a JSON line", i+1)
			}
		}
	})
}
