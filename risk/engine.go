package risk

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"log/slog"
	"runtime/debug"
	"sync"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
)

// DefaultMaxDepth is how many edges deep the engine walks a lineage by default.
const DefaultMaxDepth = 10

// MaxDepthLimit is the largest depth WithMaxDepth accepts. Lineage rules
// explain every inherited finding with its chain, so their work grows with
// the cube of a chain's length; real lineages are rarely deeper than 10.
const MaxDepthLimit = 100

// Default limits of one assessment (see [Limits]).
const (
	// DefaultMaxNodes is how many subjects one lineage graph may hold.
	DefaultMaxNodes = 1000
	// DefaultMaxEdges is how many links of one subject the walk follows.
	DefaultMaxEdges = 1000
	// DefaultMaxEvidence is how many pieces of evidence one subject may
	// carry. It is above what the built-in sources produce for the largest
	// repository they read in full (sources/local inventories 100,000 files,
	// the Hub's listing at most 200 pages).
	DefaultMaxEvidence = 250_000
)

// Limits bound the memory and time of one assessment, so that no lineage,
// however large or hostile, makes the engine use unbounded resources.
// Whatever a limit cuts off is reported, never dropped silently: a subject
// whose links were not all followed carries the count in
// [Node.Unfollowed], one with too much evidence is failed, one whose time
// ran out is failed or skipped with the reason; the lineage-unresolvable
// rule turns each into an unknown finding.
type Limits struct {
	// Nodes bounds the subjects of one lineage graph (0: DefaultMaxNodes).
	// Links to further subjects are not followed.
	Nodes int
	// Edges bounds the links followed from one subject (0:
	// DefaultMaxEdges). Lineage links are kept before other links.
	Edges int
	// Evidence bounds the evidence of one subject (0: DefaultMaxEvidence).
	// A subject with more is failed: a part of its evidence could hide the
	// risk that the rest does not show.
	Evidence int
	// Timeout bounds the walk of one assessment, and separately the
	// evaluation of its rules (0: no bound). When the walk's time passes,
	// the subjects read so far are scored and the rest are failed or
	// skipped with the reason; when the evaluation's passes, the checks not
	// yet run are error findings.
	Timeout time.Duration
}

// DefaultLimits returns the limits an Engine has unless WithLimits says otherwise.
func DefaultLimits() Limits {
	return Limits{Nodes: DefaultMaxNodes, Edges: DefaultMaxEdges, Evidence: DefaultMaxEvidence}
}

// Engine assesses subjects: it walks each subject's lineage with its
// sources, runs its rules over the evidence and scores the findings.
//
// An Engine is safe for concurrent use. It remembers what its sources said
// about each subject for its lifetime (bounded by WithCacheSize), so
// ancestors shared by many assessed models are read once per Engine.
type Engine struct {
	mux         *sources.Mux
	rules       []Rule
	policy      *Policy
	clock       func() time.Time
	concurrency int
	maxDepth    int
	limits      Limits
	log         *slog.Logger
	tool        ToolInfo

	sem   chan struct{} // bounds concurrent source collections
	cache *collectCache
}

// ToolInfo names the program that made a report.
type ToolInfo struct {
	Name    string `json:"name"`
	Version string `json:"version"`
}

type config struct {
	mux         *sources.Mux
	srcs        []sources.Source
	rules       []Rule
	rulesSet    bool
	policy      *Policy
	clock       func() time.Time
	concurrency int
	maxDepth    int
	limits      Limits
	log         *slog.Logger
	tool        *ToolInfo
	cacheSize   int
}

// Option configures an Engine.
type Option func(*config) error

// WithSources installs sources, in order, in addition to any given by WithMux.
func WithSources(srcs ...sources.Source) Option {
	return func(c *config) error {
		for _, s := range srcs {
			if s == nil {
				return errors.New("risk: WithSources: nil source")
			}
		}
		c.srcs = append(c.srcs, srcs...)
		return nil
	}
}

// WithMux installs the sources of m.
func WithMux(m *sources.Mux) Option {
	return func(c *config) error {
		if m == nil {
			return errors.New("risk: WithMux: nil mux")
		}
		c.mux = m
		return nil
	}
}

// WithRules replaces the default rule catalog with rules.
func WithRules(rules ...Rule) Option {
	return func(c *config) error {
		seen := map[string]bool{}
		for _, r := range rules {
			if r.Def.ID == "" || r.Check == nil {
				return fmt.Errorf("risk: WithRules: rule %q needs an ID and a check", r.Def.ID)
			}
			if seen[r.Def.ID] {
				return fmt.Errorf("risk: WithRules: rule %q given twice", r.Def.ID)
			}
			seen[r.Def.ID] = true
		}
		c.rules, c.rulesSet = rules, true
		return nil
	}
}

// WithPolicy sets the policy; the default is DefaultPolicy().
func WithPolicy(p *Policy) Option {
	return func(c *config) error {
		if p == nil {
			return errors.New("risk: WithPolicy: nil policy")
		}
		c.policy = p
		return nil
	}
}

// WithClock sets the clock used for report times, waiver expiry and rules.
func WithClock(now func() time.Time) Option {
	return func(c *config) error {
		if now == nil {
			return errors.New("risk: WithClock: nil clock")
		}
		c.clock = now
		return nil
	}
}

// WithConcurrency bounds how many source collections run at once (default 8).
func WithConcurrency(n int) Option {
	return func(c *config) error {
		if n < 1 {
			return fmt.Errorf("risk: WithConcurrency(%d): need at least 1", n)
		}
		c.concurrency = n
		return nil
	}
}

// WithMaxDepth bounds how many edges deep the lineage walk goes (default
// DefaultMaxDepth, at most MaxDepthLimit). Subjects beyond it are recorded
// as skipped.
func WithMaxDepth(n int) Option {
	return func(c *config) error {
		if n < 1 || n > MaxDepthLimit {
			return fmt.Errorf("risk: WithMaxDepth(%d): need 1 to %d", n, MaxDepthLimit)
		}
		c.maxDepth = n
		return nil
	}
}

// WithLimits sets the limits of each assessment. A zero field keeps its
// default (see [Limits]); a negative one is an error.
func WithLimits(l Limits) Option {
	return func(c *config) error {
		if l.Nodes < 0 || l.Edges < 0 || l.Evidence < 0 || l.Timeout < 0 {
			return fmt.Errorf("risk: WithLimits(%+v): limits must be 0 (the default) or more", l)
		}
		d := DefaultLimits()
		if l.Nodes == 0 {
			l.Nodes = d.Nodes
		}
		if l.Edges == 0 {
			l.Edges = d.Edges
		}
		if l.Evidence == 0 {
			l.Evidence = d.Evidence
		}
		c.limits = l
		return nil
	}
}

// WithLogger sets the logger for debug messages; the default discards them.
func WithLogger(l *slog.Logger) Option {
	return func(c *config) error {
		if l == nil {
			return errors.New("risk: WithLogger: nil logger")
		}
		c.log = l
		return nil
	}
}

// WithTool sets the tool name and version written into reports; the
// default is "pedigree" and the module version from the build information.
func WithTool(t ToolInfo) Option {
	return func(c *config) error {
		c.tool = &t
		return nil
	}
}

// WithCacheSize bounds how many subjects' observations the engine
// remembers (default 4096). Zero turns the memory off.
func WithCacheSize(n int) Option {
	return func(c *config) error {
		if n < 0 {
			return fmt.Errorf("risk: WithCacheSize(%d): need 0 or more", n)
		}
		c.cacheSize = n
		return nil
	}
}

// New returns an Engine configured by opts. With no options it has no
// sources (every subject is skipped), the default rules and the default policy.
func New(opts ...Option) (*Engine, error) {
	c := config{concurrency: 8, maxDepth: DefaultMaxDepth, limits: DefaultLimits(), cacheSize: 4096}
	for _, o := range opts {
		if err := o(&c); err != nil {
			return nil, err
		}
	}
	mux := &sources.Mux{}
	if c.mux != nil {
		for _, s := range c.mux.Sources() {
			if err := mux.Register(s); err != nil {
				return nil, fmt.Errorf("risk: %w", err)
			}
		}
	}
	for _, s := range c.srcs {
		if err := mux.Register(s); err != nil {
			return nil, fmt.Errorf("risk: %w", err)
		}
	}
	if !c.rulesSet {
		c.rules = DefaultRules()
	}
	if c.policy == nil {
		c.policy = DefaultPolicy()
	}
	if c.clock == nil {
		c.clock = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	tool := DefaultTool()
	if c.tool != nil {
		tool = *c.tool
	}
	return &Engine{
		mux: mux, rules: c.rules, policy: c.policy, clock: c.clock,
		concurrency: c.concurrency, maxDepth: c.maxDepth, limits: c.limits, log: c.log, tool: tool,
		sem: make(chan struct{}, c.concurrency), cache: newCollectCache(c.cacheSize),
	}, nil
}

// Rules returns the engine's rules, in catalog order.
func (e *Engine) Rules() []Rule { return append([]Rule(nil), e.rules...) }

// Policy returns the engine's policy.
func (e *Engine) Policy() *Policy { return e.policy }

// DefaultTool returns the tool information reports carry by default:
// "pedigree" and the module version from the build information ("devel"
// when built from a work tree).
func DefaultTool() ToolInfo { return ToolInfo{Name: "pedigree", Version: moduleVersion()} }

func moduleVersion() string {
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}

// Assess walks s's lineage, evaluates the rules and returns the report.
// Whatever sources and rules say is data in the report, including a subject
// that cannot be read and a walk cut short by the limits' Timeout. Assess
// returns an error only when s is the zero Subject or ctx is done.
func (e *Engine) Assess(ctx context.Context, s sources.Subject) (*Report, error) {
	if s.IsZero() {
		return nil, errors.New("risk: Assess: zero subject")
	}
	wctx := ctx
	if e.limits.Timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeoutCause(ctx, e.limits.Timeout, errTimeLimit)
		defer cancel()
	}
	g, err := e.walk(wctx, s)
	if err != nil {
		return nil, err
	}
	// The rules get a time limit of their own: a walk cut short by its
	// limit is still evaluated.
	ectx := ctx
	if e.limits.Timeout > 0 {
		var cancel context.CancelFunc
		ectx, cancel = context.WithTimeoutCause(ctx, e.limits.Timeout, errTimeLimit)
		defer cancel()
	}
	now := e.clock()
	findings, waivers := e.evaluateWithin(ectx, g, now)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return e.report(s, g, findings, waivers, now), nil
}

// Sink receives the reports of AssessAll, one at a time, in the order of
// the subjects. A Sink may also implement Flush() error, called once after
// the last report.
type Sink interface {
	Report(r *Report) error
}

// SinkFunc adapts a function to a Sink.
type SinkFunc func(*Report) error

// Report implements Sink.
func (f SinkFunc) Report(r *Report) error { return f(r) }

// AssessAll assesses every subject of subjects, up to the engine's
// concurrency at once, and hands each report to sink in the order of the
// subjects. A subject that cannot be read is a report like any other.
// A subject whose time limit passes is a report too (see [Limits]).
// AssessAll stops and returns an error only when the sink fails or ctx is done.
func (e *Engine) AssessAll(ctx context.Context, subjects iter.Seq[sources.Subject], sink Sink) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()

	type result struct {
		i   int
		r   *Report
		err error
	}
	workers := e.concurrency
	jobs := make(chan struct {
		i int
		s sources.Subject
	})
	results := make(chan result, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				r, err := e.Assess(ctx, j.s)
				select {
				case results <- result{j.i, r, err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		defer close(jobs)
		i := 0
		for s := range subjects {
			select {
			case jobs <- struct {
				i int
				s sources.Subject
			}{i, s}:
			case <-ctx.Done():
				return
			}
			i++
		}
	}()
	go func() { wg.Wait(); close(results) }()

	pending := map[int]*Report{}
	next := 0
	var firstErr error
	for res := range results {
		if firstErr != nil {
			continue
		}
		if res.err != nil {
			firstErr = res.err
			cancel()
			continue
		}
		pending[res.i] = res.r
		for r, ok := pending[next]; ok; r, ok = pending[next] {
			delete(pending, next)
			next++
			if err := sink.Report(r); err != nil {
				firstErr = fmt.Errorf("risk: sink: %w", err)
				cancel()
				break
			}
		}
	}
	if firstErr == nil {
		firstErr = ctx.Err()
	}
	if firstErr != nil {
		return firstErr
	}
	if f, ok := sink.(interface{ Flush() error }); ok {
		if err := f.Flush(); err != nil {
			return fmt.Errorf("risk: sink: %w", err)
		}
	}
	return nil
}
