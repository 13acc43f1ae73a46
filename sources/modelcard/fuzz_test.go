package modelcard

import (
	"errors"
	"testing"
)

// The seeds below run as ordinary tests; go test -fuzz=FuzzX explores more.

func FuzzParseCard(f *testing.F) {
	for _, s := range []string{
		"",
		"---\nlicense: mit\nbase_model: [a/b, c/d]\n---\n# hi\n",
		"\ufeff\r\n---\r\nlicense: [mit]\r\n---\r\n",
		"---\na: b: c\n---\n",
		"---\n- x\n---\n",
		"---\nbase_model: &x a\nx: *x\nmodel-index: [{name: n}]\n---\n",
		"---\n&a [*a]\n---\n",
		"---\nlicense: mit\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseCard(data)
		if c == nil {
			t.Fatalf("ParseCard returned a nil card (error %v)", err)
		}
		var se *SyntaxError
		if err != nil && (!errors.As(err, &se) || se.Line < 1) {
			t.Fatalf("ParseCard error %v is not a *SyntaxError with a line", err)
		}
		for _, l := range c.License {
			if l == "" {
				t.Fatal("empty license value")
			}
		}
	})
}

func FuzzParseConfig(f *testing.F) {
	for _, s := range []string{
		"{}",
		`{"architectures": ["A"], "auto_map": {"AutoModel": ["x.Y", null]}, "quantization_config": {"quant_method": "gptq"}}`,
		`{"x": NaN, "y": "Infinity\"NaN"}`,
		"{\n \"a\": x}",
		"[1]",
		"",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		c, err := ParseConfig(data)
		if (c == nil) == (err == nil) {
			t.Fatalf("ParseConfig = %v, %v: want exactly one of a config and an error", c, err)
		}
		var se *SyntaxError
		if err != nil && !errors.As(err, &se) {
			t.Fatalf("ParseConfig error %v is not a *SyntaxError", err)
		}
		if _, err := ParseAdapterConfig(data); err != nil && !errors.As(err, &se) {
			t.Fatalf("ParseAdapterConfig error %v is not a *SyntaxError", err)
		}
	})
}

func FuzzParseMergeConfig(f *testing.F) {
	for _, s := range []string{
		"merge_method: ties\nbase_model: a\nmodels:\n  - model: b\n",
		"slices:\n  - sources:\n      - model: a\n        layer_range: [0, 8]\n",
		"experts: [{source_model: x}]\nbase_model: {model: {path: y}}\n",
		"models: &m [{model: *m}]\n",
		"- a\n",
		":",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		m, err := ParseMergeConfig(data)
		if (m == nil) == (err == nil) {
			t.Fatalf("ParseMergeConfig = %v, %v: want exactly one of a config and an error", m, err)
		}
		if m != nil {
			seen := map[string]bool{}
			for _, x := range m.Models {
				if x == "" || seen[x] {
					t.Fatalf("Models %q has an empty or repeated entry", m.Models)
				}
				seen[x] = true
			}
		}
	})
}
