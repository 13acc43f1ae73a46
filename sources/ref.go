package sources

import (
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/package-url/packageurl-go"
)

// hubNamePart matches one segment of a Hugging Face repository id: letters,
// digits, '-', '_' and '.', at most 96 characters (the Hub's own limit).
var hubNamePart = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$`)

// ValidHubID reports whether id is a well-formed Hugging Face repository id:
// OWNER/NAME, or a bare NAME for the Hub's few owner-less legacy models.
func ValidHubID(id string) bool {
	owner, name, ok := strings.Cut(id, "/")
	if !ok {
		name, owner = owner, ""
	}
	if strings.Contains(name, "/") || strings.Contains(id, "..") || strings.HasSuffix(name, ".") {
		return false
	}
	if ok && !hubNamePart.MatchString(owner) {
		return false
	}
	return hubNamePart.MatchString(name) && !strings.HasSuffix(name, ".git")
}

// RefError is the error ParseRef returns for a reference it cannot read.
type RefError struct {
	Ref    string // the reference as given
	Reason string // what is wrong and what to write instead
}

func (e *RefError) Error() string { return fmt.Sprintf("reference %q: %s", e.Ref, e.Reason) }

// ParseRef turns a reference into a subject. It accepts:
//
//	hf:OWNER/NAME[@REV], https://huggingface.co/OWNER/NAME[/tree/REV]   Hub model
//	hf:datasets/OWNER/NAME[@REV], https://huggingface.co/datasets/...   Hub dataset
//	./dir, ../dir, /abs/dir, file:DIR, file:///abs/dir                  local folder
//	pkg:TYPE/NAMESPACE/NAME@VERSION                                      software package
//	github.com/OWNER/REPO, https://github.com/OWNER/REPO                 code repository
//	OWNER/NAME                                                           Hub model
//
// ParseRef does no I/O: a bare OWNER/NAME is read as a Hub id, as the Hub's
// own tools do; a caller that wants a relative folder of that shape to win
// checks the disk first (the CLI does). Local paths are made absolute.
func ParseRef(ref string) (Subject, error) {
	orig := ref
	ref = strings.TrimSpace(ref)
	bad := func(format string, args ...any) (Subject, error) {
		return Subject{}, &RefError{Ref: orig, Reason: fmt.Sprintf(format, args...)}
	}
	switch {
	case ref == "":
		return bad("empty reference")
	case strings.ContainsAny(ref, "\x00\n\r") || !utf8.ValidString(ref):
		return bad("contains a control character or invalid UTF-8")
	case strings.HasPrefix(ref, "hf:"):
		return parseHub(orig, strings.TrimPrefix(ref, "hf:"), "@")
	case strings.HasPrefix(ref, "file:"):
		p := strings.TrimPrefix(ref, "file:")
		if strings.HasPrefix(p, "//") {
			u, err := url.Parse(ref)
			if err != nil || (u.Host != "" && u.Host != "localhost") {
				return bad("a file URL must name a local path, as file:///abs/dir or file:dir")
			}
			p = u.Path
		}
		if p == "" {
			return bad("file: needs a folder, as file:./model")
		}
		return LocalFolder(filepath.FromSlash(p), orig)
	case strings.HasPrefix(ref, "pkg:"):
		return parsePURL(orig, ref)
	case isPath(ref):
		return LocalFolder(ref, orig)
	}
	if rest, ok := cutURLHost(ref, "huggingface.co", "hf.co"); ok {
		return parseHubURL(orig, rest)
	}
	if rest, ok := cutURLHost(ref, "github.com"); ok {
		return parseGitHub(orig, rest)
	}
	if strings.Contains(ref, "://") {
		return bad("unsupported URL; use a huggingface.co or github.com URL, hf:OWNER/NAME, pkg:TYPE/NAME or a folder path")
	}
	return parseHub(orig, ref, "@")
}

// isPath reports whether ref can only be read as a file system path.
func isPath(ref string) bool {
	return ref == "." || ref == ".." || strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "../") ||
		strings.HasPrefix(ref, "/") || strings.HasPrefix(ref, "~/") || strings.HasPrefix(ref, `.\`) ||
		strings.Count(ref, "/") > 1 && !strings.Contains(ref, "://") && !strings.HasPrefix(ref, "datasets/") &&
			!strings.HasPrefix(ref, "github.com/") && !strings.HasPrefix(ref, "huggingface.co/") && !strings.HasPrefix(ref, "hf.co/")
}

// cutURLHost returns the path after host if ref is a URL (or scheme-less
// URL) on one of hosts.
func cutURLHost(ref string, hosts ...string) (string, bool) {
	s := ref
	for _, scheme := range []string{"https://", "http://"} {
		if strings.HasPrefix(strings.ToLower(s), scheme) {
			s = s[len(scheme):]
			break
		}
	}
	s = strings.TrimPrefix(s, "www.")
	for _, h := range hosts {
		if len(s) > len(h) && strings.EqualFold(s[:len(h)], h) && s[len(h)] == '/' {
			rest := s[len(h)+1:]
			if i := strings.IndexAny(rest, "?#"); i >= 0 {
				rest = rest[:i]
			}
			return strings.TrimSuffix(rest, "/"), true
		}
	}
	return "", false
}

func parseHub(orig, id, revSep string) (Subject, error) {
	dataset := false
	if rest, ok := strings.CutPrefix(id, "datasets/"); ok {
		dataset, id = true, rest
	} else if rest, ok := strings.CutPrefix(id, "models/"); ok {
		id = rest
	}
	id, rev, hasRev := strings.Cut(id, revSep)
	if hasRev && rev == "" {
		return Subject{}, &RefError{Ref: orig, Reason: "empty revision after @"}
	}
	if !ValidHubID(id) {
		return Subject{}, &RefError{Ref: orig, Reason: "not a Hugging Face id; write OWNER/NAME with letters, digits, '-', '_' or '.' (a local folder needs ./ in front)"}
	}
	if dataset {
		s := HubDataset(id, rev)
		s.Ref = orig
		return s, nil
	}
	s := HubModel(id, rev)
	s.Ref = orig
	return s, nil
}

// parseHubURL reads the path of a huggingface.co URL:
// OWNER/NAME[/tree|blob|resolve|commit/REV[/...]] and datasets/OWNER/NAME[...].
func parseHubURL(orig, p string) (Subject, error) {
	parts := strings.Split(p, "/")
	prefix := ""
	if len(parts) > 0 && (parts[0] == "datasets" || parts[0] == "models") {
		prefix, parts = parts[0]+"/", parts[1:]
	}
	if len(parts) > 0 && parts[0] == "spaces" {
		return Subject{}, &RefError{Ref: orig, Reason: "Hugging Face Spaces are not supported; name a model or dataset"}
	}
	if len(parts) < 2 {
		return Subject{}, &RefError{Ref: orig, Reason: "a huggingface.co URL needs OWNER/NAME"}
	}
	id := parts[0] + "/" + parts[1]
	rev := ""
	if len(parts) >= 4 {
		switch parts[2] {
		case "tree", "blob", "resolve", "commit":
			r, err := url.PathUnescape(parts[3])
			if err != nil {
				return Subject{}, &RefError{Ref: orig, Reason: "bad revision escape in URL"}
			}
			rev = r
		}
	}
	ref := prefix + id
	if rev != "" {
		ref += "\x00" + rev
	}
	s, err := parseHub(orig, ref, "\x00")
	return s, err
}

func parseGitHub(orig, p string) (Subject, error) {
	parts := strings.Split(p, "/")
	if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
		return Subject{}, &RefError{Ref: orig, Reason: "a GitHub reference needs OWNER/REPO, as github.com/OWNER/REPO"}
	}
	owner, repo := parts[0], strings.TrimSuffix(parts[1], ".git")
	if !hubNamePart.MatchString(owner) || !hubNamePart.MatchString(repo) {
		return Subject{}, &RefError{Ref: orig, Reason: "GitHub owner and repository names take letters, digits, '-', '_' and '.'"}
	}
	pu := packageurl.NewPackageURL("github", strings.ToLower(owner), strings.ToLower(repo), "", nil, "")
	return Subject{Kind: SubjectRepository, Ref: orig, PURL: pu.ToString()}, nil
}

func parsePURL(orig, ref string) (Subject, error) {
	pu, err := packageurl.FromString(ref)
	if err != nil {
		return Subject{}, &RefError{Ref: orig, Reason: "not a valid Package URL: " + err.Error()}
	}
	if pu.Name == "" {
		return Subject{}, &RefError{Ref: orig, Reason: "a Package URL needs a name"}
	}
	switch pu.Type {
	case "huggingface":
		id := pu.Name
		if pu.Namespace != "" {
			id = pu.Namespace + "/" + pu.Name
		}
		if !ValidHubID(id) {
			return Subject{}, &RefError{Ref: orig, Reason: "not a Hugging Face id"}
		}
		s := HubModel(id, pu.Version)
		if pu.Qualifiers.Map()["repository_type"] == "dataset" {
			s = HubDataset(id, pu.Version)
		}
		s.Ref = orig
		return s, nil
	case "github":
		return parseGitHub(orig, pu.Namespace+"/"+pu.Name)
	}
	version := pu.Version
	pu.Version = ""
	pu.Subpath = ""
	return Subject{Kind: SubjectPackage, Ref: orig, PURL: pu.ToString(), Revision: version}, nil
}
