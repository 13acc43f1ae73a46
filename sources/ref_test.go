package sources_test

import (
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strings"
	"testing"

	"github.com/pedigree-ai/pedigree/sources"
)

func TestParseRef(t *testing.T) {
	t.Parallel()
	abs := func(p string) string {
		a, err := filepath.Abs(p)
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	tests := []struct {
		ref  string
		kind sources.SubjectKind
		id   string // Subject.ID()
	}{
		{"hf:meta-llama/Llama-2-7b-hf", sources.SubjectModel, "pkg:huggingface/meta-llama/Llama-2-7b-hf"},
		{"hf:meta-llama/Llama-2-7b-hf@main", sources.SubjectModel, "pkg:huggingface/meta-llama/Llama-2-7b-hf@main"},
		{"hf:gpt2", sources.SubjectModel, "pkg:huggingface/gpt2"},
		{"meta-llama/Llama-2-7b-hf", sources.SubjectModel, "pkg:huggingface/meta-llama/Llama-2-7b-hf"},
		{"hf:org/m@refs/pr/1", sources.SubjectModel, "pkg:huggingface/org/m@refs%2Fpr%2F1"},
		{"https://huggingface.co/google/gemma-7b", sources.SubjectModel, "pkg:huggingface/google/gemma-7b"},
		{"https://huggingface.co/google/gemma-7b/tree/abc123", sources.SubjectModel, "pkg:huggingface/google/gemma-7b@abc123"},
		{"https://huggingface.co/google/gemma-7b/blob/main/README.md", sources.SubjectModel, "pkg:huggingface/google/gemma-7b@main"},
		{"huggingface.co/google/gemma-7b/", sources.SubjectModel, "pkg:huggingface/google/gemma-7b"},
		{"hf:datasets/tatsu-lab/alpaca", sources.SubjectDataset, "pkg:huggingface/tatsu-lab/alpaca?repository_type=dataset"},
		{"hf:datasets/tatsu-lab/alpaca@v1", sources.SubjectDataset, "pkg:huggingface/tatsu-lab/alpaca@v1?repository_type=dataset"},
		{"https://huggingface.co/datasets/tatsu-lab/alpaca", sources.SubjectDataset, "pkg:huggingface/tatsu-lab/alpaca?repository_type=dataset"},
		{"pkg:huggingface/microsoft/phi-2@abc", sources.SubjectModel, "pkg:huggingface/microsoft/phi-2@abc"},
		{"pkg:huggingface/org/ds?repository_type=dataset", sources.SubjectDataset, "pkg:huggingface/org/ds?repository_type=dataset"},
		{"pkg:pypi/torch@2.3.0", sources.SubjectPackage, "pkg:pypi/torch@2.3.0"},
		{"pkg:npm/%40scope/pkg@1.0.0", sources.SubjectPackage, "pkg:npm/%40scope/pkg@1.0.0"},
		{"pkg:github/Org/Repo", sources.SubjectRepository, "pkg:github/org/repo"},
		{"github.com/huggingface/transformers", sources.SubjectRepository, "pkg:github/huggingface/transformers"},
		{"https://github.com/huggingface/transformers.git", sources.SubjectRepository, "pkg:github/huggingface/transformers"},
		{"https://github.com/huggingface/transformers/tree/main/src", sources.SubjectRepository, "pkg:github/huggingface/transformers"},
		{"./model", sources.SubjectModel, sources.FileURL(abs("model"))},
		{"../x/y/z", sources.SubjectModel, sources.FileURL(abs("../x/y/z"))},
		{"/abs/dir", sources.SubjectModel, "file:///abs/dir"},
		{"file:models/x", sources.SubjectModel, sources.FileURL(abs("models/x"))},
		{"file:///abs/dir%20x", sources.SubjectModel, "file:///abs/dir%20x"},
		{"testdata/models/a", sources.SubjectModel, sources.FileURL(abs("testdata/models/a"))},
	}
	for _, tc := range tests {
		t.Run(tc.ref, func(t *testing.T) {
			s, err := sources.ParseRef(tc.ref)
			if err != nil {
				t.Fatalf("ParseRef: %v", err)
			}
			if s.Kind != tc.kind || s.ID() != tc.id || s.Ref != tc.ref {
				t.Errorf("got kind %s id %s ref %s; want %s %s %s", s.Kind, s.ID(), s.Ref, tc.kind, tc.id, tc.ref)
			}
		})
	}
}

func TestParseRefErrors(t *testing.T) {
	t.Parallel()
	for _, ref := range []string{
		"", "   ", "hf:", "hf:a/b/c", "hf:bad id", "hf:org/m@", "hf:../etc", "hf:-x/y",
		"https://huggingface.co/", "https://huggingface.co/spaces/a/b", "https://example.com/x",
		"github.com/onlyowner", "pkg:", "pkg:pypi", "file:", "hf:a\x00b", "ftp://x/y",
	} {
		t.Run(ref, func(t *testing.T) {
			_, err := sources.ParseRef(ref)
			var re *sources.RefError
			if !errors.As(err, &re) {
				t.Fatalf("ParseRef(%q) = %v, want a *RefError", ref, err)
			}
			if !strings.Contains(err.Error(), "reference") {
				t.Errorf("error %q does not name the reference", err)
			}
		})
	}
}

func TestSubjectIdentity(t *testing.T) {
	t.Parallel()
	s := sources.HubModel("org/m", "")
	if id, ok := s.HubID(); !ok || id != "org/m" {
		t.Errorf("HubID = %q, %v", id, ok)
	}
	s.Revision = "0123456789abcdef0123456789abcdef01234567"
	if s.ID() != "pkg:huggingface/org/m@0123456789abcdef0123456789abcdef01234567" {
		t.Errorf("ID = %s", s.ID())
	}
	if _, ok := (sources.Subject{PURL: "pkg:pypi/torch"}).HubID(); ok {
		t.Error("HubID of a pypi package")
	}
}

func TestEvidenceIDsAreStable(t *testing.T) {
	t.Parallel()
	o := sources.Origin{Source: "s", Locator: "/x"}
	a := sources.NewEvidence("subj", sources.KindLicense, "mit", map[string]string{"a": "1", "b": "2"}, o)
	o.Digest = "sha256:00"
	b := sources.NewEvidence("subj", sources.KindLicense, "mit", map[string]string{"b": "2", "a": "1"}, o)
	if a.ID != b.ID || !strings.HasPrefix(a.ID, "ev-") {
		t.Errorf("IDs %s and %s differ", a.ID, b.ID)
	}
	c := sources.NewEvidence("subj", sources.KindLicense, "apache-2.0", nil, o)
	if c.ID == a.ID {
		t.Error("different values share an ID")
	}
}

func TestCategory(t *testing.T) {
	t.Parallel()
	s := sources.HubModel("o/m", "")
	for want, err := range map[string]error{
		"not_found":    sources.Errorf("x", s, "get", sources.ErrNotFound),
		"unauthorized": sources.Errorf("x", s, "get", sources.ErrUnauthorized),
		"rate_limited": sources.ErrRateLimited,
		"unavailable":  fmt.Errorf("%w: HTTP 503", sources.ErrUnavailable),
		"error":        errors.New("boom"),
	} {
		if got := sources.Category(err); got != want {
			t.Errorf("Category(%v) = %s, want %s", err, got, want)
		}
	}
}

func TestMux(t *testing.T) {
	t.Parallel()
	a := sources.Func{SourceName: "a", Supported: func(s sources.Subject) bool { return s.Local() }}
	b := sources.Func{SourceName: "b"}
	m, err := sources.NewMux(a, b)
	if err != nil {
		t.Fatal(err)
	}
	if got := len(m.For(sources.HubModel("o/m", ""))); got != 1 {
		t.Errorf("For(hub) = %d sources, want 1", got)
	}
	if _, err := sources.NewMux(a, a); err == nil {
		t.Error("duplicate names accepted")
	}
	if _, err := sources.NewMux(nil); err == nil {
		t.Error("nil source accepted")
	}
}

// FuzzParseRef checks that no input panics and that every accepted
// reference has an identity that parses back to the same subject.
func FuzzParseRef(f *testing.F) {
	for _, seed := range []string{"hf:org/m@main", "https://huggingface.co/datasets/a/b/tree/x", "./m", "pkg:pypi/torch@2.3.0",
		"github.com/a/b", "file:///x", "org/m", "hf:datasets/a/b", "pkg:huggingface/a/b?repository_type=dataset", "%", "hf:a@b@c", "0@\u018b"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, ref string) {
		s, err := sources.ParseRef(ref)
		if err != nil {
			return
		}
		if s.IsZero() || s.ID() == "" {
			t.Fatalf("ParseRef(%q) accepted an empty subject", ref)
		}
		if s.Local() {
			return
		}
		back, err := sources.ParseRef(s.ID())
		if err != nil {
			t.Fatalf("ID %q of %q does not parse: %v", s.ID(), ref, err)
		}
		// The PURL spec lower-cases Hugging Face versions (commit hashes),
		// and lower-casing may change a character's escaped bytes.
		b, _ := url.PathUnescape(back.ID())
		o, _ := url.PathUnescape(s.ID())
		if !strings.EqualFold(b, o) || back.Kind != s.Kind {
			t.Fatalf("ID %q of %q parses to %q (%s)", s.ID(), ref, back.ID(), back.Kind)
		}
	})
}
