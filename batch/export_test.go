package batch

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// sampleStore is a store holding the sample reports, keyed by their refs,
// and the keys in file order.
func sampleStore(t testing.TB) (*Store, []string) {
	t.Helper()
	s, _ := openTemp(t)
	var keys []string
	for _, r := range sampleReports(t) {
		rec, err := RecordOf(r.Subject.Ref, r)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Put(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		keys = append(keys, r.Subject.Ref)
	}
	return s, keys
}

// refsOf returns the subject.ref of each line of out.
func refsOf(t *testing.T, out []byte) []string {
	t.Helper()
	var refs []string
	for _, line := range strings.Split(strings.TrimSuffix(string(out), "\n"), "\n") {
		if line == "" {
			continue
		}
		var head reportHead
		if err := json.Unmarshal([]byte(line), &head); err != nil {
			t.Fatalf("output line is not a report: %v", err)
		}
		refs = append(refs, head.Subject.Ref)
	}
	return refs
}

func TestExport(t *testing.T) {
	ctx := context.Background()
	s, keys := sampleStore(t)
	order := []string{keys[3], "hf:not/assessed", keys[0], keys[3], keys[6], "./missing", keys[1]}
	var out bytes.Buffer
	missing, err := Export(ctx, s, order, &out)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"hf:not/assessed", "./missing"}, missing); diff != "" {
		t.Errorf("missing (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{keys[3], keys[0], keys[6], keys[1]}, refsOf(t, out.Bytes())); diff != "" {
		t.Errorf("exported refs (-want +got):\n%s", diff)
	}
	// Each line is the stored record's report, byte for byte.
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	for i, k := range []string{keys[3], keys[0], keys[6], keys[1]} {
		rec, _, err := s.Get(ctx, k)
		if err != nil {
			t.Fatal(err)
		}
		if lines[i] != string(rec.Report) {
			t.Errorf("line %d is not the stored report of %s", i+1, k)
		}
	}

	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := Export(cctx, s, keys, &out); err == nil {
		t.Error("Export with a cancelled context succeeded")
	}
}

// writeShards exports keys into count shard files, as count shard runs
// would, and returns the file names.
func writeShards(t *testing.T, s *Store, keys []string, count int) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := range count {
		var mine []string
		for _, k := range keys {
			if ShardOf(k, count) == i {
				mine = append(mine, k)
			}
		}
		var buf bytes.Buffer
		if _, err := Export(context.Background(), s, mine, &buf); err != nil {
			t.Fatal(err)
		}
		name := filepath.Join(dir, fmt.Sprintf("shard-%d-of-%d.jsonl", i, count))
		if err := os.WriteFile(name, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	return files
}

func TestMergeEqualsExport(t *testing.T) {
	ctx := context.Background()
	s, keys := sampleStore(t)
	catalog := append([]string{"hf:never/assessed"}, keys...)
	var whole bytes.Buffer
	missing, err := Export(ctx, s, catalog, &whole)
	if err != nil {
		t.Fatal(err)
	}
	for _, count := range []int{1, 2, 3, 5} {
		t.Run(fmt.Sprintf("%d shards", count), func(t *testing.T) {
			files := writeShards(t, s, catalog, count)
			var merged bytes.Buffer
			res, err := Merge(ctx, catalog, files, &merged)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(whole.Bytes(), merged.Bytes()) {
				t.Errorf("merged output (%d bytes) differs from the unsharded export (%d bytes)", merged.Len(), whole.Len())
			}
			want := MergeResult{Written: len(keys), Gaps: missing}
			if diff := cmp.Diff(want, res); diff != "" {
				t.Errorf("MergeResult (-want +got):\n%s", diff)
			}
		})
	}
}

func TestMergeProblems(t *testing.T) {
	ctx := context.Background()
	line := func(ref, note string) string {
		return fmt.Sprintf(`{"schema_version":"1","subject":{"ref":%q},"note":%q}`, ref, note)
	}
	dir := t.TempDir()
	write := func(name string, lines ...string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(strings.Join(lines, "")), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	a := write("a.jsonl",
		line("k1", "one")+"\n",
		"\n",
		line("k2", "first")+"\r\n",
		line("stray", "x")+"\n",
		line("k4", "same")+"\n",
	)
	b := write("b.jsonl",
		line("k4", "same")+"\n", // identical duplicate: dropped
		"   \n",
		line("k2", "second")+"\n", // conflict
		line("stray", "x")+"\n",
		line("other", "y")+"\n",
		line("k5", "last, no newline"),
	)
	keys := []string{"k5", "k1", "k2", "k3", "k4", "k1"}
	var out bytes.Buffer
	res, err := Merge(ctx, keys, []string{a, b}, &out)
	if err != nil {
		t.Fatal(err)
	}
	want := MergeResult{Written: 4, Gaps: []string{"k3"}, Conflicts: []string{"k2"}, Extra: []string{"stray", "other"}}
	if diff := cmp.Diff(want, res); diff != "" {
		t.Errorf("MergeResult (-want +got):\n%s", diff)
	}
	wantOut := line("k5", "last, no newline") + "\n" + line("k1", "one") + "\n" + line("k2", "first") + "\n" + line("k4", "same") + "\n"
	if diff := cmp.Diff(wantOut, out.String()); diff != "" {
		t.Errorf("output (-want +got):\n%s", diff)
	}
}

func TestMergeErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	good := `{"schema_version":"1","subject":{"ref":"k1"}}`
	tests := []struct {
		name, content string
		want          []string
	}{
		{"malformed line", good + "\n\n{\"schema_version\":\"1\",\"subject\":{\"ref\":\"k2\"}\n", []string{"bad.jsonl", "line 3", "not a JSON report"}},
		{"trailing garbage", good + "\n" + good + " x\n", []string{"line 2", "not a JSON report"}},
		{"not an object", "[1,2]\n", []string{"line 1", "not a JSON report"}},
		{"no ref", good + "\n" + `{"schema_version":"1","subject":{}}` + "\n", []string{"line 2", "no subject.ref"}},
		{"other schema", `{"schema_version":"2","subject":{"ref":"k1"}}` + "\n", []string{"line 1", `schema_version "2"`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := filepath.Join(dir, "bad.jsonl")
			if err := os.WriteFile(p, []byte(tc.content), 0o644); err != nil {
				t.Fatal(err)
			}
			_, err := Merge(ctx, []string{"k1", "k2"}, []string{p}, &bytes.Buffer{})
			if err == nil {
				t.Fatal("Merge succeeded; want an error")
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
		})
	}
	if _, err := Merge(ctx, []string{"k"}, []string{filepath.Join(dir, "none.jsonl")}, &bytes.Buffer{}); err == nil || !strings.Contains(err.Error(), "none.jsonl") {
		t.Errorf("Merge of a missing file = %v; want an error naming it", err)
	}
}

func FuzzMerge(f *testing.F) {
	f.Add([]byte(`{"schema_version":"1","subject":{"ref":"a"}}` + "\n" + `{"schema_version":"1","subject":{"ref":"b"},"x":1}` + "\r\n"))
	f.Add([]byte(`{"schema_version":"1","subject":{"ref":"a"}}` + "\n" + `{"schema_version":"1","subject":{"ref":"a"},"x":2}`))
	f.Add([]byte("\n\n  \n"))
	f.Add([]byte(`{"schema_version":"1","subject":{"ref":"c"}}{}`))
	f.Add([]byte(`{"schema_version":"1","subject":{"ref":"\u0000<x>"}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p := filepath.Join(t.TempDir(), "shard.jsonl")
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		keys := []string{"a", "b", "c", "\x00<x>"}
		res, err := Merge(context.Background(), keys, []string{p}, &out)
		if err != nil {
			return
		}
		lines := 0
		if out.Len() > 0 {
			lines = strings.Count(out.String(), "\n")
		}
		if lines != res.Written || res.Written+len(res.Gaps) != len(keys) {
			t.Fatalf("Written %d, %d output lines, %d gaps for %d keys", res.Written, lines, len(res.Gaps), len(keys))
		}
		for _, l := range strings.SplitAfter(out.String(), "\n") {
			if l != "" && !bytes.Contains(data, []byte(strings.TrimSuffix(l, "\n"))) {
				t.Fatalf("output line %q is not from the input", l)
			}
		}
	})
}
