package huggingface

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/artifact"
	"github.com/pedigree-ai/pedigree/sources/licensetext"
	"github.com/pedigree-ai/pedigree/sources/local"
	"github.com/pedigree-ai/pedigree/sources/modelcard"
)

// treeQuery is the query of a tree listing with sizes, LFS and scans.
const treeQuery = "recursive=true&expand=true"

// Collect implements [sources.Source]. See the package documentation for
// what it reads. A repository the Hub does not know fails with
// ErrNotFound, a gated or private one with ErrUnauthorized; when the
// repository info was read but a further part (tree, commits, a file) was
// not, the observation comes back with an error and the subject is partial.
func (s *Source) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	id, ok := subj.HubID()
	if !ok || !sources.ValidHubID(id) || (subj.Kind != sources.SubjectModel && subj.Kind != sources.SubjectDataset) {
		return nil, sources.Errorf(Name, subj, "collect", fmt.Errorf("%w: not a Hugging Face model or dataset", sources.ErrUnsupported))
	}
	if s.fpErr != nil {
		return nil, sources.Errorf(Name, subj, "collect", s.fpErr)
	}
	c := &collector{src: s, subj: subj, sid: subj.ID(), id: id, canon: id, rev: subj.Revision,
		now: s.clock().UTC(), ids: map[string]bool{}}
	if s.store == nil {
		return c.fromCacheOnly(ctx, fmt.Errorf("%w: the Hub is not consulted (HF_HUB_OFFLINE=1)", sources.ErrOffline))
	}
	infoPath := c.apiBase()
	if c.rev != "" {
		infoPath += "/revision/" + url.PathEscape(c.rev)
	}
	body, err := s.store.Get(ctx, Request{Path: infoPath})
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if s.cache != nil && !errors.Is(err, sources.ErrUnauthorized) {
			return c.fromCacheOnly(ctx, err)
		}
		return nil, sources.Errorf(Name, subj, "get "+infoPath, err)
	}
	info, err := parseRepoInfo(body)
	if err != nil {
		return nil, sources.Errorf(Name, subj, "read "+infoPath, fmt.Errorf("%w: %s: %v", sources.ErrMalformed, c.locator(infoPath, ""), err))
	}
	infoO := c.origin(c.locator(infoPath, ""), sources.Digest(body))
	c.repo(info, infoO)
	if rec, ok := s.store.(recordAlias); ok && c.sha != "" {
		if err := rec.Write(c.apiBase()+"/revision/"+c.sha, body); err != nil {
			return nil, sources.Errorf(Name, subj, "record", err)
		}
	}
	c.useCache()

	listed := c.files(ctx, info, infoO)
	if c.subj.Kind == sources.SubjectModel && c.sha != "" {
		c.commits(ctx)
	}
	c.metadata(ctx, info, infoO, listed)
	return c.result(ctx)
}

// collector gathers the observation of one Collect.
type collector struct {
	src   *Source
	subj  sources.Subject
	sid   string
	id    string // the id asked for
	canon string // the id the Hub answered for
	rev   string // the revision asked for, "" for the default branch
	sha   string // the commit the revision resolved to
	now   time.Time

	cached    bool // the local cache holds the resolved commit
	inspected int  // weight files inspected over HTTP
	// sizes are the file sizes the tree listing gives, by path; a raw
	// file read whole must have its listed size.
	sizes map[string]int64

	ev       []sources.Evidence
	ids      map[string]bool
	edges    []sources.Edge
	problems []problem
}

// problem is a part of the subject that could not be read.
type problem struct {
	what string
	err  error
}

// dataset reports whether the subject is a dataset.
func (c *collector) dataset() bool { return c.subj.Kind == sources.SubjectDataset }

// apiBase is the API path of the repository.
func (c *collector) apiBase() string {
	if c.dataset() {
		return "api/datasets/" + c.canon
	}
	return "api/models/" + c.canon
}

// rawPath is the path of a raw file of the repository at rev.
func (c *collector) rawPath(rev, file string) string {
	p := c.canon + "/resolve/" + url.PathEscape(rev) + "/" + file
	if c.dataset() {
		p = "datasets/" + p
	}
	return p
}

// locator is the canonical URL of a path.
func (c *collector) locator(p, query string) string {
	u := CanonicalBase + "/" + p
	if query != "" {
		u += "?" + query
	}
	return u
}

// origin stamps evidence read at locator.
func (c *collector) origin(locator, digest string) sources.Origin {
	return sources.Origin{Source: Name, Locator: locator, Digest: digest, RetrievedAt: c.now}
}

// add appends evidence once and returns its ID.
func (c *collector) add(kind sources.EvidenceKind, value string, attrs map[string]string, o sources.Origin) string {
	ev := sources.NewEvidence(c.sid, kind, value, attrs, o)
	c.addEv(ev)
	return ev.ID
}

func (c *collector) addEv(evs ...sources.Evidence) {
	for _, ev := range evs {
		if !c.ids[ev.ID] {
			c.ids[ev.ID] = true
			c.ev = append(c.ev, ev)
		}
	}
}

// fail records a part that could not be read.
func (c *collector) fail(what string, err error) {
	c.problems = append(c.problems, problem{what, err})
}

// repo emits the facts of the repository info and settles the commit.
func (c *collector) repo(info *repoInfo, o sources.Origin) {
	switch {
	case isSHA(info.SHA):
		c.resolved(info.SHA)
	case isSHA(c.rev):
		c.resolved(c.rev)
	default:
		c.fail("the commit the revision resolved to", fmt.Errorf("%w: the repository info names no commit", sources.ErrMalformed))
	}
	if info.ID != "" && sources.ValidHubID(info.ID) {
		if !strings.EqualFold(info.ID, c.id) {
			c.add(sources.KindMoved, info.ID, sources.Attrs("from", c.id), o)
		}
		c.canon = info.ID
	}
	if c.sha != "" {
		requested := c.rev
		if requested == "" {
			requested = "main"
		}
		c.add(sources.KindRevision, c.sha, sources.Attrs("requested", requested), o)
	}
	if info.Author != "" {
		a := sources.Attrs("declared_in", "hub")
		if d := info.AuthorData; d != nil {
			a = sources.Attrs("declared_in", "hub", "type", strings.ToLower(d.Type), "fullname", d.Fullname,
				"verified", formatBool(d.IsVerified), "enterprise", formatBool(d.IsEnterprise))
		}
		c.add(sources.KindPublisher, info.Author, a, o)
	}
	field := func(name, value string) {
		if value != "" {
			c.add(sources.KindRepo, value, sources.Attrs("field", name), o)
		}
	}
	field("gated", gatedValue(info.Gated))
	field("private", formatBool(info.Private))
	field("disabled", formatBool(info.Disabled))
	field("downloads", formatInt(info.Downloads))
	field("likes", formatInt(info.Likes))
	field("created_at", info.CreatedAt)
	field("last_modified", info.LastModified)
	field("library_name", info.LibraryName)
	field("pipeline_tag", info.PipelineTag)
	for _, t := range info.Tags {
		if t != "" {
			c.add(sources.KindTag, t, sources.Attrs("declared_in", "hub"), o)
		}
	}
	if g := info.GGUF; g != nil {
		config := func(name, value string) {
			if value != "" {
				c.add(sources.KindConfig, value, sources.Attrs("field", name, "declared_in", "gguf"), o)
			}
		}
		config("gguf.architecture", g.Architecture)
		config("gguf.context_length", formatInt(g.ContextLength))
		config("gguf.parameters", formatInt(g.Total))
	}
}

// resolved settles the commit the revision resolved to: the evidence is
// about the subject at that commit.
func (c *collector) resolved(sha string) {
	c.sha = strings.ToLower(sha)
	c.subj.Revision = c.sha
	c.sid = c.subj.ID()
}

// useCache notes whether the local cache holds the resolved commit.
func (c *collector) useCache() {
	if c.src.cache == nil || c.sha == "" {
		return
	}
	sha, ok, err := c.src.cache.Resolve(c.subj.Kind, c.canon, c.sha)
	c.cached = err == nil && ok && sha == c.sha
}

// files emits the repository's file inventory, from the tree listing when
// it can be read (sizes, LFS hashes, scans), else from the repository
// info's file names. It returns the names of the files at the top level
// and below, or nil when nothing lists them.
func (c *collector) files(ctx context.Context, info *repoInfo, infoO sources.Origin) []string {
	if !c.dataset() && c.sha != "" {
		treePath := c.apiBase() + "/tree/" + c.sha
		alts := []string{c.apiBase() + "/tree/" + url.PathEscape(c.requested())}
		body, err := c.src.store.Get(ctx, Request{Path: treePath, Query: treeQuery, Alternates: alts})
		if err == nil {
			entries, perr := parseTree(body)
			if perr == nil {
				return c.tree(ctx, entries, c.origin(c.locator(treePath, treeQuery), sources.Digest(body)))
			}
			err = fmt.Errorf("%w: %s: %v", sources.ErrMalformed, c.locator(treePath, treeQuery), perr)
		}
		if ctx.Err() != nil {
			return nil
		}
		c.fail("the file tree", err)
		if errors.Is(err, errListingTooLong) {
			// The repository info's file names may be cut too: every
			// verdict resting on the file list must know it is incomplete.
			c.add(sources.KindFileError, ".", sources.Attrs("part", "inventory", "error", err.Error()),
				c.origin(c.locator(treePath, treeQuery), ""))
		}
	}
	if info.Siblings == nil {
		return nil
	}
	names := make([]string, 0, len(info.Siblings))
	for _, sb := range info.Siblings {
		if sb.RFilename == "" {
			continue
		}
		names = append(names, sb.RFilename)
		var size int64 = -1
		if sb.Size != nil {
			size = *sb.Size
		}
		a := fileAttrs(sb.RFilename, size)
		if sb.LFS != nil && sb.LFS.OID != "" {
			a["lfs_sha256"] = sb.LFS.OID
		}
		c.add(sources.KindFile, sb.RFilename, a, infoO)
	}
	return names
}

// requested is the revision asked for, main when none.
func (c *collector) requested() string {
	if c.rev == "" {
		return "main"
	}
	return c.rev
}

// fileAttrs are the attributes of a listed file known from its name and
// size (size < 0 when unknown).
func fileAttrs(name string, size int64) map[string]string {
	d := local.DetectFormat(name, nil, max(size, 0))
	a := map[string]string{"format": d.Format, "role": local.FileRole(name, d.Format)}
	if d.DetectedBy != "" {
		a["detected_by"] = d.DetectedBy
	}
	if d.Format == local.FormatPickle && strings.Contains(strings.ToLower(path.Base(name)), "ggml") {
		// A .bin named as GGML quantized weights ("model.ggmlv3.q4_0.bin")
		// holds GGML tensors, not a pickle; with no bytes to read, the
		// name is the best evidence.
		a["format"], a["role"], a["detected_by"] = "ggml", "weights", "name"
	}
	if size >= 0 {
		a["size"] = strconv.FormatInt(size, 10)
	}
	return a
}

// tree emits the files of a tree listing and the Hub's scan verdicts.
func (c *collector) tree(ctx context.Context, entries []treeEntry, o sources.Origin) []string {
	var names []string
	for _, e := range entries {
		if e.Type != "file" || e.Path == "" {
			continue
		}
		names = append(names, e.Path)
		var size int64 = -1
		if e.Size != nil {
			size = *e.Size
			if c.sizes == nil {
				c.sizes = map[string]int64{}
			}
			c.sizes[e.Path] = size
		}
		a := fileAttrs(e.Path, size)
		if e.LFS != nil && e.LFS.OID != "" {
			a["lfs_sha256"] = e.LFS.OID
		}
		if e.OID != "" {
			a["blob"] = e.OID
		}
		inspected := c.inspect(ctx, e.Path, size, a)
		if e.LastCommit != nil && e.LastCommit.ID != "" {
			a["last_commit"] = e.LastCommit.ID
			if e.LastCommit.Date != "" {
				a["last_commit_date"] = e.LastCommit.Date
			}
		}
		c.add(sources.KindFile, e.Path, a, o)
		c.addEv(inspected...)
		if sec := e.Security; sec != nil {
			c.scans(e.Path, sec, o)
		}
	}
	return names
}

// inspect looks inside a weight file over HTTP, with range requests within
// the inspection budget: its format by magic bytes (updating a), then its
// content. It returns the artifact evidence, or nil when the file is not a
// weight file, the store is not online, or the budget of files is spent.
func (c *collector) inspect(ctx context.Context, file string, size int64, a map[string]string) []sources.Evidence {
	weights := a["role"] == "weights" || a["format"] == local.FormatPickle
	if !weights || c.src.inspectBudget <= 0 || c.sha == "" || c.inspected >= c.src.inspectFiles {
		return nil
	}
	p := c.rawPath(c.sha, file)
	o := c.origin(c.locator(p, ""), "")
	var rf interface {
		io.ReaderAt
		Size() int64
	}
	// A wrapping store (a Prefilled or a Recorder) reads files through
	// the store it wraps.
	store := c.src.store
	for range 8 {
		u, ok := store.(interface{ Unwrap() Store })
		if !ok {
			break
		}
		store = u.Unwrap()
	}
	switch st := store.(type) {
	case *Online:
		f, err := st.OpenFile(ctx, p, size, c.src.inspectBudget)
		if err != nil {
			if ctx.Err() == nil {
				c.fail(file+" (inspection)", err)
			}
			return []sources.Evidence{modelcard.FileError(c.sid, file, "file", err, o)}
		}
		rf = f
	case *Dir:
		// A snapshot holds weight files only when someone put them
		// there; inspect them when it does, as the Hub's would be.
		f, n, err := st.OpenFile(p)
		if err != nil {
			return nil
		}
		defer f.Close()
		rf = sizedFile{f, n}
	default:
		return nil
	}
	c.inspected++
	head := make([]byte, min(rf.Size(), 4096))
	n, err := rf.ReadAt(head, 0)
	if n == 0 && err != nil {
		if ctx.Err() == nil {
			c.fail(file+" (inspection)", err)
		}
		return []sources.Evidence{modelcard.FileError(c.sid, file, "file", err, o)}
	}
	d := local.DetectFormat(file, head[:n], rf.Size())
	if d.DetectedBy == local.ByMagic {
		a["format"], a["detected_by"] = d.Format, d.DetectedBy
		if d.ExtensionFormat != "" {
			a["extension_format"] = d.ExtensionFormat
		}
		a["role"] = local.FileRole(file, d.Format)
	}
	rep := artifact.Inspect(d.Format, rf, rf.Size(), c.src.inspectBudget)
	if rep == nil {
		return nil
	}
	if rep.Format != d.Format {
		a["format"], a["role"] = rep.Format, local.FileRole(file, rep.Format)
	}
	return rep.Evidence(c.sid, file, rf.Size(), o)
}

// scans emits the Hub's scan verdicts on one file: the overall status,
// and each scanner's verdict that is not plainly safe.
func (c *collector) scans(file string, sec *security, o sources.Origin) {
	if sec.Status != "" {
		c.add(sources.KindScan, strings.ToLower(sec.Status), sources.Attrs("file", file, "scanner", "hub"), o)
	}
	for _, sc := range []struct {
		name string
		s    *scan
	}{{"av", sec.AVScan}, {"pickle_import", sec.PickleImport}, {"protectai", sec.ProtectAIScan}, {"jfrog", sec.JFrogScan}} {
		if sc.s == nil {
			continue
		}
		var risky []string
		for _, im := range sc.s.PickleImports {
			if safety := strings.ToLower(im.Safety); safety != "" && safety != "innocuous" {
				risky = append(risky, im.Module+"."+im.Name+":"+safety)
			}
		}
		status := strings.ToLower(sc.s.Status)
		if sc.s.VirusFound != nil && *sc.s.VirusFound && status == "" {
			status = "unsafe"
		}
		if status == "" || (status == "safe" || status == "unscanned") && len(risky) == 0 {
			continue
		}
		msg := sc.s.Message
		if len(sc.s.VirusNames) > 0 {
			msg = strings.TrimSpace(msg + " " + strings.Join(sc.s.VirusNames, ","))
		}
		c.add(sources.KindScan, status, sources.Attrs("file", file, "scanner", sc.name, "imports", strings.Join(risky, ","), "message", msg), o)
	}
}

// commits emits the repository's most recent commits.
func (c *collector) commits(ctx context.Context) {
	p := c.apiBase() + "/commits/" + c.sha
	alts := []string{c.apiBase() + "/commits/" + url.PathEscape(c.requested())}
	body, err := c.src.store.Get(ctx, Request{Path: p, Alternates: alts})
	if err != nil {
		if ctx.Err() == nil {
			c.fail("the commit history", err)
		}
		return
	}
	list, err := parseCommits(body)
	if err != nil {
		c.fail("the commit history", fmt.Errorf("%w: %s: %v", sources.ErrMalformed, c.locator(p, ""), err))
		return
	}
	o := c.origin(c.locator(p, ""), sources.Digest(body))
	for i, cm := range list {
		if i == c.src.maxCommits {
			break
		}
		if cm.ID == "" {
			continue
		}
		users := make([]string, 0, len(cm.Authors))
		for _, a := range cm.Authors {
			if a.User != "" {
				users = append(users, a.User)
			}
		}
		c.add(sources.KindCommit, cm.ID, sources.Attrs("authors", strings.Join(users, ","), "date", cm.Date,
			"title", cm.Title, "files", strings.Join(cm.Files, ",")), o)
	}
}

// rawFile reads one raw file of the repository at the resolved commit:
// from the local cache when it holds the commit, else from the store.
func (c *collector) rawFile(ctx context.Context, file string) ([]byte, sources.Origin, error) {
	if c.cached {
		data, abs, err := c.src.cache.ReadFile(c.subj.Kind, c.canon, c.sha, file, c.src.maxFileSize)
		if err == nil {
			return data, c.origin(abs, sources.Digest(data)), nil
		}
	}
	rev := c.sha
	if rev == "" {
		rev = c.requested()
	}
	p := c.rawPath(rev, file)
	o := c.origin(c.locator(p, ""), "")
	if c.src.store == nil {
		return nil, o, fmt.Errorf("%w: %s is not in the local Hugging Face cache", sources.ErrOffline, file)
	}
	var alts []string
	if rev != c.requested() {
		alts = []string{c.rawPath(c.requested(), file)}
	}
	data, err := c.src.store.Get(ctx, Request{Path: p, Alternates: alts})
	if err != nil {
		return nil, o, err
	}
	if int64(len(data)) > c.src.maxFileSize {
		return nil, o, fmt.Errorf("%w: %s is %d bytes, over the %d byte limit for metadata files", sources.ErrMalformed, file, len(data), c.src.maxFileSize)
	}
	if want, ok := c.sizes[file]; ok && int64(len(data)) != want {
		// A body cut short under a matching Content-Length, or a page a
		// proxy answered instead, would otherwise read as the file.
		return nil, o, fmt.Errorf("%w: %s: %d bytes read, but the file tree lists %d: the answer was cut short or replaced on the way; try again",
			sources.ErrMalformed, o.Locator, len(data), want)
	}
	o.Digest = sources.Digest(data)
	return data, o, nil
}

// metadata reads the card, the configuration files and the license file,
// and emits their evidence and lineage edges.
func (c *collector) metadata(ctx context.Context, info *repoInfo, infoO sources.Origin, listed []string) {
	owner, name, _ := strings.Cut(c.canon, "/")
	if name == "" {
		name = owner
	}
	in := modelcard.Input{Subject: c.subj, Names: []string{c.id, c.canon, name}, Resolve: resolveHub,
		Fingerprints: c.src.fingerprints}
	has := func(file string) bool {
		return listed == nil || slices.ContainsFunc(listed, func(n string) bool { return strings.EqualFold(n, file) })
	}
	actual := func(file string) string { // the listed spelling of a file
		for _, n := range listed {
			if strings.EqualFold(n, file) {
				return n
			}
		}
		return file
	}
	fileError := func(file, part string, err error, o sources.Origin) {
		c.addEv(modelcard.FileError(c.sid, file, part, err, o))
	}
	read := func(part string, names ...string) (string, []byte, sources.Origin, bool) {
		for _, n := range names {
			if !has(n) {
				continue
			}
			file := actual(n)
			data, o, err := c.rawFile(ctx, file)
			if err != nil {
				if listed == nil && errors.Is(err, sources.ErrNotFound) && !errors.Is(err, sources.ErrOffline) {
					continue // nothing listed the file, and it is not there
				}
				if ctx.Err() == nil {
					fileError(file, part, err, o)
					c.fail(file, err)
				}
				return file, nil, o, false
			}
			return file, data, o, true
		}
		return "", nil, sources.Origin{}, false
	}

	// The card.
	cardRead := false
	if file, data, o, ok := read("card", modelcard.CardFile); ok {
		card, err := modelcard.ParseCard(data)
		in.Card, in.CardOrigin, cardRead = card, o, true
		if err != nil {
			fileError(file, "card", err, o)
		}
		if card.ModelName != "" {
			in.Names = append(in.Names, card.ModelName)
		}
	} else if file != "" {
		c.add(sources.KindCard, "unavailable", nil, c.origin(o.Locator, ""))
	} else {
		c.add(sources.KindCard, "absent", nil, c.origin(c.locator(c.rawPath(c.revOrMain(), modelcard.CardFile), ""), ""))
	}
	if !cardRead && len(info.CardData) > 0 && string(info.CardData) != "null" {
		// The Hub's own parse of the card's metadata stands in for the
		// card's facts, without claiming the card was read.
		if card, err := modelcard.ParseCardMetadata("cardData", info.CardData); err == nil {
			in.Card, in.CardOrigin, in.CardMetadataOnly = card, infoO, true
		}
	}

	// config.json, or the Hub's summary of it.
	if file, data, o, ok := read("config", modelcard.ConfigFile); ok {
		if cfg, err := modelcard.ParseConfig(data); err != nil {
			fileError(file, "config", err, o)
		} else {
			in.Config, in.ConfigOrigin = cfg, o
		}
	}
	if in.Config == nil && len(info.Config) > 0 && string(info.Config) != "null" {
		if cfg, err := modelcard.ParseConfig(info.Config); err == nil {
			in.Config, in.ConfigOrigin = cfg, infoO
		}
	}
	if file, data, o, ok := read("adapter_config", modelcard.AdapterConfigFile); ok {
		if a, err := modelcard.ParseAdapterConfig(data); err != nil {
			fileError(file, "adapter_config", err, o)
		} else {
			in.Adapter, in.AdapterOrigin = a, o
		}
	}
	if file, data, o, ok := read("merge_config", modelcard.MergeConfigFile, "mergekit_config.yaml"); ok {
		if m, err := modelcard.ParseMergeConfig(data); err != nil {
			fileError(file, "merge_config", err, o)
		} else {
			in.Merge, in.MergeOrigin = m, o
		}
	}
	in.Quantized = quantized(c.canon, listed)
	in.Files = listed

	ev, edges := modelcard.Emit(in)
	c.addEv(ev...)
	c.edges = edges
	c.tagEdges(info, infoO, in, listed)

	if listed != nil {
		if file, data, o, ok := read("license", licensetext.FileNames()...); ok {
			c.addEv(c.src.classifier.Evidence(c.sid, file, data, o))
		}
	}
}

// revOrMain is the resolved commit, or the revision asked for.
func (c *collector) revOrMain() string {
	if c.sha != "" {
		return c.sha
	}
	return c.requested()
}

// quantized returns what marks a repository's weights as quantized: only
// GGUF weight files, or a name such as "-GPTQ".
func quantized(id string, files []string) []string {
	var out []string
	gguf, other := false, false
	for _, f := range files {
		d := local.DetectFormat(f, nil, 0)
		switch {
		case d.Format == local.FormatGGUF:
			gguf = true
		case local.FileRole(f, d.Format) == "weights":
			other = true
		}
	}
	// A repository shipping GGUF files next to full-precision weights
	// (google/gemma-7b-it does) is not a quantization of another model.
	if gguf && !other {
		out = append(out, "gguf")
	}
	if q := modelcard.QuantizedName(path.Base(id)); q != "" {
		out = append(out, "name:"+q)
	}
	return out
}

// tagEdges links the bases and datasets only the Hub's tags name
// (base_model:<relation>:<id>, dataset:<id>), when no card fact did.
func (c *collector) tagEdges(info *repoInfo, o sources.Origin, in modelcard.Input, listed []string) {
	linked := map[string]bool{}
	for _, e := range c.edges {
		linked[strings.ToLower(e.To.PURL)] = true
	}
	for _, t := range info.Tags {
		if rel, id, ok := baseModelTag(t); ok && rel != "" && sources.ValidHubID(id) && !strings.EqualFold(id, c.canon) && !strings.EqualFold(id, c.id) {
			to := sources.HubModel(id, "")
			if linked[strings.ToLower(to.PURL)] {
				continue
			}
			linked[strings.ToLower(to.PURL)] = true
			relation := tagRelation(rel, in, listed)
			evID := c.add(sources.KindBaseModel, id, sources.Attrs("declared_in", "tag", "relation", string(relation), "declared_relation", rel), o)
			c.edges = append(c.edges, sources.Edge{From: c.sid, To: to, Relation: relation, Declared: true, Evidence: []string{evID}, Origin: o})
		}
		if id, ok := strings.CutPrefix(t, "dataset:"); ok && sources.ValidHubID(id) {
			to := sources.HubDataset(id, "")
			if linked[strings.ToLower(to.PURL)] {
				continue
			}
			linked[strings.ToLower(to.PURL)] = true
			evID := c.add(sources.KindDataset, id, sources.Attrs("declared_in", "tag"), o)
			c.edges = append(c.edges, sources.Edge{From: c.sid, To: to, Relation: sources.RelTrainedOn, Declared: true, Evidence: []string{evID}, Origin: o})
		}
	}
}

// tagRelation decides the relation of a base named only by a Hub tag: the
// files' facts win, as in [modelcard.InferRelation], over the tag's word.
func tagRelation(tagRel string, in modelcard.Input, listed []string) sources.Relation {
	has := func(name string) bool {
		return slices.ContainsFunc(listed, func(n string) bool { return strings.EqualFold(n, name) })
	}
	f := modelcard.RelationFacts{Declared: tagRel, Adapter: in.Adapter != nil || has(modelcard.AdapterConfigFile),
		Merge: in.Merge != nil || has(modelcard.MergeConfigFile), Quantized: in.Quantized}
	return modelcard.InferRelation(f).Relation
}

// resolveHub maps a base reference in a Hub repository's files to a Hub
// model: only Hub ids resolve (a path on someone's disk does not).
func resolveHub(ref string) (sources.Subject, bool) {
	ref = strings.TrimSpace(ref)
	if strings.HasPrefix(ref, "hf:") || strings.Contains(ref, "huggingface.co/") {
		s, err := sources.ParseRef(ref)
		if err == nil && (s.Kind == sources.SubjectModel || s.Kind == sources.SubjectDataset) && !s.Local() {
			return s, true
		}
		return sources.Subject{}, false
	}
	if sources.ValidHubID(ref) && strings.Contains(ref, "/") {
		return sources.HubModel(ref, ""), true
	}
	return sources.Subject{}, false
}

// result returns the observation, with an error naming what could not be
// read when something could not.
func (c *collector) result(ctx context.Context) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obs := &sources.Observation{Subject: c.subj, Evidence: c.ev, Edges: c.edges}
	if len(c.problems) == 0 {
		return obs, nil
	}
	return obs, sources.Errorf(Name, c.subj, "collect", partialError(c.problems))
}

// partialError summarizes the parts that could not be read, grouped by
// cause, and classified by the first problem's sentinel (offline first, so
// that a partial snapshot reads as such). The file_error evidence carries
// each file's full error.
func partialError(ps []problem) error {
	var causes []string
	byCause := map[string][]string{}
	sentinel := error(nil)
	for _, p := range ps {
		cause := shortCause(p.err)
		if _, ok := byCause[cause]; !ok {
			causes = append(causes, cause)
		}
		byCause[cause] = append(byCause[cause], p.what)
		if errors.Is(p.err, sources.ErrOffline) {
			sentinel = sources.ErrOffline
		}
	}
	if sentinel == nil {
		for _, s := range []error{sources.ErrUnauthorized, sources.ErrRateLimited, sources.ErrNotFound, sources.ErrMalformed} {
			if errors.Is(ps[0].err, s) {
				sentinel = s
				break
			}
		}
	}
	parts := make([]string, len(causes))
	for i, cause := range causes {
		parts[i] = strings.Join(byCause[cause], ", ") + ": " + cause
	}
	msg := "could not read " + strings.Join(parts, "; ")
	if sentinel == nil {
		return errors.New(msg)
	}
	return fmt.Errorf("%w: %s", sentinel, msg)
}

// shortCause names the cause of a read failure in a few words.
func shortCause(err error) string {
	switch {
	case errors.Is(err, sources.ErrOffline):
		return "not in the offline snapshot"
	case errors.Is(err, sources.ErrUnauthorized):
		return "access refused (gated or private)"
	case errors.Is(err, sources.ErrRateLimited):
		return "rate limited"
	case errors.Is(err, sources.ErrNotFound):
		return "not found"
	}
	return err.Error()
}

// isSHA reports whether s is a full 40-hex commit id.
func isSHA(s string) bool {
	if len(s) != 40 {
		return false
	}
	for _, r := range s {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return false
		}
	}
	return true
}

// sizedFile is an open snapshot file with its size.
type sizedFile struct {
	*os.File
	size int64
}

// Size returns the file's size.
func (f sizedFile) Size() int64 { return f.size }

// headSize is how much of a cached file is read to detect its format.
const headSize = 4096

// readHead reads the first bytes of a file.
func readHead(p string) ([]byte, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	buf := make([]byte, headSize)
	n, err := io.ReadFull(f, buf)
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return nil, err
	}
	return buf[:n], nil
}
