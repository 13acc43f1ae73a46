package osv

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/google/osv-scanner/v2/pkg/models"
	"github.com/ossf/osv-schema/bindings/go/osvschema"

	"github.com/pedigree-ai/pedigree/sources"
)

// maxSummary bounds the length, in bytes, of a vulnerability's summary.
const maxSummary = 200

// collectFolder reads the dependencies of the local folder subj.
func (s *Source) collectFolder(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	root := filepath.Clean(subj.Path)
	info, err := os.Stat(root)
	switch {
	case err != nil:
		return nil, classify(err)
	case !info.IsDir():
		return nil, fmt.Errorf("%w: %s is a file, not a folder; give the folder holding the lockfiles", sources.ErrUnsupported, root)
	}
	sr, err := s.scan(ctx, scanRequest{dir: root, extractOnly: true})
	if err != nil {
		return nil, err
	}
	now := s.clock().UTC()
	sid := subj.ID()
	digests := map[string]string{}
	var ev []sources.Evidence
	type edgeKey struct{ base, version string }
	edges := map[edgeKey][]string{}
	edgeOrigin := map[edgeKey]sources.Origin{}
	for _, src := range sr.res.Results {
		file := filepath.Clean(src.Source.Path)
		rel, err := filepath.Rel(root, file)
		if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			continue
		}
		digest, ok := digests[file]
		if !ok {
			digest, err = fileDigest(file)
			if err != nil {
				return nil, fmt.Errorf("read %s: %w", file, err)
			}
			digests[file] = digest
		}
		origin := sources.Origin{Source: Name, Locator: file, Digest: digest, RetrievedAt: now}
		for _, pv := range src.Packages {
			p := pv.Package
			ref := pkgRef{Ecosystem: p.Ecosystem, Name: normalizeName(p.Ecosystem, p.Name), Version: p.Version}
			base, full, ok := ref.purl()
			if !ok {
				base, full, ok = inventoryPURL(pv)
			}
			if !ok {
				s.logger.Debug("package without a PURL left out", "source", Name, "file", file, "ecosystem", p.Ecosystem, "name", p.Name)
				continue
			}
			e := sources.NewEvidence(sid, sources.KindDependency, full, sources.Attrs(
				"ecosystem", p.Ecosystem, "name", p.Name, "version", p.Version, "file", filepath.ToSlash(rel)), origin)
			ev = append(ev, e)
			k := edgeKey{base, p.Version}
			if _, seen := edgeOrigin[k]; !seen {
				edgeOrigin[k] = origin
			}
			edges[k] = append(edges[k], e.ID)
		}
	}
	ev = dedupEvidence(ev)
	keys := make([]edgeKey, 0, len(edges))
	for k := range edges {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].base != keys[j].base {
			return keys[i].base < keys[j].base
		}
		return keys[i].version < keys[j].version
	})
	out := make([]sources.Edge, 0, len(keys))
	for _, k := range keys {
		to := sources.Subject{Kind: sources.SubjectPackage, PURL: k.base, Revision: k.version}
		to.Ref = to.ID()
		ids := slices.Compact(slices.Sorted(slices.Values(edges[k])))
		out = append(out, sources.Edge{From: sid, To: to, Relation: sources.RelDependsOn, Declared: true, Evidence: ids, Origin: edgeOrigin[k]})
	}
	return &sources.Observation{Subject: subj, Evidence: ev, Edges: out}, nil
}

// inventoryPURL returns the PURL osv-scalibr gives a package whose
// ecosystem has no PURL type here (Debian, Alpine, ...).
func inventoryPURL(pv models.PackageVulns) (base, full string, ok bool) {
	inv := pv.Package.Inventory
	if inv == nil {
		return "", "", false
	}
	p := inv.PURL()
	if p == nil || p.Type == "" || p.Name == "" {
		return "", "", false
	}
	full = p.String()
	v := p.Version
	p.Version = ""
	base = p.String()
	if v == "" {
		full = base
	}
	return base, full, true
}

// dedupEvidence sorts evidence by kind, value and file, and drops repeats
// (a file listing a package twice).
func dedupEvidence(ev []sources.Evidence) []sources.Evidence {
	sort.SliceStable(ev, func(i, j int) bool {
		a, b := ev[i], ev[j]
		if a.Value != b.Value {
			return a.Value < b.Value
		}
		if a.Attr("file") != b.Attr("file") {
			return a.Attr("file") < b.Attr("file")
		}
		return a.ID < b.ID
	})
	return slices.CompactFunc(ev, func(a, b sources.Evidence) bool { return a.ID == b.ID })
}

// collectPackage reads the advisories affecting the package subject subj.
func (s *Source) collectPackage(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	ref, err := parsePackage(subj)
	if err != nil {
		return nil, err
	}
	if err := s.checkDB(ref.Ecosystem); err != nil {
		return nil, err
	}
	_, full, _ := ref.purl()
	input, err := scannerInput(ref)
	if err != nil {
		return nil, err
	}
	req := scanRequest{generated: &generatedFile{parseAs: "osv-scanner", name: "package.json", data: input}}
	if s.dbDir != "" {
		root, err := s.matchRoot(ref.Ecosystem)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", sources.ErrOffline, err)
		}
		req.dbRoot = root
	}
	sr, err := s.scan(ctx, req)
	if err != nil {
		return nil, err
	}
	now := s.clock().UTC()
	sid := subj.ID()
	var origin sources.Origin
	if s.dbDir != "" {
		zip := s.zipPath(ref.Ecosystem)
		digest, err := s.zips.digest(zip)
		if err != nil {
			return nil, fmt.Errorf("%w: read %s: %v", sources.ErrOffline, zip, err)
		}
		origin = sources.Origin{Source: Name, Locator: zip, Digest: digest, RetrievedAt: now}
	}
	var ev []sources.Evidence
	seen := map[string]bool{}
	for _, src := range sr.res.Results {
		for _, pv := range src.Packages {
			if normalizeName(ref.Ecosystem, pv.Package.Name) != ref.Name || pv.Package.Version != ref.Version {
				continue
			}
			for _, v := range pv.Vulnerabilities {
				id := v.GetId()
				if id == "" || seen[id] {
					continue
				}
				seen[id] = true
				o := origin
				if s.dbDir == "" {
					loc := osvAPI + "/v1/vulns/" + id
					o = sources.Origin{Source: Name, Locator: loc, Digest: sr.bodies[loc], RetrievedAt: now}
				}
				ev = append(ev, sources.NewEvidence(sid, sources.KindVulnerability, id, vulnAttrs(v, pv.Groups, ref, full), o))
			}
		}
	}
	sort.Slice(ev, func(i, j int) bool { return ev[i].Value < ev[j].Value })
	return &sources.Observation{Subject: subj, Evidence: ev}, nil
}

// scannerInput returns an osv-scanner JSON result listing the one package
// ref, which osv-scanner reads back as the packages to query.
func scannerInput(ref pkgRef) ([]byte, error) {
	type pkg struct {
		Name      string `json:"name"`
		Version   string `json:"version"`
		Ecosystem string `json:"ecosystem"`
	}
	type entry struct {
		Package pkg `json:"package"`
	}
	type result struct {
		Source   map[string]string `json:"source"`
		Packages []entry           `json:"packages"`
	}
	doc := struct {
		Results []result `json:"results"`
	}{Results: []result{{
		Source:   map[string]string{"path": "package", "type": "lockfile"},
		Packages: []entry{{Package: pkg{Name: ref.Name, Version: ref.Version, Ecosystem: ref.Ecosystem}}},
	}}}
	return json.Marshal(doc)
}

// vulnAttrs returns the attributes of the vulnerability evidence of v
// affecting the package ref (full is its PURL with version).
func vulnAttrs(v *osvschema.Vulnerability, groups []models.GroupInfo, ref pkgRef, full string) map[string]string {
	var vectors []string
	for _, sev := range v.GetSeverity() {
		if strings.HasPrefix(sev.GetType().String(), "CVSS") && sev.GetScore() != "" {
			vectors = append(vectors, sev.GetScore())
		}
	}
	score := ""
	for _, g := range groups {
		if slices.Contains(g.IDs, v.GetId()) {
			score = g.MaxSeverity
			break
		}
	}
	rating := strings.ToUpper(v.GetDatabaseSpecific().GetFields()["severity"].GetStringValue())
	if rating == "" {
		rating = ratingOf(score)
	}
	return sources.Attrs(
		"aliases", strings.Join(v.GetAliases(), ","),
		"summary", clip(v.GetSummary(), maxSummary),
		"severity", rating,
		"cvss", strings.Join(vectors, ","),
		"score", score,
		"fixed", strings.Join(fixedVersions(v, ref), ","),
		"package", full,
	)
}

// ratingOf returns the CVSS v3 rating of a base score, "" when there is
// none.
func ratingOf(score string) string {
	f, err := strconv.ParseFloat(score, 64)
	switch {
	case err != nil || f <= 0:
		return ""
	case f >= 9:
		return "CRITICAL"
	case f >= 7:
		return "HIGH"
	case f >= 4:
		return "MEDIUM"
	}
	return "LOW"
}

// fixedVersions returns the versions fixing v for the package ref, in
// the order the record gives them.
func fixedVersions(v *osvschema.Vulnerability, ref pkgRef) []string {
	var out []string
	for _, a := range v.GetAffected() {
		p := a.GetPackage()
		eco, _, _ := strings.Cut(p.GetEcosystem(), ":")
		if eco != ref.Ecosystem || normalizeName(eco, p.GetName()) != ref.Name {
			continue
		}
		for _, r := range a.GetRanges() {
			for _, e := range r.GetEvents() {
				if f := e.GetFixed(); f != "" && !slices.Contains(out, f) {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// clip shortens s to at most n bytes on a rune boundary, marking the cut.
func clip(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) <= n {
		return s
	}
	cut := n - len("…")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// fileDigest returns "sha256:HEX" of the file at path.
func fileDigest(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}

// digestCache remembers the digests of the offline database's zip files,
// which are large and read for every package, until they change.
type digestCache struct {
	mu sync.Mutex
	m  map[string]cachedDigest
}

type cachedDigest struct {
	size    int64
	modTime time.Time
	digest  string
}

func newDigestCache() *digestCache { return &digestCache{m: map[string]cachedDigest{}} }

// digest returns the digest of the file at path, from the cache when its
// size and modification time are unchanged.
func (c *digestCache) digest(path string) (string, error) {
	info, err := os.Stat(path)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	d, ok := c.m[path]
	c.mu.Unlock()
	if ok && d.size == info.Size() && d.modTime.Equal(info.ModTime()) {
		return d.digest, nil
	}
	sum, err := fileDigest(path)
	if err != nil {
		return "", err
	}
	c.mu.Lock()
	c.m[path] = cachedDigest{size: info.Size(), modTime: info.ModTime(), digest: sum}
	c.mu.Unlock()
	return sum, nil
}
