package checkout

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/ossf/scorecard/v5/checker"
	"github.com/ossf/scorecard/v5/clients"
	"github.com/ossf/scorecard/v5/clients/localdir"
	"github.com/ossf/scorecard/v5/clients/ossfuzz"
	docs "github.com/ossf/scorecard/v5/docs/checks"
	sclog "github.com/ossf/scorecard/v5/log"
	sc "github.com/ossf/scorecard/v5/pkg/scorecard"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/scorecard"
)

// Name is the source's name in origins and statuses.
const Name = "scorecard-local"

// LinkerName is the Linker's name in origins and statuses.
const LinkerName = "checkout-link"

// FileChecks are the Scorecard checks that run on a local folder with no
// network, in Scorecard's names.
var FileChecks = []string{
	"Binary-Artifacts", "Dangerous-Workflow", "Dependency-Update-Tool", "License", "Packaging",
	"Pinned-Dependencies", "SAST", "Security-Policy", "Token-Permissions",
}

// fuzzingCheck needs the OSS-Fuzz project list besides the files.
const fuzzingCheck = "Fuzzing"

// Checkout is a local checkout of a code repository.
type Checkout struct {
	// Dir is the checkout's absolute path.
	Dir string
	// Repo is the subject the checkout stands for: the GitHub repository
	// its "origin" remote names (pkg:github/OWNER/REPO), else the local
	// repository file:///Dir.
	Repo sources.Subject
	// Commit is the commit HEAD points to; empty when it cannot be read
	// (no Git metadata, an unborn branch).
	Commit string
	// Remote is the "origin" remote's URL as configured; empty when none.
	Remote string
	// configDigest is the digest of the Git config the remote was read
	// from; empty when none was read.
	configDigest string
}

// Open reads the checkout at dir: its Git remote and HEAD commit, when it
// has Git metadata. It fails when dir is not a readable folder.
func Open(dir string) (Checkout, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return Checkout{}, fmt.Errorf("checkout %s: %w", dir, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return Checkout{}, fmt.Errorf("checkout %s: %w; give the folder of a local clone of the code repository", dir, err)
	}
	if !fi.IsDir() {
		return Checkout{}, fmt.Errorf("checkout %s is a file; give the folder of a local clone of the code repository", dir)
	}
	c := Checkout{Dir: abs, Repo: sources.Subject{Kind: sources.SubjectRepository, Ref: dir, Path: abs}}
	gd, err := gitDir(abs)
	if err != nil {
		return Checkout{}, fmt.Errorf("checkout %s: reading its Git metadata: %w", dir, err)
	}
	if gd == "" {
		return c, nil
	}
	c.Commit = head(gd)
	if cfg, err := readSmall(filepath.Join(gd, "config")); err == nil {
		c.Remote = remoteURL(cfg, "origin")
		if s, err := sources.ParseRef(httpsRemote(c.Remote)); err == nil && s.Kind == sources.SubjectRepository && strings.HasPrefix(s.PURL, "pkg:github/") {
			c.Repo = s
			c.configDigest = sources.Digest(cfg)
		}
	}
	return c, nil
}

// httpsRemote rewrites an scp-like SSH remote (git@github.com:OWNER/REPO.git)
// as the HTTPS URL of the same repository; other remotes are returned as
// they are.
func httpsRemote(remote string) string {
	user, rest, ok := strings.Cut(remote, "@")
	if !ok || strings.Contains(user, "/") || strings.Contains(remote, "://") {
		return remote
	}
	host, path, ok := strings.Cut(rest, ":")
	if !ok || host == "" || strings.Contains(host, "/") {
		return remote
	}
	return "https://" + host + "/" + strings.TrimPrefix(path, "/")
}

// ID returns the ID of the subject the checkout stands for.
func (c Checkout) ID() string { return c.Repo.ID() }

// matches reports whether subj is the subject c stands for, whatever the
// revision asked for.
func (c Checkout) matches(subj sources.Subject) bool {
	if subj.Path != "" {
		// A local folder of any kind is its own checkout: a model folder
		// that holds its code is scored where it is.
		return subj.Path == c.Dir
	}
	if subj.Kind != sources.SubjectRepository {
		return false
	}
	if c.Repo.Path != "" {
		return false
	}
	return subj.Path == "" && subj.PURL == c.Repo.PURL
}

// Options configure a Source.
type Options struct {
	// Checkouts are the local checkouts the source scores.
	Checkouts []Checkout
	// OSSFuzzStatusURL is where the OSS-Fuzz project list is read for the
	// Fuzzing check (ossfuzz.StatusURL online). Empty leaves the Fuzzing
	// check out, as an offline run must.
	OSSFuzzStatusURL string
	// Clock stamps Origin.RetrievedAt and the result's date; time.Now when nil.
	Clock func() time.Time
}

// Source runs Scorecard's checks over local checkouts. It is safe for
// concurrent use; runs are serialized.
type Source struct {
	checkouts []Checkout
	fuzzURL   string
	clock     func() time.Time
	mu        sync.Mutex // serializes scorecard runs
}

var _ sources.Source = (*Source)(nil)

// New returns a Source over the given checkouts.
func New(o Options) *Source {
	s := &Source{checkouts: slices.Clone(o.Checkouts), fuzzURL: o.OSSFuzzStatusURL, clock: o.Clock}
	if s.clock == nil {
		s.clock = time.Now
	}
	return s
}

// Name implements sources.Source.
func (s *Source) Name() string { return Name }

// Supports implements sources.Source: it serves the repository subjects its
// checkouts stand for, and a local folder that is itself a checkout.
func (s *Source) Supports(subj sources.Subject) bool {
	_, ok := s.checkout(subj)
	return ok
}

func (s *Source) checkout(subj sources.Subject) (Checkout, bool) {
	for _, c := range s.checkouts {
		if c.matches(subj) {
			return c, true
		}
	}
	return Checkout{}, false
}

// Checks returns the checks a run performs.
func (s *Source) Checks() []string {
	checks := slices.Clone(FileChecks)
	if s.fuzzURL != "" {
		checks = append(checks, fuzzingCheck)
	}
	slices.Sort(checks)
	return checks
}

// Collect implements sources.Source. It runs the checks over the checkout
// subj stands for and returns the aggregate evidence, then one per check,
// located at the checkout's file:// URL with the digest of Scorecard's JSON
// result. The aggregate's commit is the checkout's HEAD ("unknown" when it
// cannot be read) and its checks attribute lists the checks run.
func (s *Source) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c, ok := s.checkout(subj)
	if !ok {
		return nil, sources.Errorf(Name, subj, "collect", fmt.Errorf("%w: no local checkout was given for %s", sources.ErrUnsupported, subj))
	}
	op := "scorecard " + c.Dir
	body, err := s.run(ctx, c)
	if err != nil {
		return nil, sources.Errorf(Name, subj, op, err)
	}
	res, err := scorecard.Parse(body)
	if err != nil {
		return nil, sources.Errorf(Name, subj, op, fmt.Errorf("%w: scorecard's result: %v", sources.ErrMalformed, err))
	}
	origin := sources.Origin{Source: Name, Locator: sources.FileURL(c.Dir), Digest: sources.Digest(body), RetrievedAt: s.clock()}
	obs, problems := scorecard.Observe(subj, res, origin)
	for i, e := range obs.Evidence {
		if e.Attr("check") != scorecard.AggregateCheck {
			continue
		}
		attrs := map[string]string{"checks": strings.Join(s.Checks(), ","), "mode": "local"}
		for k, v := range e.Attrs {
			attrs[k] = v
		}
		obs.Evidence[i] = sources.NewEvidence(e.Subject, e.Kind, e.Value, attrs, e.Origin)
	}
	if len(problems) > 0 {
		return obs, sources.Errorf(Name, subj, op, fmt.Errorf("%w: %s", sources.ErrMalformed, strings.Join(problems, "; ")))
	}
	return obs, nil
}

// run runs Scorecard over the checkout and returns its JSON result.
func (s *Source) run(ctx context.Context, c Checkout) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	repo, err := localdir.MakeLocalDirRepo(c.Dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", sources.ErrNotFound, err)
	}
	opts := []sc.Option{
		sc.WithLogLevel(sclog.PanicLevel),
		sc.WithChecks(s.Checks()),
		sc.WithVulnerabilitiesClient(notRun{}),
	}
	if s.fuzzURL != "" {
		opts = append(opts, sc.WithOSSFuzzClient(ossfuzz.CreateOSSFuzzClient(s.fuzzURL)))
	}
	res, err := sc.Run(ctx, repo, opts...)
	if err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("running scorecard's checks: %w", err)
	}
	// Checks run concurrently and are listed as they finish: sort them,
	// so the same checkout gives the same bytes and digest.
	slices.SortFunc(res.Checks, func(a, b checker.CheckResult) int { return strings.Compare(a.Name, b.Name) })
	res.Date = s.clock().UTC().Truncate(time.Second)
	res.Repo.Name = c.ID()
	if c.Repo.Path == "" {
		res.Repo.Name = "github.com/" + strings.TrimPrefix(c.Repo.PURL, "pkg:github/")
	}
	res.Repo.CommitSHA = c.Commit
	if res.Repo.CommitSHA == "" {
		res.Repo.CommitSHA = "unknown"
	}
	res.Scorecard.Version = moduleVersion()
	res.Scorecard.CommitSHA = "unknown"
	doc, err := docs.Read()
	if err != nil {
		return nil, fmt.Errorf("reading scorecard's check documentation: %w", err)
	}
	var buf bytes.Buffer
	if err := res.AsJSON2(&buf, doc, &sc.AsJSON2ResultOption{LogLevel: sclog.DefaultLevel}); err != nil {
		return nil, fmt.Errorf("writing scorecard's result: %w", err)
	}
	return buf.Bytes(), nil
}

// moduleVersion returns the version of the Scorecard module linked in.
func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok {
		for _, m := range bi.Deps {
			if m.Path == "github.com/ossf/scorecard/v5" {
				return m.Version
			}
		}
	}
	return "unknown"
}

// errNotRun is what the Vulnerabilities check would say, were it asked.
var errNotRun = errors.New("scorecard's Vulnerabilities check is not run on local checkouts; pedigree's osv source reads the checkout's manifests instead")

// notRun is a VulnerabilitiesClient that never reaches the network.
type notRun struct{}

// ListUnfixedVulnerabilities implements clients.VulnerabilitiesClient.
func (notRun) ListUnfixedVulnerabilities(context.Context, string, string) (clients.VulnerabilitiesResponse, error) {
	return clients.VulnerabilitiesResponse{}, errNotRun
}

// Linker is a supplementary source that links the assessed subjects to
// local checkouts of their code with code_repository edges, for a
// checkout their metadata does not link.
type Linker struct {
	roots     []sources.Subject
	checkouts []Checkout
	clock     func() time.Time
}

var (
	_ sources.Source        = (*Linker)(nil)
	_ sources.Supplementary = (*Linker)(nil)
)

// NewLinker returns a Linker that links each of roots to every checkout.
// clock stamps the evidence; time.Now when nil.
func NewLinker(roots []sources.Subject, checkouts []Checkout, clock func() time.Time) *Linker {
	if clock == nil {
		clock = time.Now
	}
	return &Linker{roots: slices.Clone(roots), checkouts: slices.Clone(checkouts), clock: clock}
}

// Name implements sources.Source.
func (l *Linker) Name() string { return LinkerName }

// Supplementary implements sources.Supplementary: the link adds to what
// other sources read of the subject.
func (l *Linker) Supplementary() bool { return true }

// Supports implements sources.Source: it serves the roots, whatever the
// revision.
func (l *Linker) Supports(subj sources.Subject) bool {
	for _, r := range l.roots {
		if r.Kind == subj.Kind && r.PURL == subj.PURL && r.Path == subj.Path {
			return true
		}
	}
	return false
}

// Collect implements sources.Source: one link evidence and one
// code_repository edge per checkout.
func (l *Linker) Collect(ctx context.Context, subj sources.Subject) (*sources.Observation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	obs := &sources.Observation{Subject: subj}
	for _, c := range l.checkouts {
		if subj.Path == c.Dir {
			continue // the subject is the checkout: it is scored itself
		}
		o := sources.Origin{Source: LinkerName, Locator: sources.FileURL(c.Dir), Digest: c.configDigest, RetrievedAt: l.clock()}
		ev := sources.NewEvidence(subj.ID(), sources.KindLink, c.ID(), sources.Attrs(
			"relation", string(sources.RelCodeRepository), "declared_in", "--scorecard-local", "remote", c.Remote), o)
		obs.Evidence = append(obs.Evidence, ev)
		obs.Edges = append(obs.Edges, sources.Edge{From: subj.ID(), To: c.Repo, Relation: sources.RelCodeRepository,
			Declared: true, Evidence: []string{ev.ID}, Origin: o})
	}
	return obs, nil
}
