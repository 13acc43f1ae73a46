package report

import (
	"bytes"
	"io"
	"strings"
	"testing"
)

func TestDecodeSizeLimit(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	for _, name := range []string{"labess", "gemmalpaca"} {
		r := loadReport(t, name)
		if err := WriteJSONLine(&buf, r); err != nil {
			t.Fatal(err)
		}
	}
	first := bytes.IndexByte(buf.Bytes(), '\n') + 1
	// A limit that fits each report reads both.
	got, err := decode(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil || len(got) != 2 {
		t.Fatalf("decode with room: %d reports, %v", len(got), err)
	}
	// A limit below the first report stops with an error naming it.
	_, err = decode(bytes.NewReader(buf.Bytes()), int64(first/2))
	if err == nil || !strings.Contains(err.Error(), "report 1 is larger than") {
		t.Errorf("decode over the limit: %v, want report 1 named", err)
	}
	// An endless value stops at the limit instead of filling memory.
	endless := io.MultiReader(strings.NewReader(`{"schema_version": "1", "tool": {"name": "`), infiniteA{})
	if _, err := decode(endless, 1<<20); err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("endless input: %v", err)
	}
}

// infiniteA reads as an endless run of 'a'.
type infiniteA struct{}

func (infiniteA) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}
