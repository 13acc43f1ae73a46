package local

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/artifact"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
	"github.com/pedigree-ai/pedigree/sources/modelcard"
)

// Name is the source's name in origins and statuses.
const Name = "local"

// Default limits.
const (
	DefaultMaxFiles    = 100_000
	DefaultMaxFileSize = 16 << 20
)

// Source reads model folders on disk. It is safe for concurrent use.
type Source struct {
	classifier *licensetext.Classifier
	clock      func() time.Time
	// fingerprints are the known base architectures; fpErr is set when
	// the embedded table does not parse, which its tests rule out.
	fingerprints []modelcard.Fingerprint
	fpErr        error
	maxFiles     int
	maxFileSize  int64
	// inspectBudget bounds the bytes read to inspect one weight file.
	inspectBudget int64
}

// Option configures a Source.
type Option func(*Source)

// WithLicenseClassifier makes the source classify LICENSE files with c, so
// that several sources (or several runs) share one classifier and its
// cache. By default each Source creates its own.
func WithLicenseClassifier(c *licensetext.Classifier) Option {
	return func(s *Source) {
		if c != nil {
			s.classifier = c
		}
	}
}

// WithClock sets the clock that stamps Origin.RetrievedAt; time.Now by
// default.
func WithClock(now func() time.Time) Option {
	return func(s *Source) {
		if now != nil {
			s.clock = now
		}
	}
}

// WithMaxFiles bounds how many files of a folder are inventoried (default
// DefaultMaxFiles). A folder with more is still read; the files past the
// limit are left out and a file_error evidence says so. n < 1 keeps the
// default.
func WithMaxFiles(n int) Option {
	return func(s *Source) {
		if n > 0 {
			s.maxFiles = n
		}
	}
}

// WithMaxFileSize bounds the size of the metadata files read whole (card,
// configs, license; default DefaultMaxFileSize). A larger one is reported as
// a file_error. n < 1 keeps the default.
func WithMaxFileSize(n int64) Option {
	return func(s *Source) {
		if n > 0 {
			s.maxFileSize = n
		}
	}
}

// WithInspectBudget bounds how many bytes of each weight file are read to
// inspect it (pickle imports, safetensors and GGUF headers, zip
// directories); default artifact.DefaultBudget. n < 1 keeps the default.
func WithInspectBudget(n int64) Option {
	return func(s *Source) {
		if n > 0 {
			s.inspectBudget = n
		}
	}
}

// New returns a local folder source.
func New(opts ...Option) *Source {
	s := &Source{clock: time.Now, maxFiles: DefaultMaxFiles, maxFileSize: DefaultMaxFileSize, inspectBudget: artifact.DefaultBudget}
	for _, o := range opts {
		o(s)
	}
	if s.classifier == nil {
		s.classifier = licensetext.New()
	}
	s.fingerprints, s.fpErr = modelcard.Fingerprints()
	return s
}

// Name implements [sources.Source]; it returns "local".
func (s *Source) Name() string { return Name }

// Supports implements [sources.Source]: it supports every local folder
// subject (Path set) but code repositories, which are not laid out as
// models.
func (s *Source) Supports(subj sources.Subject) bool {
	return subj.Path != "" && subj.Kind != sources.SubjectRepository
}

// Collect implements [sources.Source]. It reads the folder at subj.Path as
// a Hugging Face repository is laid out. See the package documentation for
// what it emits.
func (s *Source) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	fail := func(err error) (*sources.Observation, error) {
		return nil, sources.Errorf(Name, subj, "read folder", err)
	}
	if subj.Path == "" {
		return fail(fmt.Errorf("%w: not a local folder subject; give a folder path", sources.ErrUnsupported))
	}
	if s.fpErr != nil {
		return fail(s.fpErr)
	}
	root := filepath.Clean(subj.Path)
	info, err := os.Stat(root)
	switch {
	case err != nil:
		return fail(classify(err))
	case !info.IsDir():
		return fail(fmt.Errorf("%w: %s is a file, not a folder; give the model's folder", sources.ErrUnsupported, root))
	}

	c := &collector{src: s, subj: subj, sid: subj.ID(), root: root, now: s.clock().UTC()}
	if err := c.walk(ctx); err != nil {
		if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
			return nil, err
		}
		return fail(classify(err))
	}
	if !c.isModelFolder() {
		return fail(fmt.Errorf("%w: not a model folder: no README.md, config.json or weight files in %s", sources.ErrUnsupported, root))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.readMetadata()
	return &sources.Observation{Subject: subj, Evidence: c.ev, Edges: c.edges}, nil
}

// classify wraps err in the sentinel of its category.
func classify(err error) error {
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("%w: %v", sources.ErrNotFound, err)
	case errors.Is(err, fs.ErrPermission):
		return fmt.Errorf("%w: %v", sources.ErrUnauthorized, err)
	}
	return err
}

// file is one file found in the folder.
type file struct {
	rel     string // slash-separated path relative to the root
	abs     string // the file's path in the folder, its locator
	target  string // the file a symbolic link leads to, "" for a plain file
	size    int64
	outside bool   // a symlink to outside the folder, not read
	data    []byte // the whole content of a metadata file, read once
}

// open returns the path to open to read f.
func (f file) open() string {
	if f.target != "" {
		return f.target
	}
	return f.abs
}

// collector gathers the observation of one Collect.
type collector struct {
	src   *Source
	subj  sources.Subject
	sid   string
	root  string
	now   time.Time
	files []file
	ev    []sources.Evidence
	edges []sources.Edge
	ids   map[string]bool

	hasWeights bool
}

// origin returns the origin of a file read with the given digest.
func (c *collector) origin(abs, digest string) sources.Origin {
	return sources.Origin{Source: Name, Locator: abs, Digest: digest, RetrievedAt: c.now}
}

// add appends evidence, once.
func (c *collector) add(ev ...sources.Evidence) {
	if c.ids == nil {
		c.ids = map[string]bool{}
	}
	for _, e := range ev {
		if !c.ids[e.ID] {
			c.ids[e.ID] = true
			c.ev = append(c.ev, e)
		}
	}
}

// top returns the file at the folder's top level whose name is one of
// names, compared case-insensitively, preferring the earlier names.
func (c *collector) top(names ...string) (file, bool) {
	for _, n := range names {
		for _, f := range c.files {
			if !strings.Contains(f.rel, "/") && strings.EqualFold(f.rel, n) {
				return f, true
			}
		}
	}
	return file{}, false
}

// isModelFolder reports whether the folder holds a card, a config or
// weights.
func (c *collector) isModelFolder() bool {
	if c.hasWeights {
		return true
	}
	_, ok := c.top(modelcard.CardFile, modelcard.ConfigFile, modelcard.AdapterConfigFile, modelcard.MergeConfigFile, "mergekit_config.yaml")
	return ok
}

// readWhole reads a metadata file whole, bounded by the size limit.
func (c *collector) readWhole(f file) ([]byte, error) {
	if f.outside {
		return nil, fmt.Errorf("%s is a symbolic link to outside the folder; not read", f.rel)
	}
	if f.data != nil {
		return f.data, nil
	}
	if f.size > c.src.maxFileSize {
		return nil, fmt.Errorf("%s is %d bytes, over the %d byte limit for metadata files", f.rel, f.size, c.src.maxFileSize)
	}
	fh, err := os.Open(f.open())
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	data, err := io.ReadAll(io.LimitReader(fh, c.src.maxFileSize+1))
	if err != nil {
		return nil, err
	}
	if int64(len(data)) > c.src.maxFileSize {
		return nil, fmt.Errorf("%s grew past the %d byte limit for metadata files while read", f.rel, c.src.maxFileSize)
	}
	return data, nil
}

// readMetadata reads the card, the configs and the license file and emits
// their evidence and edges.
func (c *collector) readMetadata() {
	in := modelcard.Input{Subject: c.subj, Names: []string{filepath.Base(c.root)}, Resolve: c.resolve,
		Fingerprints: c.src.fingerprints}
	fileError := func(f file, part string, err error, digest string) {
		c.add(modelcard.FileError(c.sid, f.rel, part, err, c.origin(f.abs, digest)))
	}
	read := func(part string, names ...string) (file, []byte, bool) {
		f, ok := c.top(names...)
		if !ok {
			return f, nil, false
		}
		data, err := c.readWhole(f)
		if err != nil {
			fileError(f, part, err, "")
			return f, nil, false
		}
		return f, data, true
	}

	if f, data, ok := read("card", modelcard.CardFile); ok {
		card, err := modelcard.ParseCard(data)
		in.Card, in.CardOrigin = card, c.origin(f.abs, sources.Digest(data))
		if err != nil {
			fileError(f, "card", relabel(err, f.rel), in.CardOrigin.Digest)
		}
		if card.ModelName != "" {
			in.Names = append(in.Names, card.ModelName)
		}
	} else if _, present := c.top(modelcard.CardFile); !present {
		c.add(sources.NewEvidence(c.sid, sources.KindCard, "absent", nil, c.origin(filepath.Join(c.root, modelcard.CardFile), "")))
	} else {
		f, _ := c.top(modelcard.CardFile)
		c.add(sources.NewEvidence(c.sid, sources.KindCard, "unavailable", nil, c.origin(f.abs, "")))
	}
	if f, data, ok := read("config", modelcard.ConfigFile); ok {
		o := c.origin(f.abs, sources.Digest(data))
		if cfg, err := modelcard.ParseConfig(data); err != nil {
			fileError(f, "config", relabel(err, f.rel), o.Digest)
		} else {
			in.Config, in.ConfigOrigin = cfg, o
		}
	}
	if f, data, ok := read("adapter_config", modelcard.AdapterConfigFile); ok {
		o := c.origin(f.abs, sources.Digest(data))
		if a, err := modelcard.ParseAdapterConfig(data); err != nil {
			fileError(f, "adapter_config", relabel(err, f.rel), o.Digest)
		} else {
			in.Adapter, in.AdapterOrigin = a, o
		}
	}
	if f, data, ok := read("merge_config", modelcard.MergeConfigFile, "mergekit_config.yaml"); ok {
		o := c.origin(f.abs, sources.Digest(data))
		if m, err := modelcard.ParseMergeConfig(data); err != nil {
			fileError(f, "merge_config", relabel(err, f.rel), o.Digest)
		} else {
			in.Merge, in.MergeOrigin = m, o
		}
	}
	in.Quantized = c.quantized()

	ev, edges := modelcard.Emit(in)
	c.add(ev...)
	c.edges = edges

	if f, data, ok := read("license", licenseNames...); ok {
		c.add(c.src.classifier.Evidence(c.sid, f.rel, data, c.origin(f.abs, sources.Digest(data))))
	}
}

// licenseNames are the names of license files, in order of preference.
var licenseNames = licensetext.FileNames()

// metadataNames are the names of every file readMetadata reads.
var metadataNames = append([]string{modelcard.CardFile, modelcard.ConfigFile, modelcard.AdapterConfigFile,
	modelcard.MergeConfigFile, "mergekit_config.yaml"}, licenseNames...)

// quantized returns the quantization formats the folder's weight files
// show ("gguf"), and the folder's name when it marks one (a "-GPTQ" or
// "-AWQ" folder).
func (c *collector) quantized() []string {
	var out []string
	gguf, other := false, false
	for _, e := range c.ev {
		if e.Kind != sources.KindFile || e.Attr("role") != "weights" {
			continue
		}
		if e.Attr("format") == FormatGGUF {
			gguf = true
		} else {
			other = true
		}
	}
	// GGUF files next to full-precision weights do not make the folder a
	// quantization of another model.
	if gguf && !other {
		out = append(out, FormatGGUF)
	}
	if q := modelcard.QuantizedName(filepath.Base(c.root)); q != "" {
		out = append(out, "name:"+q)
	}
	return out
}

// relabel names the file a *modelcard.SyntaxError is about by its path in
// the folder.
func relabel(err error, rel string) error {
	var se *modelcard.SyntaxError
	if errors.As(err, &se) {
		cp := *se
		cp.File = rel
		return &cp
	}
	return err
}

// resolve maps a base-model reference written in the folder's files to a
// subject: an explicit relative path (./x, ../x) or an existing folder
// relative to this one is a local folder, an existing absolute folder too,
// and a Hub id a Hub model.
func (c *collector) resolve(ref string) (sources.Subject, bool) {
	ref = strings.TrimSpace(ref)
	if ref == "" {
		return sources.Subject{}, false
	}
	native := filepath.FromSlash(ref)
	if strings.HasPrefix(ref, "./") || strings.HasPrefix(ref, "../") || ref == "." || ref == ".." {
		s, err := sources.LocalFolder(filepath.Join(c.root, native), ref)
		return s, err == nil
	}
	if filepath.IsAbs(native) {
		if isDir(native) {
			s, err := sources.LocalFolder(native, ref)
			return s, err == nil
		}
		return sources.Subject{}, false
	}
	if p := filepath.Join(c.root, native); isDir(p) {
		s, err := sources.LocalFolder(p, ref)
		return s, err == nil
	}
	if sources.ValidHubID(ref) {
		return sources.HubModel(ref, ""), true
	}
	return sources.Subject{}, false
}

// isDir reports whether p is an existing directory.
func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
