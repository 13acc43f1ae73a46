package sources

import (
	"net/url"
	"path/filepath"
	"strings"
)

// SubjectKind says what a subject is.
type SubjectKind string

// Subject kinds.
const (
	SubjectModel      SubjectKind = "model"
	SubjectDataset    SubjectKind = "dataset"
	SubjectPackage    SubjectKind = "package"
	SubjectRepository SubjectKind = "repository"
)

// Subject is one thing whose supply-chain risk is assessed: a model, a
// dataset, a software package or a code repository.
//
// A Subject is a small comparable value. Exactly one of PURL and Path is set:
// PURL for things identified by a Package URL, Path for a folder on disk.
type Subject struct {
	// Kind is what the subject is.
	Kind SubjectKind `json:"kind"`
	// Ref is the reference as a user or a model card wrote it, such as
	// "hf:meta-llama/Llama-2-7b-hf" or "../base". It is for display only.
	Ref string `json:"ref"`
	// PURL is the canonical Package URL without a version
	// (pkg:huggingface/meta-llama/Llama-2-7b-hf, pkg:pypi/torch), with
	// qualifiers such as repository_type=dataset. Empty for local folders.
	PURL string `json:"purl,omitempty"`
	// Path is the absolute, cleaned path of a local folder. Empty otherwise.
	Path string `json:"path,omitempty"`
	// Revision is the requested revision (a branch, tag or commit) before
	// assessment, and the resolved commit after it. Empty means the default
	// branch, or for a package its unversioned name.
	Revision string `json:"revision,omitempty"`
}

// ID is the subject's identity in reports: the canonical PURL with its
// revision as the PURL version (pkg:huggingface/OWNER/NAME@REV, datasets with
// ?repository_type=dataset), or a file:// URL for a local folder.
func (s Subject) ID() string {
	if s.Path != "" {
		return FileURL(s.Path)
	}
	if s.Revision == "" {
		return s.PURL
	}
	base, quals, _ := strings.Cut(s.PURL, "?")
	id := base + "@" + strings.ReplaceAll(url.PathEscape(s.Revision), "@", "%40")
	if quals != "" {
		id += "?" + quals
	}
	return id
}

// IsZero reports whether s is the zero Subject.
func (s Subject) IsZero() bool { return s == Subject{} }

// Local reports whether s is a folder on disk.
func (s Subject) Local() bool { return s.Path != "" }

// String returns the user-facing reference, or the ID when there is none.
func (s Subject) String() string {
	if s.Ref != "" {
		return s.Ref
	}
	return s.ID()
}

// HubID returns OWNER/NAME (or NAME for the Hub's few owner-less models) of
// a Hugging Face subject, and false for any other subject.
func (s Subject) HubID() (string, bool) {
	const prefix = "pkg:huggingface/"
	if !strings.HasPrefix(s.PURL, prefix) {
		return "", false
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(s.PURL, prefix), "?")
	return id, true
}

// FileURL returns the file:// URL of an absolute path.
func FileURL(path string) string {
	u := url.URL{Scheme: "file", Path: filepath.ToSlash(path)}
	return u.String()
}

// HubModel returns the subject of the Hugging Face model OWNER/NAME (or a
// bare NAME) at rev. It does not check id; use [ParseRef] for user input.
func HubModel(id, rev string) Subject {
	return Subject{Kind: SubjectModel, Ref: "hf:" + id, PURL: "pkg:huggingface/" + id, Revision: rev}
}

// HubDataset returns the subject of the Hugging Face dataset OWNER/NAME at rev.
func HubDataset(id, rev string) Subject {
	return Subject{Kind: SubjectDataset, Ref: "hf:datasets/" + id, PURL: "pkg:huggingface/" + id + "?repository_type=dataset", Revision: rev}
}

// LocalFolder returns the subject of the model folder at path, which is made
// absolute and cleaned. ref is kept for display; when empty, path is used.
func LocalFolder(path, ref string) (Subject, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return Subject{}, err
	}
	if ref == "" {
		ref = path
	}
	return Subject{Kind: SubjectModel, Ref: ref, Path: abs}, nil
}
