package huggingface

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

// maxListedError bounds listedID's messages: the id is clipped to 200
// bytes, which %q can quote as at most 10 bytes each.
const maxListedError = 200*10 + 100

// FuzzListingPage feeds arbitrary bytes to the readers of the Hub's
// listing pages (model search, tree pages): joining pages keeps every
// record, and a listed id is either a valid Hub id or an error of bounded
// length.
func FuzzListingPage(f *testing.F) {
	seedFiles(f)
	for _, s := range []string{
		`[{"id":"a/b"},{"id":"../x"},{"id":null},{"modelId":"c/d"},1,"s"]`,
		`[{"id":"` + strings.Repeat("x/", 400) + `"}]`,
		`[{"id":"a/b\u0000"},{"id":"\ud800/x"}]`,
		`[[]]`,
		`[{"id":"` + strings.Repeat(`\u0001`, 5000) + `"}]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, page []byte) {
		joined, err := joinPages([][]byte{page, page})
		if err != nil {
			if !errors.Is(err, sources.ErrMalformed) || !strings.Contains(err.Error(), "page 1") {
				t.Fatalf("error %q is not ErrMalformed naming page 1", err)
			}
			return
		}
		var one, both []json.RawMessage
		if err := json.Unmarshal(page, &one); err != nil {
			t.Fatalf("joinPages accepted a page json rejects: %v", err)
		}
		if err := json.Unmarshal(joined, &both); err != nil || len(both) != 2*len(one) {
			t.Fatalf("joined %d records from two pages of %d (%v)", len(both), len(one), err)
		}
		for _, raw := range one {
			id, err := listedID(raw)
			if err != nil {
				if id != "" || len(err.Error()) > maxListedError {
					t.Fatalf("listedID = %q, error of %d bytes", id, len(err.Error()))
				}
				continue
			}
			if !sources.ValidHubID(id) {
				t.Fatalf("listedID returned invalid id %q", id)
			}
		}
	})
}

// FuzzReadRefusal feeds arbitrary bytes to the reader of a snapshot's
// recorded refusals (PATH.error): a refusal it replays carries the
// recorded message and one of the two recorded sentinels.
func FuzzReadRefusal(f *testing.F) {
	for _, a := range []refusedAnswer{
		{Error: "not_found", Message: "hf:a/b: not found"},
		{Error: "unauthorized", Message: "gated repository; set HF_TOKEN"},
		{Error: "teapot", Message: "x"},
		{Error: "not_found"},
	} {
		b, err := json.Marshal(a)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	for _, s := range []string{"", "null", `{"error":"not_found","message":123}`, `{"error":"unauthorized","message":"\u0000\n<script>"}`} {
		f.Add([]byte(s))
	}
	dir := f.TempDir()
	d, err := Snapshot(dir)
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if err := os.WriteFile(filepath.Join(dir, "x.error"), data, 0o600); err != nil {
			t.Fatal(err)
		}
		got, ok := d.readRefusal("x")
		if !ok {
			if got != nil {
				t.Fatalf("no refusal but error %v", got)
			}
			return
		}
		var a refusedAnswer
		if json.Unmarshal(data, &a) != nil || got == nil || got.Error() != a.Message || a.Message == "" {
			t.Fatalf("replayed %v from %q", got, data)
		}
		if !errors.Is(got, sources.ErrNotFound) && !errors.Is(got, sources.ErrUnauthorized) {
			t.Fatalf("replayed %v wraps neither recorded sentinel", got)
		}
	})
}
