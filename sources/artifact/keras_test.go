package artifact

import (
	"bytes"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestInspectKerasZip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file    string
		lambdas []string
		custom  []string
	}{
		{file: "lambda.keras", lambdas: []string{"evil_lambda (serialised Python bytecode)"},
			custom: []string{"Custom>Scaler (my_package.layers)", "exec (builtins)"}},
		{file: "clean.keras"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := fixture(t, tt.file)
			z := InspectZip(bytes.NewReader(data), int64(len(data)), 1<<20, fakeScan)
			if z.Kind != ZipKeras {
				t.Fatalf("Kind = %q, want %q", z.Kind, ZipKeras)
			}
			got := InspectKerasZip(z, bytes.NewReader(data), 1<<20)
			if len(got.Malformed) != 0 {
				t.Errorf("Malformed = %q, want none", got.Malformed)
			}
			if diff := cmp.Diff(tt.lambdas, got.LambdaLayers); diff != "" {
				t.Errorf("Lambda layers (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tt.custom, got.CustomObjects); diff != "" {
				t.Errorf("custom objects (-want +got):\n%s", diff)
			}
		})
	}
}

func TestInspectKerasZipProblems(t *testing.T) {
	t.Parallel()
	data := fixture(t, "pytorch.pt")
	z := InspectZip(bytes.NewReader(data), int64(len(data)), 1<<20, fakeScan)
	if got := InspectKerasZip(z, bytes.NewReader(data), 1<<20); !hasReason(got.Malformed, "no config.json") {
		t.Errorf("Malformed = %q, want no config.json", got.Malformed)
	}
	data = fixture(t, "lambda.keras")
	z = InspectZip(bytes.NewReader(data), int64(len(data)), 1<<20, fakeScan)
	cr := &countingReader{r: bytes.NewReader(data)}
	got := InspectKerasZip(z, cr, 40)
	if n := cr.n.Load(); n > 40 {
		t.Errorf("read %d bytes with a budget of 40", n)
	}
	if len(got.LambdaLayers) != 0 || len(got.Malformed) == 0 {
		t.Errorf("with a 40-byte budget: %+v, want nothing found and a problem", got)
	}
}

func TestInspectH5(t *testing.T) {
	t.Parallel()
	tests := []struct {
		file      string
		lambdas   []string
		malformed []string
	}{
		{file: "lambda.h5", lambdas: []string{"lambda_1 (serialised Python bytecode)"}},
		{file: "clean.h5"},
		{file: "gguf_ok.gguf", malformed: []string{"no HDF5 signature"}},
		{file: "empty.bin", malformed: []string{"no HDF5 signature"}},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			t.Parallel()
			data := fixture(t, tt.file)
			got := InspectH5(bytes.NewReader(data), int64(len(data)), 1<<20)
			if diff := cmp.Diff(tt.lambdas, got.LambdaLayers); diff != "" {
				t.Errorf("Lambda layers (-want +got):\n%s", diff)
			}
			for _, w := range tt.malformed {
				if !hasReason(got.Malformed, w) {
					t.Errorf("Malformed = %q, want a reason containing %q", got.Malformed, w)
				}
			}
			if len(tt.malformed) == 0 && len(got.Malformed) != 0 {
				t.Errorf("Malformed = %q, want none", got.Malformed)
			}
		})
	}
}

func TestInspectH5RawLambda(t *testing.T) {
	t.Parallel()
	data := append([]byte(h5Magic), []byte(`xx{"class_name": "Lambda", "config": {"name": "l"`)...)
	got := InspectH5(bytes.NewReader(data), int64(len(data)), 1<<20)
	if len(got.LambdaLayers) != 1 {
		t.Errorf("Lambda layers = %q, want one from the raw bytes", got.LambdaLayers)
	}
}
