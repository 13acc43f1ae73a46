package huggingface

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// repoInfo is the part of the body of GET /api/models/{id} (or
// /api/datasets/{id}) the source reads. Fields the Hub may leave out are
// pointers or raw values, so that absent and zero differ.
type repoInfo struct {
	ID           string          `json:"id"`
	Author       string          `json:"author"`
	SHA          string          `json:"sha"`
	LastModified string          `json:"lastModified"`
	CreatedAt    string          `json:"createdAt"`
	Private      *bool           `json:"private"`
	Gated        json.RawMessage `json:"gated"`
	Disabled     *bool           `json:"disabled"`
	Downloads    *int64          `json:"downloads"`
	Likes        *int64          `json:"likes"`
	LibraryName  string          `json:"library_name"`
	PipelineTag  string          `json:"pipeline_tag"`
	Tags         []string        `json:"tags"`
	CardData     json.RawMessage `json:"cardData"`
	Siblings     []sibling       `json:"siblings"`
	Config       json.RawMessage `json:"config"`
	AuthorData   *authorData     `json:"authorData"`
	GGUF         *ggufInfo       `json:"gguf"`
}

// ggufInfo is the Hub's summary of a repository's GGUF files.
type ggufInfo struct {
	Architecture  string `json:"architecture"`
	ContextLength *int64 `json:"context_length"`
	Total         *int64 `json:"total"`
}

// sibling is one file of a repository as the repository info lists it.
type sibling struct {
	RFilename string `json:"rfilename"`
	Size      *int64 `json:"size"`
	BlobID    string `json:"blobId"`
	LFS       *lfs   `json:"lfs"`
}

// authorData describes the publishing account, when the Hub includes it.
type authorData struct {
	Name         string `json:"name"`
	Fullname     string `json:"fullname"`
	Type         string `json:"type"`
	IsVerified   *bool  `json:"isVerified"`
	IsEnterprise *bool  `json:"isEnterprise"`
}

// lfs describes a file stored with Git LFS.
type lfs struct {
	OID  string `json:"oid"` // sha256 hex of the content
	Size int64  `json:"size"`
}

// treeEntry is one item of GET /api/models/{id}/tree/{rev}?recursive=true&expand=true.
type treeEntry struct {
	Type       string      `json:"type"`
	OID        string      `json:"oid"`
	Path       string      `json:"path"`
	Size       *int64      `json:"size"`
	LFS        *lfs        `json:"lfs"`
	LastCommit *lastCommit `json:"lastCommit"`
	Security   *security   `json:"securityFileStatus"`
}

// lastCommit is the last commit that touched a tree entry.
type lastCommit struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Date  string `json:"date"`
}

// security is the Hub's security-scan status of one file.
type security struct {
	Status        string `json:"status"`
	AVScan        *scan  `json:"avScan"`
	PickleImport  *scan  `json:"pickleImportScan"`
	ProtectAIScan *scan  `json:"protectAiScan"`
	JFrogScan     *scan  `json:"jFrogScan"`
}

// scan is the verdict of one scanner.
type scan struct {
	Status        string         `json:"status"`
	Message       string         `json:"message"`
	PickleImports []pickleImport `json:"pickleImports"`
	VirusFound    *bool          `json:"virusFound"`
	VirusNames    []string       `json:"virusNames"`
}

// pickleImport is one global a pickle imports, with the scanner's rating.
type pickleImport struct {
	Module string `json:"module"`
	Name   string `json:"name"`
	Safety string `json:"safety"`
}

// commit is one item of GET /api/models/{id}/commits/{rev}.
type commit struct {
	ID      string         `json:"id"`
	Title   string         `json:"title"`
	Message string         `json:"message"`
	Date    string         `json:"date"`
	Authors []commitAuthor `json:"authors"`
	Files   []string       `json:"files"`
}

// commitAuthor is an author of a commit.
type commitAuthor struct {
	User string `json:"user"`
}

// parseRepoInfo reads a repository info body.
func parseRepoInfo(data []byte) (*repoInfo, error) {
	var ri repoInfo
	if err := decode(data, &ri); err != nil {
		return nil, err
	}
	return &ri, nil
}

// parseTree reads a tree listing body.
func parseTree(data []byte) ([]treeEntry, error) {
	var t []treeEntry
	if err := decode(data, &t); err != nil {
		return nil, err
	}
	return t, nil
}

// parseCommits reads a commit listing body.
func parseCommits(data []byte) ([]commit, error) {
	var c []commit
	if err := decode(data, &c); err != nil {
		return nil, err
	}
	return c, nil
}

// decode unmarshals JSON, saying where it went wrong in terms a reader of
// the body can find: the byte offset and line of a syntax error, the field
// of a type error.
func decode(data []byte, v any) error {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	if len(bytes.TrimSpace(data)) == 0 {
		return errors.New("empty body where JSON was expected")
	}
	err := json.Unmarshal(data, v)
	if err == nil {
		return nil
	}
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case strings.Contains(err.Error(), "unexpected end of JSON input"):
		return fmt.Errorf("truncated JSON: the body ends after %d bytes", len(data))
	case errors.As(err, &se):
		return fmt.Errorf("invalid JSON at line %d (byte %d): %v", lineOf(data, se.Offset), se.Offset, se)
	case errors.As(err, &te):
		field := te.Field
		if field == "" {
			field = "the top level"
		}
		return fmt.Errorf("field %s: a JSON %s where %s was expected (line %d)", field, te.Value, typeName(te.Type.String()), lineOf(data, te.Offset))
	}
	return err
}

// typeName describes a Go type in JSON terms.
func typeName(t string) string {
	switch {
	case strings.HasPrefix(t, "[]"):
		return "an array"
	case t == "string" || t == "*string":
		return "a string"
	case strings.Contains(t, "int") || strings.Contains(t, "float"):
		return "a number"
	case strings.Contains(t, "bool"):
		return "a boolean"
	}
	return "an object"
}

// lineOf returns the 1-based line of byte offset off in data.
func lineOf(data []byte, off int64) int {
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	if off < 0 {
		off = 0
	}
	return bytes.Count(data[:off], []byte("\n")) + 1
}

// gatedValue reads the Hub's gated field: false, "auto" or "manual" (true
// on some old records). It returns "" when the field is absent or of no
// known shape.
func gatedValue(raw json.RawMessage) string {
	s := strings.TrimSpace(string(raw))
	switch s {
	case "", "null":
		return ""
	case "false":
		return "false"
	case "true":
		return "true"
	}
	var v string
	if err := json.Unmarshal(raw, &v); err == nil {
		return strings.ToLower(strings.TrimSpace(v))
	}
	return ""
}

// baseModelTag reads a Hub tag "base_model:<relation>:<id>" or
// "base_model:<id>". ok is false for other tags.
func baseModelTag(tag string) (relation, id string, ok bool) {
	rest, found := strings.CutPrefix(tag, "base_model:")
	if !found || rest == "" {
		return "", "", false
	}
	if rel, id, two := strings.Cut(rest, ":"); two {
		return rel, id, id != ""
	}
	return "", rest, true
}

// formatInt formats an optional count.
func formatInt(n *int64) string {
	if n == nil {
		return ""
	}
	return strconv.FormatInt(*n, 10)
}

// formatBool formats an optional flag.
func formatBool(b *bool) string {
	if b == nil {
		return ""
	}
	return strconv.FormatBool(*b)
}
