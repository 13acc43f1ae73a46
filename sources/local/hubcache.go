package local

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"

	"github.com/pedigree-ai/pedigree/sources"
)

// maxRefSize bounds the size of a refs file read by [HubCache.Resolve]. A
// ref holds one 40-hex commit sha; anything much larger is not a ref.
const maxRefSize = 1 << 10

// HubCacheDir returns the Hugging Face hub cache directory from the
// environment, looked up with getenv (os.Getenv in production), and home
// (os.UserHomeDir) for the default.
//
// It follows huggingface_hub's constants.py: the first of
//
//  1. $HF_HUB_CACHE
//  2. $HUGGINGFACE_HUB_CACHE (the legacy name)
//  3. $HF_HOME/hub
//  4. $XDG_CACHE_HOME/huggingface/hub
//  5. ~/.cache/huggingface/hub
//
// with a leading "~" or "~/" replaced by the home directory and $NAME or
// ${NAME} replaced by the variable's value, as Python's expanduser and
// expandvars do. Two differences follow from looking variables up with
// getenv alone: a variable set to the empty string counts as unset (it is
// neither chosen nor substituted), and "~user" is left as written. The
// result is cleaned but not made absolute. home is called only when the
// result needs it; its failure is the only error.
func HubCacheDir(getenv func(string) string, home func() (string, error)) (string, error) {
	x := expander{getenv: getenv, home: home}
	for _, name := range []string{"HF_HUB_CACHE", "HUGGINGFACE_HUB_CACHE"} {
		if v := getenv(name); v != "" {
			return x.expand(v)
		}
	}
	hfHome := getenv("HF_HOME")
	if hfHome == "" {
		cache := getenv("XDG_CACHE_HOME")
		if cache == "" {
			h, err := x.homeDir()
			if err != nil {
				return "", err
			}
			cache = filepath.Join(h, ".cache")
		}
		hfHome = filepath.Join(cache, "huggingface")
	}
	hfHome, err := x.expand(hfHome)
	if err != nil {
		return "", err
	}
	// huggingface_hub expands HF_HOME, then expands HF_HOME/hub once more.
	return x.expand(filepath.Join(hfHome, "hub"))
}

// expander expands "~" and environment variables in a path, as Python's
// os.path.expanduser and os.path.expandvars do.
type expander struct {
	getenv func(string) string
	home   func() (string, error)
}

// homeDir returns the home directory, or an error saying how to do without.
func (x expander) homeDir() (string, error) {
	if x.home == nil {
		return "", errors.New("no home directory to locate the Hugging Face cache; set HF_HUB_CACHE or HF_HOME")
	}
	h, err := x.home()
	if err != nil {
		return "", fmt.Errorf("locate the Hugging Face cache: %w; set HF_HUB_CACHE or HF_HOME", err)
	}
	if h == "" {
		return "", errors.New("locate the Hugging Face cache: the home directory is unknown; set HF_HUB_CACHE or HF_HOME")
	}
	return h, nil
}

// expand applies expanduser then expandvars to p and cleans the result.
func (x expander) expand(p string) (string, error) {
	p, err := x.expandUser(p)
	if err != nil {
		return "", err
	}
	return filepath.Clean(expandVars(p, x.getenv)), nil
}

// expandUser replaces a leading "~" (alone or before a separator) with the
// home directory.
func (x expander) expandUser(p string) (string, error) {
	if !strings.HasPrefix(p, "~") {
		return p, nil
	}
	rest := p[1:]
	if rest != "" && rest[0] != '/' && rest[0] != filepath.Separator {
		return p, nil // ~user: left as written
	}
	h, err := x.homeDir()
	if err != nil {
		return "", err
	}
	h = strings.TrimRight(h, "/"+string(filepath.Separator))
	if h+rest == "" {
		return string(filepath.Separator), nil
	}
	return h + rest, nil
}

// expandVars replaces $NAME and ${NAME} (NAME of ASCII letters, digits and
// underscores for the first form, anything but '}' for the second) with
// the variable's value; a variable that getenv reports empty is left as
// written, as Python leaves an unset one.
func expandVars(p string, getenv func(string) string) string {
	if !strings.Contains(p, "$") {
		return p
	}
	var b strings.Builder
	for i := 0; i < len(p); {
		if p[i] != '$' {
			b.WriteByte(p[i])
			i++
			continue
		}
		name, end := "", i+1
		if end < len(p) && p[end] == '{' {
			if j := strings.IndexByte(p[end:], '}'); j >= 0 {
				name, end = p[end+1:end+j], end+j+1
			}
		} else {
			for end < len(p) && isWordByte(p[end]) {
				end++
			}
			name = p[i+1 : end]
		}
		if end == i+1 { // a '$' starting no variable
			b.WriteByte('$')
			i++
			continue
		}
		if v := lookupVar(getenv, name); v != "" {
			b.WriteString(v)
		} else {
			b.WriteString(p[i:end])
		}
		i = end
	}
	return b.String()
}

// lookupVar returns the value of the variable name, or "" for an empty
// name.
func lookupVar(getenv func(string) string, name string) string {
	if name == "" {
		return ""
	}
	return getenv(name)
}

// isWordByte reports whether c matches Python's ASCII \w.
func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// HubCache reads a Hugging Face hub cache directory, laid out as
// huggingface_hub writes it:
//
//	models--OWNER--NAME/refs/main            the commit sha the branch main names
//	models--OWNER--NAME/refs/refs/pr/1       other refs
//	models--OWNER--NAME/snapshots/SHA/PATH   links (usually relative) into ../../blobs
//	models--OWNER--NAME/blobs/HASH           the files' bytes: a sha256 for LFS files, a git sha1 otherwise
//	datasets--OWNER--NAME/...                the same for datasets
//
// It never writes. It holds no state beyond its directory and is safe for
// concurrent use.
type HubCache struct {
	dir string
}

// NewHubCache returns a reader of the hub cache at dir (as [HubCacheDir]
// returns it). dir need not exist: a missing cache holds nothing.
func NewHubCache(dir string) *HubCache {
	return &HubCache{dir: filepath.Clean(dir)}
}

// Dir returns the cache directory.
func (c *HubCache) Dir() string { return c.dir }

// repoDir returns the folder of repository id of the given kind, after
// checking that the kind is one the cache holds and that id is a Hub id.
func (c *HubCache) repoDir(kind sources.SubjectKind, id string) (string, error) {
	var prefix string
	switch kind {
	case sources.SubjectModel:
		prefix = "models"
	case sources.SubjectDataset:
		prefix = "datasets"
	default:
		return "", fmt.Errorf("%w: the Hugging Face cache holds models and datasets, not %q subjects", sources.ErrUnsupported, kind)
	}
	if !sources.ValidHubID(id) {
		return "", fmt.Errorf("%w: %q is not a Hugging Face id; write OWNER/NAME with letters, digits, '-', '_' or '.'", fs.ErrInvalid, id)
	}
	return filepath.Join(c.dir, prefix+"--"+strings.ReplaceAll(id, "/", "--")), nil
}

// Resolve returns the commit sha that rev ("" = "main", a branch/tag name,
// or a 40-hex sha) names for repo id (OWNER/NAME, or NAME) of the given kind
// (sources.SubjectModel or sources.SubjectDataset), and reports false when
// the cache does not hold that snapshot (no repo folder, no ref, or the
// snapshot folder missing). Never an error for "not cached"; an error only
// for unreadable files. When ok is false, sha is the commit a ref names
// (or rev itself, when a commit sha) if one was found, and "" otherwise.
//
// As huggingface_hub does, a ref file named rev (refs/main,
// refs/refs/pr/1) is looked up first, and a rev with no ref file is taken
// as a commit sha when it is one. A ref file that does not hold a commit sha
// is an error wrapping [sources.ErrMalformed]. An id, kind or rev that cannot
// name a cached repository (such as one with ".." segments) is an error
// wrapping [fs.ErrInvalid] or [sources.ErrUnsupported].
func (c *HubCache) Resolve(kind sources.SubjectKind, id, rev string) (sha string, ok bool, err error) {
	repo, err := c.repoDir(kind, id)
	if err != nil {
		return "", false, err
	}
	if rev == "" {
		rev = "main"
	}
	if !validRev(rev) {
		return "", false, fmt.Errorf("%w: revision %q is not a branch, tag or commit name", fs.ErrInvalid, rev)
	}
	refFile := filepath.Join(repo, "refs", filepath.FromSlash(rev))
	data, err := readRef(repo, refFile)
	switch {
	case err == nil:
		if sha, err = parseRef(data); err != nil {
			return "", false, fmt.Errorf("%s: %w; delete the file or download the repository again", refFile, err)
		}
	case errors.Is(err, fs.ErrNotExist):
		if !isCommitSHA(rev) {
			return "", false, nil
		}
		sha = strings.ToLower(rev)
	default:
		return "", false, err
	}
	info, err := os.Stat(filepath.Join(repo, "snapshots", sha))
	switch {
	case err == nil:
		return sha, info.IsDir(), nil
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, errNotDir):
		return sha, false, nil
	}
	return "", false, err
}

// errNotDir is the error of a path whose parent is a file, which reads as
// absent.
const errNotDir = syscall.ENOTDIR

// readRef reads the ref file p of the repository folder repo. A missing
// file, or a path whose parent is not a folder, wraps fs.ErrNotExist; a
// directory is not a ref (refs/refs is a folder) and also reads as absent.
func readRef(repo, p string) ([]byte, error) {
	info, err := os.Stat(p)
	if err != nil {
		if errors.Is(err, errNotDir) {
			return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
		}
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a file: %w", p, fs.ErrNotExist)
	}
	if err := confined(repo, p); err != nil {
		return nil, err
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxRefSize+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", p, err)
	}
	if len(data) > maxRefSize {
		return nil, fmt.Errorf("%s: %w: over %d bytes, not a ref file; delete it or download the repository again", p, sources.ErrMalformed, maxRefSize)
	}
	return data, nil
}

// parseRef returns the commit sha a refs file holds: 40 hexadecimal digits,
// with surrounding white space allowed, returned in lower case.
func parseRef(data []byte) (string, error) {
	s := string(bytes.TrimSpace(data))
	if !isCommitSHA(s) {
		const show = 60
		if len(s) > show {
			s = s[:show] + "..."
		}
		return "", fmt.Errorf("%w: the ref holds %q, not a 40-hex commit sha", sources.ErrMalformed, s)
	}
	return strings.ToLower(s), nil
}

// isCommitSHA reports whether s is a full git commit sha: 40 hex digits.
func isCommitSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}

// validRev reports whether rev can name a ref inside the refs folder: a
// relative slash-separated path without empty, "." or ".." segments.
func validRev(rev string) bool {
	return validRel(rev)
}

// validRel reports whether name is a relative, slash-separated path of a
// file inside a folder: no empty, "." or ".." segment, no backslash, colon
// or NUL, and no segment longer than a file name can be.
func validRel(name string) bool {
	if !fs.ValidPath(name) || name == "." || strings.ContainsAny(name, "\\:\x00") {
		return false
	}
	for seg := range strings.SplitSeq(name, "/") {
		if len(seg) > 255 {
			return false
		}
	}
	return true
}

// CachedFile is one file of a cached snapshot.
type CachedFile struct {
	// Path is slash-separated, relative to the snapshot root.
	Path string
	// Abs is the path to open: the blob the snapshot link points to,
	// resolved, or the file itself when it is not a link. For a missing
	// blob it is where the link points; for a link outside the repository
	// it is the link itself.
	Abs string
	// Size is the size in bytes of the file Abs names; 0 when Missing or
	// Outside.
	Size int64
	// Blob is the blob's name (a sha256 hex for LFS files, a git sha1
	// otherwise); "" if not a link into blobs.
	Blob string
	// Missing is true when the file is listed in the snapshot but its blob
	// is absent (a partial download or a pruned blob).
	Missing bool
	// Outside is true when the file is a link leading outside the
	// repository folder; it is not read.
	Outside bool
}

// snapshotDir returns the repository folder and the snapshot folder of sha.
func (c *HubCache) snapshotDir(kind sources.SubjectKind, id, sha string) (repo, snap string, err error) {
	repo, err = c.repoDir(kind, id)
	if err != nil {
		return "", "", err
	}
	if !isCommitSHA(sha) {
		return "", "", fmt.Errorf("%w: %q is not a 40-hex commit sha; resolve the revision first", fs.ErrInvalid, sha)
	}
	return repo, filepath.Join(repo, "snapshots", strings.ToLower(sha)), nil
}

// Files lists the snapshot's files in path order (bounded by maxFiles;
// return how many were left out). maxFiles < 1 means no bound.
//
// Folders, and links to folders or to special files, are not listed. A
// link whose target is absent is listed with Missing set, and a link
// leading outside the repository folder with Outside set. A snapshot that
// is not cached is an error wrapping fs.ErrNotExist.
func (c *HubCache) Files(kind sources.SubjectKind, id, sha string, maxFiles int) (files []CachedFile, truncated int, err error) {
	repo, snap, err := c.snapshotDir(kind, id, sha)
	if err != nil {
		return nil, 0, err
	}
	info, err := os.Stat(snap)
	if err != nil {
		return nil, 0, fmt.Errorf("snapshot %s of %s: %w", path.Base(filepath.ToSlash(snap)), id, err)
	}
	if !info.IsDir() {
		return nil, 0, fmt.Errorf("snapshot %s is not a folder: %w", snap, fs.ErrNotExist)
	}
	type entry struct {
		rel  string
		abs  string
		mode fs.FileMode
	}
	var entries []entry
	err = filepath.WalkDir(snap, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("list snapshot %s: %w", snap, err)
		}
		if d.IsDir() {
			return nil
		}
		rel, err := filepath.Rel(snap, p)
		if err != nil {
			return err
		}
		entries = append(entries, entry{rel: filepath.ToSlash(rel), abs: p, mode: d.Type()})
		return nil
	})
	if err != nil {
		return nil, 0, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].rel < entries[j].rel })

	roots := repoRoots(repo)
	blobDirs := []string{filepath.Join(repo, "blobs")}
	if real, err := filepath.EvalSymlinks(repo); err == nil && real != repo {
		blobDirs = append(blobDirs, filepath.Join(real, "blobs"))
	}
	blobOf := func(target string) string {
		for _, b := range blobDirs {
			if filepath.Dir(target) == b {
				return filepath.Base(target)
			}
		}
		return ""
	}
	for i, e := range entries {
		if maxFiles > 0 && len(files) >= maxFiles {
			return files, len(entries) - i, nil
		}
		f := CachedFile{Path: e.rel, Abs: e.abs}
		switch {
		case e.mode&fs.ModeSymlink != 0:
			link, err := os.Readlink(e.abs)
			if err != nil {
				return nil, 0, fmt.Errorf("read link %s: %w", e.abs, err)
			}
			lexical := link
			if !filepath.IsAbs(lexical) {
				lexical = filepath.Join(filepath.Dir(e.abs), lexical)
			}
			lexical = filepath.Clean(lexical)
			target, err := filepath.EvalSymlinks(e.abs)
			if err != nil {
				if !errors.Is(err, fs.ErrNotExist) && !errors.Is(err, errNotDir) {
					return nil, 0, fmt.Errorf("follow link %s: %w", e.abs, err)
				}
				if !within(lexical, roots) && !within(lexical, []string{repo}) {
					f.Outside = true
					break
				}
				f.Abs, f.Blob, f.Missing = lexical, blobOf(lexical), true
				break
			}
			if !within(target, roots) {
				f.Outside = true
				break
			}
			info, err := os.Stat(target)
			if err != nil {
				return nil, 0, fmt.Errorf("stat %s: %w", target, err)
			}
			if !info.Mode().IsRegular() {
				continue // a link to a folder or a special file
			}
			f.Abs, f.Size, f.Blob = target, info.Size(), blobOf(target)
		case e.mode.IsRegular():
			info, err := os.Lstat(e.abs)
			if err != nil {
				return nil, 0, fmt.Errorf("stat %s: %w", e.abs, err)
			}
			f.Size = info.Size()
		default:
			continue // sockets, devices, pipes
		}
		files = append(files, f)
	}
	return files, 0, nil
}

// repoRoots returns the real path of the repository folder, which links
// must stay within, or nothing when it cannot be resolved.
func repoRoots(repo string) []string {
	real, err := filepath.EvalSymlinks(repo)
	if err != nil {
		return nil
	}
	return []string{real}
}

// confined returns an error unless p, links resolved, is inside the
// repository folder repo.
func confined(repo, p string) error {
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		return err
	}
	if !within(target, repoRoots(repo)) {
		return fmt.Errorf("%s: %w: a link leading outside the repository folder %s; not read", p, sources.ErrMalformed, repo)
	}
	return nil
}

// ReadFile reads one file of a snapshot whole, refusing files over max
// bytes (error says so); returns fs.ErrNotExist-wrapping errors when absent
// (including a link to a missing blob). It refuses paths escaping the
// snapshot (.., absolute; an error wrapping fs.ErrInvalid) and links
// leading outside the repository folder (an error wrapping
// [sources.ErrMalformed]). max < 1 means [DefaultMaxFileSize]. abs is the
// file read, links resolved.
func (c *HubCache) ReadFile(kind sources.SubjectKind, id, sha, name string, max int64) (data []byte, abs string, err error) {
	repo, snap, err := c.snapshotDir(kind, id, sha)
	if err != nil {
		return nil, "", err
	}
	if !validRel(name) {
		return nil, "", fmt.Errorf("%w: %q is not a path inside the snapshot; give a relative, slash-separated path without '..'", fs.ErrInvalid, name)
	}
	if max < 1 {
		max = DefaultMaxFileSize
	}
	p := filepath.Join(snap, filepath.FromSlash(name))
	target, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, errNotDir) {
			err = fs.ErrNotExist
		}
		return nil, "", fmt.Errorf("%s of %s@%s: %w", name, id, sha, err)
	}
	roots := repoRoots(repo)
	if !within(target, roots) {
		return nil, "", fmt.Errorf("%s of %s@%s: %w: a link leading outside the repository folder; not read", name, id, sha, sources.ErrMalformed)
	}
	// Open through an os.Root of the repository so that a link changed
	// after the check above still cannot lead out of it.
	root, err := os.OpenRoot(roots[0])
	if err != nil {
		return nil, "", err
	}
	defer root.Close()
	rel, err := filepath.Rel(roots[0], target)
	if err != nil {
		return nil, "", err
	}
	f, err := root.Open(rel)
	if err != nil {
		return nil, "", fmt.Errorf("%s of %s@%s: %w", name, id, sha, err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, "", fmt.Errorf("%s of %s@%s: %w", name, id, sha, err)
	}
	if !info.Mode().IsRegular() {
		return nil, "", fmt.Errorf("%s of %s@%s is not a file: %w", name, id, sha, fs.ErrNotExist)
	}
	if info.Size() > max {
		return nil, target, fmt.Errorf("%s of %s@%s is %d bytes, over the %d byte limit; raise the limit to read it", name, id, sha, info.Size(), max)
	}
	data, err = io.ReadAll(io.LimitReader(f, max+1))
	if err != nil {
		return nil, "", fmt.Errorf("read %s of %s@%s: %w", name, id, sha, err)
	}
	if int64(len(data)) > max {
		return nil, target, fmt.Errorf("%s of %s@%s grew past the %d byte limit while read", name, id, sha, max)
	}
	return data, target, nil
}
