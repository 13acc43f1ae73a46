package batch

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/risk"
)

// openTemp opens a new store in a temporary directory and closes it at the
// end of the test.
func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "state.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

// testRecord is a record whose report is a small JSON line naming key.
func testRecord(key string, status Status) Record {
	r := Record{Key: key, Status: status, Level: "high", Score: 52.29,
		Report:    fmt.Appendf(nil, `{"schema_version":"1","subject":{"ref":%q},"note":"a \"quoted\" <b>line</b>"}`, key),
		UpdatedAt: time.Date(2026, 3, 4, 5, 6, 7, 891011121, time.UTC)}
	if status == StatusFailed {
		r.Error = "huggingface: get model " + key + ": not found"
		r.Level, r.Score = "critical", 81.5
	}
	return r
}

func TestStoreRoundTrip(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	recs := []Record{
		testRecord("hf:org/a", StatusDone),
		testRecord("hf:org/b", StatusFailed),
		testRecord("./local dir/ü", StatusDone),
	}
	for _, r := range recs {
		if err := s.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	for _, want := range recs {
		got, ok, err := s.Get(ctx, want.Key)
		if err != nil || !ok {
			t.Fatalf("Get(%q) = ok %v, err %v", want.Key, ok, err)
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Get(%q) (-want +got):\n%s", want.Key, diff)
		}
	}
	if _, ok, err := s.Get(ctx, "hf:org/none"); ok || err != nil {
		t.Errorf("Get of a missing key = ok %v, err %v; want false, nil", ok, err)
	}

	// Put replaces: b is retried and done now.
	redo := testRecord("hf:org/b", StatusDone)
	if err := s.Put(ctx, redo); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Get(ctx, "hf:org/b")
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(redo, got); diff != "" {
		t.Errorf("after replacing (-want +got):\n%s", diff)
	}

	st, err := s.Statuses(ctx)
	if err != nil {
		t.Fatal(err)
	}
	wantSt := map[string]Status{"hf:org/a": StatusDone, "hf:org/b": StatusDone, "./local dir/ü": StatusDone}
	if diff := cmp.Diff(wantSt, st); diff != "" {
		t.Errorf("Statuses (-want +got):\n%s", diff)
	}
	if err := s.Put(ctx, testRecord("hf:org/c", StatusFailed)); err != nil {
		t.Fatal(err)
	}
	done, failed, err := s.Count(ctx)
	if err != nil || done != 3 || failed != 1 {
		t.Errorf("Count = %d, %d, %v; want 3, 1, nil", done, failed, err)
	}
}

func TestStorePutFillsUpdatedAt(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	r := testRecord("k", StatusDone)
	r.UpdatedAt = time.Time{}
	before := time.Now()
	if err := s.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Get(ctx, "k")
	if err != nil {
		t.Fatal(err)
	}
	if got.UpdatedAt.Before(before.Add(-time.Second)) || got.UpdatedAt.Location() != time.UTC {
		t.Errorf("UpdatedAt = %v; want about %v, in UTC", got.UpdatedAt, before)
	}
}

func TestStoreDurableAcrossReopen(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "state.db")
	var want []Record
	for round := range 3 {
		s, err := Open(ctx, path)
		if err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
		for _, r := range want {
			got, ok, err := s.Get(ctx, r.Key)
			if err != nil || !ok {
				t.Fatalf("round %d: Get(%q) = ok %v, err %v", round, r.Key, ok, err)
			}
			if diff := cmp.Diff(r, got); diff != "" {
				t.Errorf("round %d: Get(%q) (-want +got):\n%s", round, r.Key, diff)
			}
		}
		r := testRecord(fmt.Sprintf("hf:org/m%d", round), StatusDone)
		if err := s.Put(ctx, r); err != nil {
			t.Fatal(err)
		}
		want = append(want, r)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStoreConcurrentPut(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	const workers, each = 16, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				key := fmt.Sprintf("w%d/%d", w, i)
				if err := s.Put(ctx, testRecord(key, StatusDone)); err != nil {
					errs <- err
					return
				}
				if _, ok, err := s.Get(ctx, key); err != nil || !ok {
					errs <- fmt.Errorf("Get(%q) right after Put: ok %v, err %v", key, ok, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	done, failed, err := s.Count(ctx)
	if err != nil || done != workers*each || failed != 0 {
		t.Errorf("Count = %d, %d, %v; want %d, 0, nil", done, failed, err, workers*each)
	}
}

func TestStoreFileMode(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("file modes are not Unix permissions on Windows")
	}
	ctx := context.Background()
	s, path := openTemp(t)
	if err := s.Put(ctx, testRecord("k", StatusDone)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal"} {
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v; want 0600", filepath.Base(p), st.Mode().Perm())
		}
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	notDB := filepath.Join(dir, "catalog.jsonl")
	content := []byte(`{"ref":"hf:org/model"}` + "\n" + strings.Repeat("not sqlite at all ", 400))
	if err := os.WriteFile(notDB, content, 0o644); err != nil {
		t.Fatal(err)
	}

	foreign := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	newer := filepath.Join(dir, "newer.db")
	s, err := Open(ctx, newer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	s.Close()

	tests := []struct {
		name, path string
		want       []string
	}{
		{"not a database", notDB, []string{notDB, "not a pedigree batch state", "give another state file"}},
		{"another application", foreign, []string{foreign, "another application"}},
		{"newer schema", newer, []string{newer, "newer version of pedigree"}},
		{"missing directory", filepath.Join(dir, "no", "such", "state.db"), []string{"does not exist", "create it first"}},
		{"a directory", dir, []string{dir, "not a regular file"}},
		{"empty path", "", []string{"no file named"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := Open(ctx, tc.path)
			if err == nil {
				s.Close()
				t.Fatalf("Open(%q) succeeded; want an error", tc.path)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("Open(%q) error %q does not contain %q", tc.path, err, w)
				}
			}
		})
	}
	// A file Open refused is left as it was.
	got, err := os.ReadFile(notDB)
	if err != nil || string(got) != string(content) {
		t.Errorf("Open changed a file that is not a state database (err %v)", err)
	}
}

func TestOpenInUse(t *testing.T) {
	ctx := context.Background()
	s, path := openTemp(t)
	if err := s.Put(ctx, testRecord("k", StatusDone)); err != nil {
		t.Fatal(err)
	}
	second, err := Open(ctx, path, WithBusyTimeout(0))
	if err == nil {
		second.Close()
		t.Fatal("a second Open of a held state succeeded; want an error")
	}
	for _, w := range []string{path, "in use by another run", "wait for that run to finish"} {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("error %q does not contain %q", err, w)
		}
	}
	// The holder is unaffected, and the file opens once released.
	if err := s.Put(ctx, testRecord("k2", StatusDone)); err != nil {
		t.Fatal(err)
	}
	s.Close()
	again, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if done, _, err := again.Count(ctx); err != nil || done != 2 {
		t.Errorf("Count after reopening = %d, %v; want 2", done, err)
	}
}

func TestPutInvalid(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	valid := testRecord("k", StatusDone)
	tests := []struct {
		name   string
		modify func(*Record)
		want   string
	}{
		{"no key", func(r *Record) { r.Key = "" }, "no key"},
		{"unknown status", func(r *Record) { r.Status = "pending" }, `status "pending"`},
		{"done with error", func(r *Record) { r.Error = "boom" }, "done but has an error"},
		{"failed without error", func(r *Record) { r.Status = StatusFailed }, "failed without an error"},
		{"NaN score", func(r *Record) { r.Score = math.NaN() }, "finite"},
		{"no report", func(r *Record) { r.Report = nil }, "no report"},
		{"several lines", func(r *Record) { r.Report = []byte("{}\n{}") }, "several lines"},
		{"not JSON", func(r *Record) { r.Report = []byte("{\"a\":") }, "not valid JSON"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := valid
			tc.modify(&r)
			err := s.Put(ctx, r)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("Put = %v; want an error containing %q", err, tc.want)
			}
		})
	}
	// One trailing newline is dropped.
	r := valid
	r.Report = append(append([]byte(nil), valid.Report...), '\n')
	if err := s.Put(ctx, r); err != nil {
		t.Fatal(err)
	}
	got, _, err := s.Get(ctx, "k")
	if err != nil || string(got.Report) != string(valid.Report) {
		t.Errorf("Get after Put with a trailing newline = %q, %v; want %q", got.Report, err, valid.Report)
	}
}

func TestGetDamaged(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	if err := s.Put(ctx, testRecord("k", StatusDone)); err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		"UPDATE records SET report = x'1f8b0800000000000000'",
		"UPDATE records SET size = 99999999999",
	} {
		if _, err := s.db.Exec(stmt); err != nil {
			t.Fatal(err)
		}
		if _, _, err := s.Get(ctx, "k"); err == nil || !strings.Contains(err.Error(), "damaged") {
			t.Errorf("after %s: Get = %v; want an error saying the state is damaged", stmt, err)
		}
	}
}

func TestRecordOf(t *testing.T) {
	for _, r := range sampleReports(t) {
		rec, err := RecordOf(r.Subject.Ref, r)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != StatusDone || rec.Error != "" || rec.Level != string(r.Score.Level) || rec.Score != r.Score.Value {
			t.Errorf("RecordOf(%s) = status %q, error %q, level %q, score %v", r.Subject.Ref, rec.Status, rec.Error, rec.Level, rec.Score)
		}
		if len(rec.Report) == 0 || strings.ContainsRune(string(rec.Report), '\n') {
			t.Errorf("RecordOf(%s).Report is not one line", r.Subject.Ref)
		}
	}

	failed := &risk.Report{SchemaVersion: risk.SchemaVersion, Subject: risk.SubjectInfo{Ref: "hf:gone/model"},
		Score: risk.Score{Value: 40, Level: risk.LevelMedium},
		Lineage: risk.Lineage{Nodes: []risk.LineageNode{{ID: "pkg:huggingface/gone/model", State: risk.NodeFailed,
			Reason: "not_found: huggingface: get model gone/model: not found"}}}}
	rec, err := RecordOf("hf:gone/model", failed)
	if err != nil {
		t.Fatal(err)
	}
	if rec.Status != StatusFailed || rec.Error != failed.Lineage.Nodes[0].Reason {
		t.Errorf("RecordOf(failed root) = %q, %q; want failed with the node's reason", rec.Status, rec.Error)
	}
	failed.Lineage.Nodes[0].Reason = ""
	if rec, _ := RecordOf("hf:gone/model", failed); rec.Error == "" {
		t.Error("RecordOf(failed root without reason) has no Error; Put would refuse it")
	}
	// A root read, but part of the lineage lost to a cause that may pass.
	base := "pkg:huggingface/org/base"
	for name, partial := range map[string]*risk.Report{
		"rate limited ancestor": {Sources: []risk.SourceStatus{{Source: "huggingface", Subject: base, State: risk.StateFailed,
			Reason: "rate_limited: huggingface: get model org/base: 429"}}},
		"server error": {Sources: []risk.SourceStatus{{Source: "huggingface", Subject: base, State: risk.StatePartial,
			Reason: "error: huggingface: get tree org/base: 503 Service Unavailable"}}},
		"time limit": {Lineage: risk.Lineage{Nodes: []risk.LineageNode{{ID: "pkg:huggingface/org/ft", State: risk.NodeCollected},
			{ID: base, State: risk.NodeFailed, Reason: "not read: the assessment's time limit of 10m0s passed (raise --timeout)"}}}},
	} {
		partial.SchemaVersion = risk.SchemaVersion
		if len(partial.Lineage.Nodes) == 0 {
			partial.Lineage.Nodes = []risk.LineageNode{{ID: "pkg:huggingface/org/ft", State: risk.NodePartial}}
		}
		rec, err := RecordOf("hf:org/ft", partial)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Status != StatusFailed || !strings.Contains(rec.Error, base) {
			t.Errorf("%s: RecordOf = %q, %q; want failed naming %s", name, rec.Status, rec.Error, base)
		}
	}
	// Causes that do not pass keep the record done.
	lasting := &risk.Report{SchemaVersion: risk.SchemaVersion,
		Lineage: risk.Lineage{Nodes: []risk.LineageNode{{ID: "pkg:huggingface/org/ft", State: risk.NodeCollected},
			{ID: base, State: risk.NodeFailed, Reason: "not_found: gone"}}},
		Sources: []risk.SourceStatus{{Source: "huggingface", Subject: base, State: risk.StateFailed, Reason: "not_found: huggingface: get model org/base: 404"},
			{Source: "huggingface", Subject: "pkg:huggingface/org/ft", State: risk.StatePartial, Reason: "offline: no commits in the snapshot"}}}
	if rec, _ := RecordOf("hf:org/ft", lasting); rec.Status != StatusDone {
		t.Errorf("RecordOf(not found, offline) = %q, %q; want done", rec.Status, rec.Error)
	}
	if _, err := RecordOf("k", nil); err == nil {
		t.Error("RecordOf(nil report) succeeded")
	}
	if _, err := RecordOf("", failed); err == nil {
		t.Error("RecordOf without key succeeded")
	}
}

// helperEnv names the state file TestHelperProcess writes to.
const helperEnv = "PEDIGREE_BATCH_HELPER_STATE"

// killRecord is what the killed child stores under key: a report of a few
// kilobytes to some tens, so that commits span several pages.
func killRecord(key string) Record {
	h := fnv.New64a()
	h.Write([]byte(key))
	seed := h.Sum64()
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	pad := make([]byte, 1000+rng.IntN(20000))
	for i := range pad {
		pad[i] = "0123456789abcdef"[rng.IntN(16)]
	}
	return Record{Key: key, Status: StatusDone, Level: "low", Score: 1,
		Report: fmt.Appendf(nil, `{"schema_version":"1","subject":{"ref":%q},"pad":%q}`, key, pad)}
}

// TestHelperProcess is the child of TestStoreSurvivesKill: it puts records
// from several goroutines until it is killed, printing each key once Put
// has returned.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv(helperEnv)
	if path == "" {
		t.Skip("runs only as the child process of TestStoreSurvivesKill")
	}
	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1_000_000 {
				key := fmt.Sprintf("g%d/%d", g, i)
				if err := s.Put(ctx, killRecord(key)); err != nil {
					fmt.Fprintln(os.Stderr, err)
					os.Exit(3)
				}
				mu.Lock()
				fmt.Fprintf(os.Stdout, "ack %s\n", key)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	os.Exit(0)
}

func TestStoreSurvivesKill(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a child process")
	}
	path := filepath.Join(t.TempDir(), "state.db")
	killAt := 20 + rand.N(300)
	t.Logf("killing the child after %d acknowledged puts", killAt)

	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), helperEnv+"="+path)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []string
	sc := bufio.NewScanner(out)
	killed := false
	for sc.Scan() {
		key, ok := strings.CutPrefix(sc.Text(), "ack ")
		if !ok {
			continue
		}
		acked = append(acked, key)
		if len(acked) == killAt {
			if err := cmd.Process.Kill(); err != nil {
				t.Fatal(err)
			}
			killed = true
		}
	}
	err = cmd.Wait()
	if !killed {
		t.Fatalf("the child stopped after %d puts, before it was killed: %v\n%s", len(acked), err, stderr.String())
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.Success() {
		t.Fatalf("the child's end: %v; want it killed", err)
	}

	ctx := context.Background()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening after the kill: %v", err)
	}
	defer s.Close()
	var check string
	if err := s.db.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check = %q, %v; want ok", check, err)
	}
	for _, key := range acked {
		got, ok, err := s.Get(ctx, key)
		if err != nil || !ok {
			t.Fatalf("acknowledged %q is missing after the kill: ok %v, err %v", key, ok, err)
		}
		if want := killRecord(key); string(got.Report) != string(want.Report) || got.Status != want.Status {
			t.Fatalf("acknowledged %q differs after the kill", key)
		}
	}
	// At most one put per goroutine can have committed without being
	// acknowledged.
	done, _, err := s.Count(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if done < len(acked) || done > len(acked)+4 {
		t.Errorf("%d records after the kill, %d acknowledged; want between %d and %d", done, len(acked), len(acked), len(acked)+4)
	}
	t.Logf("%d acknowledged, %d stored", len(acked), done)
}
