package local

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/artifact"
	"github.com/pedigree-ai/pedigree/sources/modelcard"
)

// skipDirs are folders never inventoried.
var skipDirs = map[string]bool{".git": true, ".cache": true, ".huggingface": true}

// errTooManyFiles stops a walk at the file limit.
var errTooManyFiles = errors.New("too many files")

// walk inventories the folder's files into c.files, in lexical order, and
// emits a KindFile evidence for each. Symbolic links are followed only to
// files inside the folder (or, for a snapshot of the Hugging Face cache, to
// the blobs of the same repository); a link elsewhere is listed but not
// read. It returns an error only when the folder itself cannot be read or
// ctx is done.
func (c *collector) walk(ctx context.Context) error {
	var realRoots []string // resolved on the first symbolic link met
	linkRoots := func() []string {
		if realRoots != nil {
			return realRoots
		}
		allowed := []string{c.root}
		if filepath.Base(filepath.Dir(c.root)) == "snapshots" {
			allowed = append(allowed, filepath.Join(filepath.Dir(filepath.Dir(c.root)), "blobs"))
		}
		realRoots = make([]string, 0, len(allowed))
		for _, a := range allowed {
			if r, err := filepath.EvalSymlinks(a); err == nil {
				realRoots = append(realRoots, r)
			}
		}
		return realRoots
	}
	err := filepath.WalkDir(c.root, func(p string, d fs.DirEntry, err error) error {
		if ctxErr := ctx.Err(); ctxErr != nil {
			return ctxErr
		}
		if err != nil {
			if p == c.root {
				return err
			}
			rel := c.rel(p)
			c.add(modelcard.FileError(c.sid, rel, "file", err, c.origin(p, "")))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() {
			if p != c.root && skipDirs[d.Name()] {
				return fs.SkipDir
			}
			return nil
		}
		if len(c.files) >= c.src.maxFiles {
			return errTooManyFiles
		}
		f := file{rel: c.rel(p), abs: p}
		switch {
		case d.Type()&fs.ModeSymlink != 0:
			target, err := filepath.EvalSymlinks(p)
			if err != nil || !within(target, linkRoots()) {
				f.outside = true
				break
			}
			info, err := os.Stat(target)
			if err != nil || !info.Mode().IsRegular() {
				return nil // a link to a folder or a special file: not walked
			}
			f.target, f.size = target, info.Size()
		case d.Type().IsRegular():
			info, err := d.Info()
			if err != nil {
				c.add(modelcard.FileError(c.sid, f.rel, "file", err, c.origin(p, "")))
				return nil
			}
			f.size = info.Size()
		default:
			return nil // sockets, devices, pipes
		}
		c.files = append(c.files, f)
		return nil
	})
	if errors.Is(err, errTooManyFiles) {
		c.add(sources.NewEvidence(c.sid, sources.KindFileError, ".", sources.Attrs("part", "inventory",
			"error", fmt.Sprintf("the folder has more than %d files; the rest were not inventoried", c.src.maxFiles)),
			c.origin(c.root, "")))
		err = nil
	}
	if err != nil {
		return err
	}
	sort.Slice(c.files, func(i, j int) bool { return c.files[i].rel < c.files[j].rel })
	for i := range c.files {
		if err := ctx.Err(); err != nil {
			return err
		}
		c.inventory(&c.files[i])
	}
	return nil
}

// rel returns p relative to the root, slash-separated.
func (c *collector) rel(p string) string {
	r, err := filepath.Rel(c.root, p)
	if err != nil {
		return filepath.ToSlash(p)
	}
	return filepath.ToSlash(r)
}

// within reports whether p is one of roots or inside one.
func within(p string, roots []string) bool {
	for _, r := range roots {
		if p == r || strings.HasPrefix(p, r+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// inventory emits the KindFile evidence of f. A metadata file at the top
// of the folder is read whole, once, and its bytes kept in f.data.
func (c *collector) inventory(f *file) {
	a := map[string]string{"size": strconv.FormatInt(f.size, 10)}
	if f.outside {
		a["format"], a["role"], a["symlink"] = FormatUnknown, role(f.rel, FormatUnknown), "outside"
		c.add(sources.NewEvidence(c.sid, sources.KindFile, f.rel, a, c.origin(f.abs, "")))
		return
	}
	fh, err := os.Open(f.open())
	if err != nil {
		c.add(modelcard.FileError(c.sid, f.rel, "file", err, c.origin(f.abs, "")))
		return
	}
	defer fh.Close()
	var r io.ReaderAt = fh
	if metadataFile(f.rel) && f.size <= c.src.maxFileSize {
		data, err := io.ReadAll(io.LimitReader(fh, c.src.maxFileSize+1))
		if err != nil {
			c.add(modelcard.FileError(c.sid, f.rel, "file", err, c.origin(f.abs, "")))
			return
		}
		f.data, f.size, r = data, int64(len(data)), bytes.NewReader(data)
	}
	in, err := inspect(f.rel, r, f.size)
	if err != nil {
		c.add(modelcard.FileError(c.sid, f.rel, "file", err, c.origin(f.abs, "")))
		return
	}
	digest := in.digest
	if f.data != nil {
		digest = sources.Digest(f.data)
	} else if f.size > headSize && wholeDigest(in.Format) && f.size <= c.src.maxFileSize {
		// a text file is cheap to read whole: digest all of it
		if d, err := digestFile(fh); err == nil {
			digest = d
		}
	}
	a["format"] = in.Format
	a["role"] = role(f.rel, in.Format)
	if in.DetectedBy != "" {
		a["detected_by"] = in.DetectedBy
	}
	if in.ExtensionFormat != "" {
		a["extension_format"] = in.ExtensionFormat
	}
	if a["role"] == "weights" {
		c.hasWeights = true
	}
	c.add(sources.NewEvidence(c.sid, sources.KindFile, f.rel, a, c.origin(f.abs, digest)))
	if a["role"] == "weights" || in.Format == FormatPickle || in.Format == FormatPickleZip {
		if rep := artifact.Inspect(in.Format, r, f.size, c.src.inspectBudget); rep != nil {
			c.add(rep.Evidence(c.sid, f.rel, f.size, c.origin(f.abs, ""))...)
		}
	}
}

// wholeDigest reports whether files of format are read whole for their
// digest (text files), rather than by their first bytes.
func wholeDigest(format string) bool {
	switch format {
	case FormatJSON, FormatYAML, FormatMarkdown, FormatText, FormatPython:
		return true
	}
	return false
}

// digestFile returns "sha256:HEX" of the whole of fh.
func digestFile(fh *os.File) (string, error) {
	if _, err := fh.Seek(0, 0); err != nil {
		return "", err
	}
	return digestReader(fh)
}

// role says what a file is for in a model repository.
func role(rel, format string) string {
	name := strings.ToLower(path.Base(rel))
	switch {
	case weightFormats[format]:
		return "weights"
	case format == FormatLFSPointer || format == FormatZip:
		if weightFormats[extFormats[strings.ToLower(path.Ext(name))]] {
			return "weights"
		}
	case format == FormatPython:
		return "code"
	}
	switch {
	case name == "readme.md" && !strings.Contains(rel, "/"):
		return "card"
	case strings.HasPrefix(name, "license") || strings.HasPrefix(name, "licence"):
		return "license"
	case format == FormatJSON && (strings.Contains(name, "config") || strings.Contains(name, "tokenizer") ||
		name == "special_tokens_map.json" || name == "vocab.json" || name == "added_tokens.json" || name == "preprocessor_config.json"),
		format == FormatYAML && (strings.Contains(name, "config") || strings.HasPrefix(name, "mergekit")),
		name == "tokenizer.model", name == "merges.txt", name == "spiece.model", name == "sentencepiece.bpe.model":
		return "config"
	}
	return "other"
}

// metadataFile reports whether rel is a metadata file Collect parses: a
// card, config, adapter or merge configuration, or license file at the top
// of the folder.
func metadataFile(rel string) bool {
	if strings.Contains(rel, "/") {
		return false
	}
	for _, n := range metadataNames {
		if strings.EqualFold(rel, n) {
			return true
		}
	}
	return false
}
