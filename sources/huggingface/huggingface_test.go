package huggingface_test

import (
	"context"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
	"github.com/pedigree-ai/pedigree/sources/sourcetest"
)

// snap is the test snapshot written by testdata/make_snapshot.py.
var snap = filepath.Join("testdata", "snap")

// fixed is the clock of every test.
func fixed() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }

// licenses is shared so that the corpus loads once.
var licenses = licensetext.New()

func offline(t testing.TB) *huggingface.Source {
	t.Helper()
	d, err := huggingface.Snapshot(snap)
	if err != nil {
		t.Fatal(err)
	}
	return huggingface.New(huggingface.WithStore(d), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses))
}

func online(t testing.TB, hub *hubtest.Server, opts ...func(*huggingface.OnlineOptions)) (*huggingface.Source, *huggingface.Online) {
	t.Helper()
	o := huggingface.OnlineOptions{Endpoint: hub.URL, Clock: fixed, RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
	for _, f := range opts {
		f(&o)
	}
	st, err := huggingface.NewOnline(o)
	if err != nil {
		t.Fatal(err)
	}
	return huggingface.New(huggingface.WithStore(st), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses)), st
}

var (
	base    = sources.HubModel("acme/base-7b", "")
	chat    = sources.HubModel("acme/base-7b-chat", "")
	lora    = sources.HubModel("lora/chat-lora", "")
	merge   = sources.HubModel("merge/franken", "")
	quant   = sources.HubModel("quant/franken-GGUF", "")
	dataset = sources.HubDataset("acme/chat-data", "")
)

func TestConformanceOffline(t *testing.T) {
	t.Parallel()
	sourcetest.RunConformance(t, sourcetest.Harness{
		NewSource:   func(t *testing.T) sources.Source { return offline(t) },
		Known:       []sources.Subject{base, chat, lora, merge, quant, dataset},
		Missing:     sources.HubModel("nobody/nothing", ""),
		Unsupported: sources.Subject{Kind: sources.SubjectPackage, PURL: "pkg:pypi/torch@2.3.0"},
	})
}

func TestConformanceOnline(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	sourcetest.RunConformance(t, sourcetest.Harness{
		NewSource: func(t *testing.T) sources.Source {
			s, _ := online(t, hub)
			return s
		},
		Known:   []sources.Subject{base, chat, lora, merge, quant, dataset},
		Missing: sources.HubModel("nobody/nothing", ""),
	})
}

// find returns the evidence of kind whose value is value.
func find(obs *sources.Observation, kind sources.EvidenceKind, value string) (sources.Evidence, bool) {
	for _, e := range obs.Evidence {
		if e.Kind == kind && e.Value == value {
			return e, true
		}
	}
	return sources.Evidence{}, false
}

func collect(t *testing.T, s sources.Source, subj sources.Subject) *sources.Observation {
	t.Helper()
	obs, err := s.Collect(context.Background(), subj)
	if err != nil {
		t.Fatalf("Collect(%s): %v", subj, err)
	}
	return obs
}

func TestModelEvidence(t *testing.T) {
	t.Parallel()
	obs := collect(t, offline(t), chat)
	if obs.Subject.Revision != "d5bf4540b6d1e21af80692bedc1efa1e5a8b2f80" {
		t.Errorf("revision = %q, want the commit the repository info names", obs.Subject.Revision)
	}
	for _, want := range []struct {
		kind  sources.EvidenceKind
		value string
		attr  string
		is    string
	}{
		{sources.KindRevision, "d5bf4540b6d1e21af80692bedc1efa1e5a8b2f80", "requested", "main"},
		{sources.KindPublisher, "acme", "type", "org"},
		{sources.KindRepo, "false", "field", "gated"},
		{sources.KindRepo, "1234", "field", "downloads"},
		{sources.KindRepo, "2024-01-02T03:04:05.000Z", "field", "created_at"},
		{sources.KindCard, "present", "", ""},
		{sources.KindLicense, "apache-2.0", "declared_in", "card"},
		{sources.KindBaseModel, "acme/base-7b", "declared_in", "card"},
		{sources.KindDataset, "acme/chat-data", "declared_in", "card"},
		{sources.KindFile, "model.safetensors", "lfs_sha256", "1e0ad4a8e0a0cd5ac2d1c87c0b7e8b6c5f4bce1ecb1e0e1c3a36a9e1e4b0d1f2"},
		{sources.KindScan, "safe", "scanner", "hub"},
		{sources.KindCommit, "d5bf4540b6d1e21af80692bedc1efa1e5a8b2f80", "authors", "acme-bot"},
		{sources.KindConfig, "LlamaForCausalLM", "field", "architectures"},
	} {
		e, ok := find(obs, want.kind, want.value)
		if !ok {
			t.Errorf("no %s evidence %q", want.kind, want.value)
			continue
		}
		if want.attr == "lfs_sha256" {
			if len(e.Attr("lfs_sha256")) != 64 || e.Attr("size") == "" || e.Attr("format") != "safetensors" || e.Attr("role") != "weights" {
				t.Errorf("file evidence %v: want size, format, role and the LFS sha256", e.Attrs)
			}
			continue
		}
		if want.attr != "" && e.Attr(want.attr) != want.is {
			t.Errorf("%s %q: %s = %q, want %q", want.kind, want.value, want.attr, e.Attr(want.attr), want.is)
		}
		if !strings.HasPrefix(e.Origin.Locator, "https://huggingface.co/") || e.Origin.Digest == "" && want.kind != sources.KindCard {
			t.Errorf("%s %q: origin %+v, want a canonical Hub URL and a digest", want.kind, want.value, e.Origin)
		}
	}
	var targets []string
	for _, e := range obs.Edges {
		targets = append(targets, string(e.Relation)+" "+e.To.ID())
	}
	slices.Sort(targets)
	want := []string{"finetune pkg:huggingface/acme/base-7b", "trained_on pkg:huggingface/acme/chat-data?repository_type=dataset"}
	if !slices.Equal(targets, want) {
		t.Errorf("edges = %q, want %q", targets, want)
	}
}

func TestRelations(t *testing.T) {
	t.Parallel()
	s := offline(t)
	for _, tc := range []struct {
		subj sources.Subject
		want []string
	}{
		{lora, []string{"adapter pkg:huggingface/acme/base-7b-chat"}},
		{merge, []string{"merge pkg:huggingface/gated/secret-model", "merge pkg:huggingface/lora/chat-lora"}},
		{quant, []string{"quantized pkg:huggingface/merge/franken"}},
		{base, nil},
	} {
		obs := collect(t, s, tc.subj)
		var got []string
		for _, e := range obs.Edges {
			got = append(got, string(e.Relation)+" "+e.To.ID())
		}
		slices.Sort(got)
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: edges = %q, want %q", tc.subj, got, tc.want)
		}
	}
}

func TestScanVerdicts(t *testing.T) {
	t.Parallel()
	obs := collect(t, offline(t), merge)
	var got []string
	for _, e := range obs.Evidence {
		if e.Kind == sources.KindScan && e.Attr("file") == "pytorch_model.bin" {
			got = append(got, e.Attr("scanner")+"="+e.Value+" "+e.Attr("imports"))
		}
	}
	slices.Sort(got)
	want := []string{"hub=unsafe ", "pickle_import=unsafe builtins.exec:dangerous"}
	if !slices.Equal(got, want) {
		t.Errorf("scans = %q, want %q", got, want)
	}
}

func TestDataset(t *testing.T) {
	t.Parallel()
	obs := collect(t, offline(t), dataset)
	for _, want := range []struct {
		kind  sources.EvidenceKind
		value string
	}{
		{sources.KindLicense, "cc-by-4.0"}, {sources.KindRepo, "auto"}, {sources.KindCardField, "original"}, {sources.KindCard, "present"},
		{sources.KindFile, "data/train.parquet"},
	} {
		if _, ok := find(obs, want.kind, want.value); !ok {
			t.Errorf("no %s evidence %q", want.kind, want.value)
		}
	}
	if !strings.Contains(obs.Subject.ID(), "?repository_type=dataset") {
		t.Errorf("dataset id %q", obs.Subject.ID())
	}
}

func TestMovedRepository(t *testing.T) {
	t.Parallel()
	obs := collect(t, offline(t), sources.HubModel("acme/old-name", ""))
	e, ok := find(obs, sources.KindMoved, "acme/renamed-model")
	if !ok || e.Attr("from") != "acme/old-name" {
		t.Fatalf("no moved evidence from acme/old-name to acme/renamed-model: %v", obs.Evidence)
	}
	if _, ok := find(obs, sources.KindLicense, "mit"); !ok {
		t.Error("the moved repository's card was not read at its new id")
	}
}

func TestOnlineRedirectAndGated(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	hub.Move("acme/old-name-2", "acme/renamed-model")
	hub.Gate("gated/secret-model")
	s, _ := online(t, hub)

	obs := collect(t, s, sources.HubModel("acme/old-name-2", ""))
	if _, ok := find(obs, sources.KindMoved, "acme/renamed-model"); !ok {
		t.Error("a redirect to another id is not recorded as moved")
	}

	_, err := s.Collect(context.Background(), sources.HubModel("gated/secret-model", ""))
	if !errors.Is(err, sources.ErrUnauthorized) {
		t.Errorf("gated repository: err = %v, want ErrUnauthorized", err)
	}
	_, err = s.Collect(context.Background(), sources.HubModel("nobody/nothing", ""))
	if !errors.Is(err, sources.ErrNotFound) {
		t.Errorf("missing repository: err = %v, want ErrNotFound", err)
	}
}

// TestPartialSnapshot reads a record with only the repository info and
// card, as the shared hub sample holds: what is missing must come back
// as a partial observation, never as facts.
func TestPartialSnapshot(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	rec, err := huggingface.Record(mustSnapshot(t, snap), dir)
	if err != nil {
		t.Fatal(err)
	}
	// Copy only the repository info.
	if _, err := rec.Get(context.Background(), huggingface.Request{Path: "api/models/acme/base-7b-chat"}); err != nil {
		t.Fatal(err)
	}
	d := mustSnapshot(t, dir)
	s := huggingface.New(huggingface.WithStore(d), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses))
	obs, err := s.Collect(context.Background(), chat)
	if obs == nil || err == nil {
		t.Fatalf("Collect = %v, %v; want a partial observation and an error", obs, err)
	}
	if !errors.Is(err, sources.ErrOffline) {
		t.Errorf("err = %v, want ErrOffline", err)
	}
	if _, ok := find(obs, sources.KindCard, "unavailable"); !ok {
		t.Error("a listed README missing from the snapshot must read as unavailable, not absent")
	}
	// The Hub's cardData still gives the declared base.
	if _, ok := find(obs, sources.KindBaseModel, "acme/base-7b"); !ok {
		t.Error("the repository info's cardData was not used for the card's facts")
	}
	if _, ok := find(obs, sources.KindCard, "present"); ok {
		t.Error("cardData must not claim the card was read")
	}
}

func mustSnapshot(t testing.TB, dir string) *huggingface.Dir {
	t.Helper()
	d, err := huggingface.Snapshot(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestRemoteInspection looks inside weight files over HTTP range requests:
// a PyTorch checkpoint whose pickle calls posix.system, a safetensors file
// and a GGUF file naming its base.
func TestRemoteInspection(t *testing.T) {
	t.Parallel()
	hub := hubtest.NewServer(t, snap)
	s, st := online(t, hub)
	obs := collect(t, s, merge)
	verdicts := map[string]sources.Evidence{}
	for _, e := range obs.Evidence {
		if e.Kind == sources.KindArtifact {
			verdicts[e.Attr("file")] = e
		}
	}
	if v := verdicts["pytorch_model.bin"]; v.Value != "dangerous_import" || !strings.Contains(v.Attr("imports"), "posix.system") {
		t.Errorf("pytorch_model.bin: %+v, want a dangerous posix.system import", v)
	}
	if v := verdicts["model.safetensors"]; v.Value != "clean" || v.Attr("tensors") != "1" {
		t.Errorf("model.safetensors: %+v, want clean with 1 tensor", v)
	}
	if f, ok := find(obs, sources.KindFile, "pytorch_model.bin"); !ok || f.Attr("detected_by") != "magic" || f.Attr("format") != "pickle_zip" {
		t.Errorf("pytorch_model.bin file evidence %+v, want pickle_zip by magic", f.Attrs)
	}
	if stats := st.Stats(); stats.RangeRequests == 0 || stats.RangeBytes > 64<<10*4 {
		t.Errorf("range requests %d, %d bytes: want a few small ranges", stats.RangeRequests, stats.RangeBytes)
	}

	q := collect(t, s, quant)
	if b, ok := find(q, sources.KindBaseModel, "merge/franken"); !ok || !slices.ContainsFunc(q.Evidence, func(e sources.Evidence) bool {
		return e.Kind == sources.KindBaseModel && e.Attr("declared_in") == "gguf"
	}) {
		t.Errorf("no base model from the GGUF metadata: %+v", b)
	}

	// A snapshot that holds the weight files gives the same verdicts,
	// read from the directory; with inspection off, none.
	off := collect(t, offline(t), merge)
	for _, e := range off.Evidence {
		if e.Kind == sources.KindArtifact && e.ID != verdicts[e.Attr("file")].ID {
			t.Errorf("offline artifact evidence %+v differs from the online one %+v", e, verdicts[e.Attr("file")])
		}
	}
	d := mustSnapshot(t, snap)
	none := huggingface.New(huggingface.WithStore(d), huggingface.WithInspection(0), huggingface.WithClock(fixed), huggingface.WithLicenseClassifier(licenses))
	for _, e := range collect(t, none, merge).Evidence {
		if e.Kind == sources.KindArtifact {
			t.Errorf("artifact evidence with inspection off: %+v", e)
		}
	}
}
