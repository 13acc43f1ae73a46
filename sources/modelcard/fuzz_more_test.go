package modelcard

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// globFiles reads every file matching one of patterns, for seed corpora.
func globFiles(f *testing.F, patterns ...string) [][]byte {
	f.Helper()
	var out [][]byte
	for _, pat := range patterns {
		names, err := filepath.Glob(pat)
		if err != nil {
			f.Fatal(err)
		}
		for _, name := range names {
			data, err := os.ReadFile(name)
			if err != nil {
				f.Fatal(err)
			}
			out = append(out, data)
		}
	}
	if len(out) == 0 {
		f.Fatalf("no seed files match %q", patterns)
	}
	return out
}

// lineCount is the number of lines of data, counting a last line without
// a newline.
//
// Lines are counted the way the YAML parser counts them: a line ends at
// "\r\n", "\r" or "\n", and at the Unicode breaks NEL, LS and PS.
func lineCount(data []byte) int {
	n := 1
	for i := 0; i < len(data); i++ {
		switch {
		case data[i] == '\r':
			if i+1 < len(data) && data[i+1] == '\n' {
				i++
			}
			n++
		case data[i] == '\n':
			n++
		case bytes.HasPrefix(data[i:], []byte("\u0085")), bytes.HasPrefix(data[i:], []byte("\u2028")), bytes.HasPrefix(data[i:], []byte("\u2029")):
			n++
		}
	}
	return n
}

// FuzzParseCardREADME feeds real model card READMEs and their mutations to
// ParseCard: every line it reports lies inside the file, and the body is
// the end of the file.
func FuzzParseCardREADME(f *testing.F) {
	for _, b := range globFiles(f,
		filepath.Join("..", "..", "testdata", "hub", "*", "*", "resolve", "*", "README.md"),
		filepath.Join("..", "huggingface", "testdata", "snap", "*", "*", "resolve", "*", "README.md")) {
		f.Add(b)
	}
	f.Add([]byte("---\nlicense: mit\n---\n---\nbase_model: x\n---\n"))
	f.Add([]byte("\ufeff---\r\nlicense: [\r\n---\r\ntrust_remote_code=True\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCard(data)
		if c == nil {
			t.Fatalf("nil card (error %v)", err)
		}
		n := lineCount(data)
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.File != "README.md" || se.Line < 1 || se.Line > n) {
			t.Fatalf("error %v: want a *SyntaxError in README.md on a line in 1..%d", err, n)
		}
		for name, line := range map[string]int{"MetadataLine": c.MetadataLine, "BodyLine": c.BodyLine, "RemoteCodeLine": c.RemoteCodeLine} {
			if line < 0 || line > n+1 {
				t.Fatalf("%s = %d outside a file of %d lines", name, line, n)
			}
		}
		if !strings.HasSuffix(string(data), c.Body) {
			t.Fatalf("body %.80q is not the end of the file", c.Body)
		}
	})
}

// FuzzParseCardMetadata feeds the Hub's cardData (JSON) and front matter
// (YAML) to ParseCardMetadata: errors name the file and a line of it, and
// no declared value is empty.
func FuzzParseCardMetadata(f *testing.F) {
	for _, b := range globFiles(f, filepath.Join("..", "huggingface", "testdata", "snap", "api", "models", "*", "*.json")) {
		var info struct {
			CardData json.RawMessage `json:"cardData"`
		}
		if json.Unmarshal(b, &info) == nil && len(info.CardData) > 0 {
			f.Add([]byte(info.CardData))
		}
	}
	for _, b := range globFiles(f, filepath.Join("..", "..", "testdata", "hub", "*", "*", "resolve", "*", "README.md")) {
		parts := bytes.SplitN(b, []byte("---\n"), 3)
		if len(parts) == 3 && len(parts[0]) == 0 {
			f.Add(parts[1])
		}
	}
	for _, s := range []string{"", "null", "[]", `{"license": ["", null, {"a": 1}]}`, "a: &x [*x]\n", "base_model:\n  - \"\"\n", "\t:"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCardMetadata("cardData", data)
		if c == nil || !c.HasMetadata || c.Body != "" {
			t.Fatalf("card %+v for metadata alone (error %v)", c, err)
		}
		var se *SyntaxError
		if err != nil {
			if !errors.As(err, &se) || se.File != "cardData" || se.Line < 0 || se.Line > lineCount(data) {
				t.Fatalf("error %v: want a *SyntaxError in cardData on a line it has", err)
			}
			return
		}
		for field, vals := range map[string][]string{"License": c.License, "BaseModels": c.BaseModels, "Datasets": c.Datasets} {
			for _, v := range vals {
				if v == "" {
					t.Fatalf("%s holds an empty value: %q", field, vals)
				}
			}
		}
		again, _ := ParseCardMetadata("cardData", data)
		if !reflect.DeepEqual(c, again) {
			t.Fatal("two parses of the same metadata differ")
		}
	})
}

// FuzzParseAdapterConfig feeds real adapter and model configs to
// ParseAdapterConfig: an error names adapter_config.json, and the fields
// it reads survive being written back as JSON and parsed again.
func FuzzParseAdapterConfig(f *testing.F) {
	for _, b := range globFiles(f,
		filepath.Join("..", "huggingface", "testdata", "snap", "*", "*", "resolve", "*", "adapter_config.json"),
		filepath.Join("testdata", "configs", "*.json")) {
		f.Add(b)
	}
	for _, s := range []string{
		`{"base_model_name_or_path": "a/b", "revision": "main", "peft_type": "LORA", "task_type": "CAUSAL_LM", "r": 16}`,
		`{"base_model_name_or_path": null, "r": 1e400, "lora_alpha": NaN}`,
		`{"base_model_name_or_path": ["a"], "r": "8", "peft_type": {"x": 1}}`,
		`{"r": -9223372036854775809}`,
		`{"base_model_name_or_path": "\ud800"}`,
		"[]", "", "{", `{"a":1} {}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		a, err := ParseAdapterConfig(data)
		if (a == nil) == (err == nil) {
			t.Fatalf("ParseAdapterConfig = %v, %v: want exactly one of a config and an error", a, err)
		}
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) || se.File != AdapterConfigFile || !strings.HasPrefix(err.Error(), AdapterConfigFile) {
				t.Fatalf("error %v does not name %s", err, AdapterConfigFile)
			}
			return
		}
		fields := map[string]any{
			"base_model_name_or_path": a.BaseModel,
			"revision":                a.Revision,
			"peft_type":               a.PEFTType,
			"task_type":               a.TaskType,
			"r":                       a.R,
		}
		out, err := json.Marshal(fields)
		if err != nil {
			t.Fatal(err)
		}
		b, err := ParseAdapterConfig(out)
		if err != nil || *b != *a {
			t.Fatalf("config %+v reads back as %+v (%v) from %s", *a, b, err, out)
		}
	})
}
