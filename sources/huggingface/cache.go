package huggingface

import (
	"context"

	"fmt"
	"strconv"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/local"
)

// fromCacheOnly collects the subject from the local Hugging Face cache
// alone, because the store could not answer (cause): the commit the
// revision names in the cache, the cached files (their formats read from
// their first bytes) and the card and configuration files. What only the
// Hub knows (publisher, gating, scans, commits) stays unknown, and the
// observation comes back partial. Without the repository in the cache it
// fails with cause.
func (c *collector) fromCacheOnly(ctx context.Context, cause error) (*sources.Observation, error) {
	fail := func(err error) (*sources.Observation, error) {
		return nil, sources.Errorf(Name, c.subj, "get "+c.apiBase(), err)
	}
	if c.src.cache == nil {
		return fail(fmt.Errorf("%w: no local Hugging Face cache holds it, and %w", sources.ErrNotFound, cause))
	}
	sha, ok, err := c.src.cache.Resolve(c.subj.Kind, c.id, c.rev)
	switch {
	case err != nil:
		return fail(fmt.Errorf("local Hugging Face cache %s: %w", c.src.cache.Dir(), err))
	case !ok:
		return fail(fmt.Errorf("%w: the local Hugging Face cache %s does not hold it, and %w", sources.ErrNotFound, c.src.cache.Dir(), cause))
	}
	c.resolved(sha)
	c.cached = true
	requested := c.requested()
	files, truncated, err := c.src.cache.Files(c.subj.Kind, c.id, sha, local.DefaultMaxFiles)
	if err != nil {
		return fail(fmt.Errorf("local Hugging Face cache %s: %w", c.src.cache.Dir(), err))
	}
	o := c.origin(c.src.cache.Dir(), "")
	c.add(sources.KindRevision, sha, sources.Attrs("requested", requested, "declared_in", "cache"), o)
	names := make([]string, 0, len(files))
	for _, f := range files {
		names = append(names, f.Path)
		if f.Missing {
			c.addEv(sources.NewEvidence(c.sid, sources.KindFileError, f.Path,
				sources.Attrs("part", "file", "error", "listed in the cached snapshot but its blob is absent (a partial download)"), c.origin(f.Abs, "")))
			continue
		}
		head, err := readHead(f.Abs)
		if err != nil {
			c.addEv(sources.NewEvidence(c.sid, sources.KindFileError, f.Path, sources.Attrs("part", "file", "error", err.Error()), c.origin(f.Abs, "")))
			continue
		}
		d := local.DetectFormat(f.Path, head, f.Size)
		a := map[string]string{"format": d.Format, "role": local.FileRole(f.Path, d.Format), "size": strconv.FormatInt(f.Size, 10)}
		if d.DetectedBy != "" {
			a["detected_by"] = d.DetectedBy
		}
		if d.ExtensionFormat != "" {
			a["extension_format"] = d.ExtensionFormat
		}
		digest := sources.Digest(head)
		if isSHA256(f.Blob) {
			a["lfs_sha256"] = f.Blob
			digest = "sha256:" + f.Blob
		}
		c.add(sources.KindFile, f.Path, a, c.origin(f.Abs, digest))
	}
	if truncated > 0 {
		c.addEv(sources.NewEvidence(c.sid, sources.KindFileError, "", sources.Attrs("part", "file",
			"error", fmt.Sprintf("%d more files left out of the inventory", truncated)), o))
	}
	c.metadata(ctx, &repoInfo{}, o, names)
	c.fail("the Hub's record of the repository (publisher, gating, scans, commits)", cause)
	return c.result(ctx)
}

// isSHA256 reports whether s is 64 hex digits.
func isSHA256(s string) bool {
	if len(s) != 64 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f') {
			return false
		}
	}
	return true
}
