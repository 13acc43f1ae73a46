package artifact

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/pedigree-ai/pedigree/sources"
)

// DefaultBudget is how many bytes of one file Inspect reads by default:
// enough for any safetensors or GGUF header, a zip directory and the
// pickles of a PyTorch checkpoint.
const DefaultBudget = 64 << 20

// Verdicts of a whole file, the value of [sources.KindArtifact] evidence.
const (
	FileClean              = "clean"
	FileUnknownImport      = "unknown_import"
	FileDangerousImport    = "dangerous_import"
	FileCode               = "code"
	FileSuspiciousTemplate = "suspicious_template"
	FileMalformed          = "malformed"
	FileUnread             = "unread"
)

// FileReport is what inspecting one weight file found.
type FileReport struct {
	// Format is the format the file was inspected as, refined from what
	// its content shows (a zip holding a PyTorch checkpoint is pickle_zip).
	Format string
	// Verdict is the file's verdict (FileClean, FileDangerousImport, ...).
	Verdict string
	// Imports are the pickle imports of the file, nested ones included,
	// deduplicated.
	Imports []Import
	// Malformed lists what is wrong with the file.
	Malformed []string
	// Code lists Keras Lambda layers and custom objects.
	Code []string
	// Template lists what is suspicious in a GGUF chat template.
	Template []string
	// Tensors and Parameters count a safetensors or GGUF file's tensors.
	Tensors    int64
	Parameters int64
	// Metadata is a safetensors file's __metadata__ or a GGUF file's
	// general.* keys.
	Metadata map[string]string
	// BaseModels are the bases a GGUF file's metadata names.
	BaseModels []GGUFBase
	// BytesRead is how many bytes were read; Digest is "sha256:HEX" of
	// them, in the order read.
	BytesRead int64
	Digest    string
	// Partial is true when the budget ran out before the file was judged
	// whole, or the file's version is one Inspect does not read.
	Partial bool
	// Unsupported says why a file could not be read at all (a GGUF v1).
	Unsupported string
}

// Inspect inspects a weight file of the given format (as detected from its
// magic bytes: safetensors, gguf, pickle, pickle_zip, zip, keras, numpy,
// h5) readable through r, of size bytes, reading at most budget bytes
// (DefaultBudget when budget <= 0). It never executes anything and never
// panics; what it cannot judge is in the report. Formats it does not
// inspect give a nil report.
func Inspect(format string, r io.ReaderAt, size, budget int64) *FileReport {
	if budget <= 0 {
		budget = DefaultBudget
	}
	cr := &countingReaderAt{r: r, h: sha256.New()}
	rep := &FileReport{Format: format}
	switch format {
	case "safetensors":
		st := InspectSafetensors(cr, size, budget)
		rep.Malformed = append(rep.Malformed, st.Malformed...)
		rep.Partial = st.Truncated
		rep.Tensors, rep.Parameters, rep.Metadata = int64(st.Tensors), st.Parameters, st.Metadata
	case "gguf":
		g := InspectGGUF(cr, size, budget)
		rep.Malformed = append(rep.Malformed, g.Malformed...)
		rep.Tensors, rep.Metadata, rep.BaseModels = int64(g.Tensors), g.KV, g.BaseModels
		rep.Partial = g.Truncated || g.Unsupported != ""
		if g.Unsupported != "" {
			rep.Unsupported = g.Unsupported
		}
		templates := []string{g.ChatTemplate}
		keys := make([]string, 0, len(g.KV))
		for k := range g.KV {
			if strings.HasPrefix(k, "tokenizer.chat_template.") {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			templates = append(templates, g.KV[k])
		}
		for _, t := range templates {
			if t != "" {
				rep.Template = append(rep.Template, ChatTemplateFindings(t)...)
			}
		}
	case "pickle":
		p, err := ScanPickle(io.NewSectionReader(cr, 0, size), budget)
		if err != nil {
			rep.Malformed = append(rep.Malformed, "read: "+err.Error())
			break
		}
		rep.addPickle("", p)
	case "pickle_zip", "zip", "keras":
		z := InspectZip(cr, size, budget, ScanPickle)
		rep.addZip(z)
		switch z.Kind {
		case ZipPyTorch:
			rep.Format = "pickle_zip"
		case ZipKeras:
			rep.Format = "keras"
		case ZipNumpy:
			rep.Format = "numpy"
		}
		if format == "keras" || z.Kind == ZipKeras {
			k := InspectKerasZip(z, cr, budget)
			rep.Malformed = append(rep.Malformed, k.Malformed...)
			rep.Partial = rep.Partial || k.Truncated
			rep.Code = append(append(rep.Code, k.LambdaLayers...), k.CustomObjects...)
		}
	case "numpy":
		// The probe for a zip header (an .npz) is read within the budget.
		zipped := false
		if budget > zipMagicLen {
			zipped = isZip(cr)
			budget -= zipMagicLen
		}
		if zipped {
			rep.addZip(InspectZip(cr, size, budget, ScanPickle))
			break
		}
		np := InspectNumpy(cr, size, budget, ScanPickle)
		rep.Malformed = append(rep.Malformed, np.Malformed...)
		rep.Partial = np.Truncated
		if np.Pickle != nil {
			rep.addPickle("", np.Pickle)
		}
	case "h5":
		k := InspectH5(cr, size, budget)
		rep.Malformed = append(rep.Malformed, k.Malformed...)
		rep.Partial = k.Truncated
		rep.Code = append(append(rep.Code, k.LambdaLayers...), k.CustomObjects...)
	default:
		return nil
	}
	rep.BytesRead, rep.Digest = cr.n, "sha256:"+hex.EncodeToString(cr.h.Sum(nil))
	rep.Verdict = rep.verdict()
	return rep
}

// zipMagicLen is the length of a zip local header's signature.
const zipMagicLen = 4

// isZip reports whether r starts with a zip local header.
func isZip(r io.ReaderAt) bool {
	var b [zipMagicLen]byte
	n, _ := r.ReadAt(b[:], 0)
	return n == 4 && string(b[:]) == "PK\x03\x04"
}

// addZip adds what inspecting a zip archive found: its defects, whether
// the budget cut it short, and its pickles' findings in entry-name order.
func (r *FileReport) addZip(z *ZipReport) {
	r.Malformed = append(r.Malformed, z.Malformed...)
	r.Partial = z.Truncated
	names := make([]string, 0, len(z.Pickles))
	for n := range z.Pickles {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		r.addPickle(n, z.Pickles[n])
	}
}

// addPickle adds a pickle scan's findings, naming the entry it came from.
func (r *FileReport) addPickle(entry string, p *PickleReport) {
	if p == nil {
		return
	}
	where := ""
	if entry != "" {
		where = entry + ": "
	}
	if p.Malformed != "" {
		r.Malformed = append(r.Malformed, where+p.Malformed)
	}
	if p.Truncated {
		r.Partial = true
	}
	seen := map[[2]string]bool{}
	for _, im := range r.Imports {
		seen[[2]string{im.Module, im.Name}] = true
	}
	var walk func(*PickleReport)
	walk = func(p *PickleReport) {
		for _, im := range p.Imports {
			k := [2]string{im.Module, im.Name}
			if !seen[k] {
				seen[k] = true
				r.Imports = append(r.Imports, im)
			}
		}
		for _, n := range p.Nested {
			walk(n)
		}
	}
	walk(p)
}

// verdict decides the file's verdict from its findings, the most severe
// first.
func (r *FileReport) verdict() string {
	worst := Safe
	for _, im := range r.Imports {
		switch {
		case im.Verdict == Dangerous:
			worst = Dangerous
		case im.Verdict == Unknown && worst == Safe:
			worst = Unknown
		}
	}
	switch {
	case worst == Dangerous:
		return FileDangerousImport
	case len(r.Code) > 0:
		return FileCode
	case len(r.Malformed) > 0:
		return FileMalformed
	case worst == Unknown:
		return FileUnknownImport
	case len(r.Template) > 0:
		return FileSuspiciousTemplate
	case r.Partial:
		return FileUnread
	}
	return FileClean
}

// Evidence returns the evidence of the report about the file named file
// (its path in the subject) of size bytes: one artifact evidence, and the
// base models and license a GGUF file's metadata declares. o is the origin
// of the file; its digest is replaced by the digest of the bytes read.
func (r *FileReport) Evidence(subject, file string, size int64, o sources.Origin) []sources.Evidence {
	o.Digest = r.Digest
	var notSafe []string
	for _, im := range r.Imports {
		if im.Verdict != Safe {
			notSafe = append(notSafe, im.Module+"."+im.Name+":"+string(im.Verdict))
		}
	}
	var reasons []string
	reasons = append(reasons, r.Malformed...)
	if r.Unsupported != "" {
		reasons = append(reasons, r.Unsupported)
	}
	if len(r.Code) > 0 {
		reasons = append(reasons, "code: "+strings.Join(r.Code, ", "))
	}
	if len(r.Template) > 0 {
		reasons = append(reasons, "chat template: "+strings.Join(r.Template, "; "))
	}
	a := sources.Attrs("file", file, "format", r.Format, "imports", strings.Join(notSafe, ","),
		"reason", clip(strings.Join(reasons, "; "), 600), "bytes_read", strconv.FormatInt(r.BytesRead, 10),
		"size", strconv.FormatInt(size, 10))
	if r.Tensors > 0 {
		a["tensors"] = strconv.FormatInt(r.Tensors, 10)
	}
	if r.Parameters > 0 {
		a["parameters"] = strconv.FormatInt(r.Parameters, 10)
	}
	out := []sources.Evidence{sources.NewEvidence(subject, sources.KindArtifact, r.Verdict, a, o)}
	for _, b := range r.BaseModels {
		ref := b.Name
		if b.Organization != "" && !strings.Contains(ref, "/") {
			ref = b.Organization + "/" + b.Name
		}
		if u := strings.TrimPrefix(strings.TrimPrefix(b.RepoURL, "https://huggingface.co/"), "http://huggingface.co/"); u != b.RepoURL && sources.ValidHubID(u) {
			ref = u
		}
		if ref != "" {
			out = append(out, sources.NewEvidence(subject, sources.KindBaseModel, ref, sources.Attrs("declared_in", "gguf", "file", file), o))
		}
	}
	if l := r.Metadata["general.license"]; l != "" && r.Format == "gguf" {
		out = append(out, sources.NewEvidence(subject, sources.KindLicense, strings.ToLower(l),
			sources.Attrs("declared_in", "gguf", "file", file, "name", r.Metadata["general.license.name"], "link", r.Metadata["general.license.link"]), o))
	}
	return out
}

// clip shortens s to at most n bytes, on a rune boundary.
func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8Start(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// countingReaderAt counts and hashes the bytes read through it.
type countingReaderAt struct {
	r  io.ReaderAt
	mu sync.Mutex
	n  int64
	h  hash.Hash
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := c.r.ReadAt(p, off)
	c.mu.Lock()
	c.n += int64(n)
	c.h.Write(p[:n])
	c.mu.Unlock()
	return n, err
}

// String describes a report in one line, for logs and tests.
func (r *FileReport) String() string {
	return fmt.Sprintf("%s %s (%d imports, %d malformed, %d bytes read)", r.Format, r.Verdict, len(r.Imports), len(r.Malformed), r.BytesRead)
}
