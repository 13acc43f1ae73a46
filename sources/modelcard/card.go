package modelcard

import (
	"bytes"
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"
)

// CardFile is the conventional name of a model or dataset card.
const CardFile = "README.md"

// Card is a parsed model or dataset card: README.md with YAML metadata
// between a first line "---" and the next line "---", then Markdown.
//
// List fields keep the order written, without duplicates and without empty
// or null entries. A field given as one value where a list is usual (or a
// list where one value is usual) is read either way. Numbers and booleans
// are kept as their text. Fields not listed here are ignored.
type Card struct {
	// License holds the license values as written (usually one).
	License []string
	// LicenseName and LicenseLink qualify a license "other".
	LicenseName string
	LicenseLink string
	// BaseModels are the declared base models, as written.
	BaseModels []string
	// BaseModelRelation is the declared relation to the base models, as
	// written (adapter, merge, quantized, finetune); "" when not declared.
	BaseModelRelation string
	// Datasets are the declared training datasets, as written.
	Datasets []string
	// Repositories are the code repositories the metadata links (repo,
	// repository, github, code, code_repository), as written.
	Repositories []string
	// SourceDatasets are a dataset card's source_datasets, as written
	// ("original", "extended|squad", ...).
	SourceDatasets []string
	// Tags are the card's tags.
	Tags []string
	// Languages are the declared languages.
	Languages []string
	// PipelineTag, LibraryName and NewVersion are the fields of those names.
	PipelineTag string
	LibraryName string
	NewVersion  string
	// ModelName is model_name, or else the name of the first model-index
	// entry; "" when neither is given.
	ModelName string

	// HasMetadata reports whether the card has a front matter block.
	HasMetadata bool
	// MetadataLine is the line of the README on which the YAML starts (the
	// line after the opening "---"), 0 without front matter.
	MetadataLine int
	// Body is the Markdown after the front matter (the whole text when
	// there is none), without a leading byte order mark.
	Body string
	// BodyLine is the line of the README on which Body starts.
	BodyLine int
	// RemoteCodeLine is the first line of the README that tells users to
	// pass trust_remote_code=True (in code or as YAML), 0 when none does.
	RemoteCodeLine int
}

// remoteCode matches an instruction to load with custom code enabled.
var remoteCode = regexp.MustCompile(`trust_remote_code\s*[=:]\s*(?:True|true)\b`)

// ParseCard parses a model or dataset card.
//
// A card without front matter is a card with empty metadata. A byte order
// mark, CRLF line ends and blank lines before the opening "---" are
// accepted; an opening "---" that is never closed is read as Markdown, as the
// Hub reads it. When the metadata does not parse, ParseCard returns the card
// with its body but no metadata, together with a *SyntaxError whose line is
// the README's.
func ParseCard(data []byte) (*Card, error) {
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	c := &Card{Body: string(data), BodyLine: 1}
	fmStart, fmEnd, bodyStart, openLine, closeLine := frontMatter(data)
	if fmStart < 0 {
		c.RemoteCodeLine = remoteCodeLine(data, 1)
		return c, nil
	}
	c.HasMetadata = true
	c.MetadataLine = openLine + 1
	c.Body = string(data[bodyStart:])
	c.BodyLine = closeLine + 1
	c.RemoteCodeLine = remoteCodeLine(data, 1)

	m, err := parseYAML(CardFile, c.MetadataLine, data[fmStart:fmEnd])
	if err != nil {
		return c, err
	}
	c.readMetadata(m)
	return c, nil
}

// ParseCardMetadata reads card metadata given on its own rather than as a
// README's front matter: the Hub's cardData, a JSON object, or a YAML
// mapping. file names the data in errors. The card has no body.
func ParseCardMetadata(file string, data []byte) (*Card, error) {
	c := &Card{HasMetadata: true, MetadataLine: 1, BodyLine: 1}
	m, err := parseYAML(file, 1, data)
	if err != nil {
		return c, err
	}
	c.readMetadata(m)
	return c, nil
}

// readMetadata fills c from the front matter mapping m.
func (c *Card) readMetadata(m *yaml.Node) {
	var modelIndexName string
	fields(m, func(key string, v *yaml.Node) {
		switch key {
		case "license":
			c.License = strs(v)
		case "license_name":
			c.LicenseName = first(v)
		case "license_link":
			c.LicenseLink = first(v)
		case "base_model":
			c.BaseModels = strs(v)
		case "base_model_relation":
			c.BaseModelRelation = first(v)
		case "datasets":
			c.Datasets = strs(v)
		case "source_datasets":
			c.SourceDatasets = strs(v)
		case "repo", "repository", "github", "code", "code_repository":
			c.Repositories = append(c.Repositories, strs(v)...)
		case "tags":
			c.Tags = strs(v)
		case "language":
			c.Languages = strs(v)
		case "pipeline_tag":
			c.PipelineTag = first(v)
		case "library_name":
			c.LibraryName = first(v)
		case "new_version":
			c.NewVersion = first(v)
		case "model_name":
			c.ModelName = first(v)
		case "model-index":
			if v != nil && v.Kind == yaml.SequenceNode && len(v.Content) > 0 {
				modelIndexName = scalar(lookup(resolve(v.Content[0]), "name"))
			}
		}
	})
	if c.ModelName == "" {
		c.ModelName = modelIndexName
	}
}

// first returns the first value of a scalar or list node.
func first(n *yaml.Node) string {
	if ss := strs(n); len(ss) > 0 {
		return ss[0]
	}
	return ""
}

// frontMatter finds the YAML front matter of data. It returns the byte
// range of the YAML text, the start of the body, and the 1-based lines of
// the opening and closing "---"; fmStart is -1 when there is none.
func frontMatter(data []byte) (fmStart, fmEnd, bodyStart, openLine, closeLine int) {
	line, pos := 1, 0
	opened := false
	for pos < len(data) {
		end := bytes.IndexByte(data[pos:], '\n')
		next := len(data)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(data)
		}
		text := strings.TrimRight(string(data[pos:end]), " \t\r")
		switch {
		case !opened && text == "":
			// blank lines before the front matter are allowed
		case !opened && text == "---":
			opened, openLine, fmStart = true, line, next
		case !opened:
			return -1, 0, 0, 0, 0
		case text == "---":
			return fmStart, pos, next, openLine, line
		}
		line++
		pos = next
	}
	return -1, 0, 0, 0, 0
}

// remoteCodeLine returns the line (counting from firstLine) of the first
// trust_remote_code=True in data, or 0.
func remoteCodeLine(data []byte, firstLine int) int {
	loc := remoteCode.FindIndex(data)
	if loc == nil {
		return 0
	}
	return firstLine + bytes.Count(data[:loc[0]], []byte("\n"))
}
