package checkout

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// maxGitFile bounds what is read of any Git metadata file.
const maxGitFile = 1 << 20

// gitDir returns the Git directory of the checkout at dir: dir/.git, or
// the directory a .git file points to (worktrees, submodules); "" when
// dir is not a Git checkout.
func gitDir(dir string) (string, error) {
	p := filepath.Join(dir, ".git")
	fi, err := os.Stat(p)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return "", nil
	case err != nil:
		return "", err
	case fi.IsDir():
		return p, nil
	}
	b, err := readSmall(p)
	if err != nil {
		return "", err
	}
	line, _, _ := strings.Cut(string(b), "\n")
	target, ok := strings.CutPrefix(strings.TrimSpace(line), "gitdir:")
	if !ok {
		return "", fmt.Errorf("%s is neither a folder nor a \"gitdir: PATH\" file", p)
	}
	target = strings.TrimSpace(target)
	if !filepath.IsAbs(target) {
		target = filepath.Join(dir, target)
	}
	return filepath.Clean(target), nil
}

// readSmall reads at most maxGitFile bytes of a file.
func readSmall(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxGitFile+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxGitFile {
		return nil, fmt.Errorf("%s is larger than %d bytes", path, maxGitFile)
	}
	return b, nil
}

// remoteURL returns the url of the remote named name in a Git config file's
// text, or "".
func remoteURL(config []byte, name string) string {
	want := `remote "` + name + `"`
	in := false
	sc := bufio.NewScanner(bytes.NewReader(config))
	sc.Buffer(make([]byte, 0, 4096), maxGitFile)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if strings.HasPrefix(line, "[") {
			section := strings.TrimSpace(strings.Trim(line, "[]"))
			in = section == want
			continue
		}
		if !in {
			continue
		}
		key, val, ok := strings.Cut(line, "=")
		if ok && strings.EqualFold(strings.TrimSpace(key), "url") {
			return strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	return ""
}

// head returns the commit the checkout's HEAD points to, or "" when it
// cannot be read (an unborn branch, a missing ref).
func head(gd string) string {
	b, err := readSmall(filepath.Join(gd, "HEAD"))
	if err != nil {
		return ""
	}
	h := strings.TrimSpace(string(b))
	ref, ok := strings.CutPrefix(h, "ref:")
	if !ok {
		if isCommit(h) {
			return strings.ToLower(h)
		}
		return ""
	}
	ref = strings.TrimSpace(ref)
	if !strings.HasPrefix(ref, "refs/") || strings.Contains(ref, "..") {
		return ""
	}
	// A linked worktree keeps its refs in the common directory.
	dirs := []string{gd}
	if c, err := readSmall(filepath.Join(gd, "commondir")); err == nil {
		common := strings.TrimSpace(string(c))
		if !filepath.IsAbs(common) {
			common = filepath.Join(gd, common)
		}
		dirs = append(dirs, filepath.Clean(common))
	}
	for _, d := range dirs {
		if b, err := readSmall(filepath.Join(d, filepath.FromSlash(ref))); err == nil {
			if s := strings.TrimSpace(string(b)); isCommit(s) {
				return strings.ToLower(s)
			}
		}
		if b, err := readSmall(filepath.Join(d, "packed-refs")); err == nil {
			for line := range strings.SplitSeq(string(b), "\n") {
				sha, name, ok := strings.Cut(strings.TrimSpace(line), " ")
				if ok && name == ref && isCommit(sha) {
					return strings.ToLower(sha)
				}
			}
		}
	}
	return ""
}

// isCommit reports whether s is a full hexadecimal SHA-1 commit ID.
func isCommit(s string) bool {
	if len(s) != 40 {
		return false
	}
	for i := range len(s) {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
