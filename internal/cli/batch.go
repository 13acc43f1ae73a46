package cli

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"iter"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/batch"
	"github.com/pedigree-ai/pedigree/catalog"
	"github.com/pedigree-ai/pedigree/risk"
	"github.com/pedigree-ai/pedigree/risk/report"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
)

// batchMaxWait is the longest rate-limit wait of a batch run: a whole
// window of the Hub's quota (5 minutes), and some.
const batchMaxWait = 6 * time.Minute

// batchFlags are the flags of pedigree batch.
type batchFlags struct {
	af            assessFlags
	output        string
	statePath     string
	jobs          int
	retryFailed   bool
	shard         string
	summary       bool
	summaryFormat string
	summaryOut    string
	summaryTop    int
	progress      string
}

func (st *state) batchCommand() *cobra.Command {
	var f batchFlags
	cmd := &cobra.Command{
		Use:   "batch CATALOG",
		Short: "Assess every subject of a catalog: resumable, shardable, JSON Lines out",
		Long: `Assess every subject of CATALOG and write one JSON report per line.

CATALOG is a text file of references (one a line, # comments), a CSV file with a
"ref" column (the other columns are carried into each report's labels), a JSON
Lines file of {"ref": ...} objects, a CycloneDX BOM (its model and data
components), "-" for standard input, or a Hugging Face Hub query:

  hf-search:author=OWNER
  hf-search:filter=base_model:finetune:OWNER/NAME&limit=N

Results are committed one by one to a state database (--state, default beside the
output), so a run that is killed can be run again with the same command: finished
subjects are not assessed again, and the output has every subject once, in catalog
order. A subject that could not be read is recorded as failed and assessed again
with --retry-failed. A catalog line that cannot be read is reported with its line
number and the others go on.

--shard I/N assesses the I-th of N deterministic parts of the catalog (by a stable
hash of each reference); --shard N reads I from JOB_COMPLETION_INDEX, as set in a
Kubernetes Indexed Job. 'pedigree batch merge' joins the shards' outputs.

Exit codes: 0 every subject assessed; 1 a runtime error, or subjects that failed
(run again with --retry-failed); 2 a usage error or catalog lines that could not be
read (the others are still assessed).`,
		Example: `  pedigree batch models.txt -o results.jsonl --summary
  pedigree batch 'hf-search:author=TheBloke&limit=500' -o thebloke.jsonl --jobs 16
  pedigree batch catalog.csv -o shard-1.jsonl --shard 1/4
  pedigree batch merge catalog.csv shard-*.jsonl -o results.jsonl`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			return st.runBatch(cmd.Context(), f, args[0])
		},
	}
	f.af.register(cmd)
	fl := cmd.Flags()
	fl.StringVarP(&f.output, "output", "o", "", "write the JSON Lines reports to this file (default: standard output)")
	fl.StringVar(&f.statePath, "state", "", "state database of the run (default: the output file with .state appended, or pedigree-batch.state)")
	fl.IntVar(&f.jobs, "jobs", 8, "assess this many subjects at once")
	fl.BoolVar(&f.retryFailed, "retry-failed", false, "assess again the subjects a previous run recorded as failed")
	fl.StringVar(&f.shard, "shard", "", "assess only part I of N of the catalog (I/N, 0-based; or N with I from JOB_COMPLETION_INDEX)")
	fl.BoolVar(&f.summary, "summary", false, "print a summary: counts per level and rule, the riskiest subjects, the ancestors carrying the most risk")
	fl.StringVar(&f.summaryFormat, "summary-format", "table", "summary format: table, csv, markdown or html")
	fl.StringVar(&f.summaryOut, "summary-out", "", "write the summary to this file (default: standard error, or standard output when -o is set)")
	fl.IntVar(&f.summaryTop, "summary-top", 10, "how many riskiest subjects and ancestors the summary lists")
	fl.StringVar(&f.progress, "progress", "auto", "progress display: auto (a bar on a terminal, lines otherwise), bar, lines or none")
	cmd.AddCommand(st.batchMergeCommand())
	return cmd
}

// shardOf reads --shard: "I/N", or "N" with I from JOB_COMPLETION_INDEX.
// It returns 0, 1 when no shard is asked for.
func (st *state) shardOf(s string) (index, count int, err error) {
	if s == "" {
		return 0, 1, nil
	}
	if !strings.Contains(s, "/") {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			return 0, 0, usageErr("--shard %q: want I/N, or N with the index in JOB_COMPLETION_INDEX", s)
		}
		idx := st.getenv("JOB_COMPLETION_INDEX")
		if idx == "" {
			return 0, 0, usageErr("--shard %s: JOB_COMPLETION_INDEX is not set; give --shard I/%d", s, n)
		}
		s = idx + "/" + s
	}
	i, n, err := batch.ParseShard(s)
	if err != nil {
		return 0, 0, usageErr("--shard: %v", err)
	}
	return i, n, nil
}

// batchEntry is one catalog entry to assess.
type batchEntry struct {
	key    string
	labels map[string]string
}

// batchRun is the state of one batch run.
type batchRun struct {
	st       *state
	f        batchFlags
	store    *batch.Store
	done     map[string]batch.Status
	index    int
	count    int
	prefill  *huggingface.Prefilled
	progress *progress

	mu      sync.Mutex
	keys    []string     // every key of this shard, in catalog order
	queue   []batchEntry // keys handed to the engine, not yet reported
	listErr error        // a failure of the catalog listing
	bad     int          // catalog entries that could not be read
	failed  int          // subjects recorded as failed in this run
	putErr  error        // the first failure to record a report

	puts    chan struct{}  // bounds the reports being recorded at once
	putting sync.WaitGroup // the reports being recorded
}

func (st *state) runBatch(ctx context.Context, f batchFlags, src string) error {
	if f.jobs < 1 {
		return usageErr("--jobs %d: need at least 1", f.jobs)
	}
	switch f.progress {
	case "auto", "bar", "lines", "none":
	default:
		return usageErr("--progress %q: want auto, bar, lines or none", f.progress)
	}
	if f.summary {
		if err := batch.WriteSummary(io.Discard, batch.NewSummary(1), f.summaryFormat); err != nil {
			return usageErr("--summary-format: %v", err)
		}
	}
	// A catalog run paces itself to the Hub's quota: a subject waits out
	// the rate-limit window rather than failing as rate limited.
	f.af.hub.maxWait = batchMaxWait
	index, count, err := st.shardOf(f.shard)
	if err != nil {
		return err
	}
	query, isSearch, err := catalog.ParseHubSearch(src)
	if err != nil {
		return usageErr("%v", err)
	}
	var entries []catalog.Entry
	if !isSearch {
		if entries, err = st.readCatalog(src); err != nil {
			return err
		}
	}
	statePath := f.statePath
	if statePath == "" {
		statePath = "pedigree-batch.state"
		if f.output != "" && f.output != "-" {
			statePath = f.output + ".state"
		}
	}
	store, err := batch.Open(ctx, statePath)
	if err != nil {
		return runtimeErr(fmt.Errorf("--state: %w", err))
	}
	defer store.Close()
	done, err := store.Statuses(ctx)
	if err != nil {
		return runtimeErr(fmt.Errorf("--state: %w", err))
	}
	run := &batchRun{st: st, f: f, store: store, done: done, index: index, count: count,
		puts: make(chan struct{}, f.jobs)}

	var prefillWrap func(huggingface.Store) (huggingface.Store, error)
	var online *huggingface.Online
	if isSearch {
		prefillWrap = func(s huggingface.Store) (huggingface.Store, error) {
			o, ok := s.(*huggingface.Online)
			if !ok {
				return nil, usageErr("%s: an hf-search catalog lists models through the Hub's API; it cannot be read offline (--offline, HF_HUB_OFFLINE)", src)
			}
			online = o
			run.prefill = huggingface.Prefill(o)
			return run.prefill, nil
		}
	}
	eng, _, err := st.engine(f.af, nil, prefillWrap, risk.WithConcurrency(f.jobs))
	if err != nil {
		return err
	}
	if isSearch && online == nil {
		return usageErr("%s: an hf-search catalog lists models through the Hub's API; it cannot be read offline (--offline, HF_HUB_OFFLINE)", src)
	}

	var subjects iter.Seq[sources.Subject]
	total := -1
	if isSearch {
		if query.Limit > 0 {
			total = query.Limit
		}
		subjects = run.searchSubjects(ctx, online, query)
	} else {
		todo := run.plan(entries)
		total = len(todo)
		subjects = run.listSubjects(todo)
	}
	run.progress = newProgress(st.stderr, f.progress, total, st.isTerminal())
	err = eng.AssessAll(ctx, subjects, risk.SinkFunc(run.sink))
	run.putting.Wait()
	if err == nil {
		err = run.putError()
	}
	run.progress.finish()
	if err != nil {
		return runtimeErr(fmt.Errorf("batch: %w (the results so far are kept in %s; run the same command again to go on)", err, statePath))
	}
	if run.listErr != nil {
		st.fail(ExitError, fmt.Errorf("%s: %v (the subjects listed so far were assessed; run the same command again to go on)", src, run.listErr))
	}

	// The output is written from the state, in catalog order, so that it
	// holds every finished subject once whatever runs produced them.
	var missing []string
	err = st.writeOutputStream(f.output, func(w io.Writer) error {
		var err error
		missing, err = batch.Export(ctx, store, run.keys, w)
		return err
	})
	if err != nil {
		return err
	}
	if len(missing) > 0 {
		st.fail(ExitError, fmt.Errorf("%d subjects have no result (first: %s); run the same command again", len(missing), missing[0]))
	}
	nDone, nFailed := 0, 0
	for _, k := range run.keys {
		switch run.statusOf(k) {
		case batch.StatusDone:
			nDone++
		case batch.StatusFailed:
			nFailed++
		}
	}
	if nFailed > 0 {
		st.fail(ExitError, fmt.Errorf("%d of %d subjects could not be read, in whole or in part (a rate limit, a network error, the time limit), and are recorded as failed in %s; run again with --retry-failed to retry them", nFailed, len(run.keys), statePath))
	}
	fmt.Fprintf(st.stderr, "pedigree: batch: %d subjects: %d assessed, %d failed, %d catalog entries unreadable\n", len(run.keys), nDone, nFailed, run.bad)
	if f.summary {
		return run.writeSummary(ctx)
	}
	return nil
}

// statusOf returns the recorded status of key after the run.
func (r *batchRun) statusOf(key string) batch.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.done[key]
}

// readCatalog reads a catalog file, or standard input for "-".
func (st *state) readCatalog(src string) ([]catalog.Entry, error) {
	var rd io.Reader
	name := src
	if src == "-" {
		rd, name = st.stdin, "standard input"
	} else {
		f, err := os.Open(src)
		if err != nil {
			return nil, usageErr("%v; give a catalog file (text, CSV, JSON Lines or CycloneDX), - for standard input, or an hf-search: query", err)
		}
		defer f.Close()
		rd = f
	}
	entries, err := catalog.Read(rd, name)
	if err != nil {
		return nil, usageErr("%v", err)
	}
	return entries, nil
}

// plan reports the catalog's bad entries, keeps this shard's, and returns
// those still to assess; every key of the shard is remembered for the
// output.
func (r *batchRun) plan(entries []catalog.Entry) []batchEntry {
	var todo []batchEntry
	for _, e := range entries {
		if e.Err != nil {
			r.bad++
			r.st.fail(ExitUsage, e.Err)
			continue
		}
		if batch.ShardOf(e.Ref, r.count) != r.index {
			continue
		}
		r.keys = append(r.keys, e.Ref)
		if r.skip(e.Ref) {
			continue
		}
		todo = append(todo, batchEntry{key: e.Ref, labels: e.Labels})
	}
	return todo
}

// skip reports whether key was finished by an earlier run.
func (r *batchRun) skip(key string) bool {
	switch r.done[key] {
	case batch.StatusDone:
		return true
	case batch.StatusFailed:
		return !r.f.retryFailed
	}
	return false
}

// listSubjects hands the entries to the engine, queueing each key for the
// sink. An entry whose reference cannot be resolved is recorded at once.
func (r *batchRun) listSubjects(todo []batchEntry) iter.Seq[sources.Subject] {
	return func(yield func(sources.Subject) bool) {
		for _, e := range todo {
			if !r.offer(e, yield) {
				return
			}
		}
	}
}

// offer resolves an entry and hands it to the engine; a reference that
// does not resolve is recorded as failed without assessing it.
func (r *batchRun) offer(e batchEntry, yield func(sources.Subject) bool) bool {
	subj, err := resolveRef(e.key)
	if err != nil {
		r.recordUnassessable(e.key, err)
		return true
	}
	r.mu.Lock()
	r.queue = append(r.queue, e)
	r.mu.Unlock()
	return yield(subj)
}

// recordUnassessable records an entry that cannot be assessed at all.
func (r *batchRun) recordUnassessable(key string, err error) {
	r.st.fail(ExitUsage, fmt.Errorf("%s: %v", key, err))
	r.mu.Lock()
	r.bad++
	r.mu.Unlock()
	r.progress.add(false)
}

// searchSubjects lists the models of an hf-search query, page by page,
// and hands those of this shard not yet finished to the engine, each with
// its listing record prefilled so the Hub is not asked for it again.
func (r *batchRun) searchSubjects(ctx context.Context, o *huggingface.Online, q catalog.HubQuery) iter.Seq[sources.Subject] {
	return func(yield func(sources.Subject) bool) {
		for l, err := range o.Search(ctx, q.Params, q.Limit) {
			if err != nil {
				r.mu.Lock()
				r.listErr = err
				r.mu.Unlock()
				return
			}
			key := "hf:" + l.ID
			if batch.ShardOf(key, r.count) != r.index {
				continue
			}
			r.mu.Lock()
			r.keys = append(r.keys, key)
			r.mu.Unlock()
			if r.skip(key) {
				r.progress.add(true)
				continue
			}
			r.prefill.Add(l)
			if !r.offer(batchEntry{key: key}, yield) {
				return
			}
		}
	}
}

// sink takes each report as it comes, in the order the entries were
// handed to the engine, and records it: encoding, compressing and
// committing run on up to --jobs goroutines, so the one goroutine that
// receives reports never waits for the disk.
func (r *batchRun) sink(rep *risk.Report) error {
	if err := r.putError(); err != nil {
		return err
	}
	r.mu.Lock()
	e := r.queue[0]
	r.queue = r.queue[1:]
	r.mu.Unlock()
	rep.Labels = e.labels
	if err := rootMissing(rep); err != nil {
		// The reference names nothing (a folder that is not there, a
		// repository that does not exist): record it as failed, with its
		// report, so the output is complete and a later run retries it.
		r.st.fail(ExitUsage, fmt.Errorf("%s: %v", e.key, err))
	}
	r.puts <- struct{}{}
	r.putting.Add(1)
	go func() {
		defer r.putting.Done()
		defer func() { <-r.puts }()
		if err := r.put(e.key, rep); err != nil {
			r.mu.Lock()
			if r.putErr == nil {
				r.putErr = err
			}
			r.mu.Unlock()
		}
	}()
	return nil
}

// put commits one report to the state.
func (r *batchRun) put(key string, rep *risk.Report) error {
	rec, err := batch.RecordOf(key, rep)
	if err != nil {
		return fmt.Errorf("record %s: %w", key, err)
	}
	// The write must finish even when the run is being canceled, or an
	// assessed result is lost.
	if err := r.store.Put(context.Background(), rec); err != nil {
		return fmt.Errorf("record %s: %w", key, err)
	}
	r.mu.Lock()
	r.done[key] = rec.Status
	r.mu.Unlock()
	r.progress.add(rec.Status == batch.StatusDone)
	return nil
}

// putError returns the first failure to record a report, if any.
func (r *batchRun) putError() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.putErr
}

// writeSummary summarizes the reports of this shard, read back from the
// state.
func (r *batchRun) writeSummary(ctx context.Context) error {
	sum := batch.NewSummary(r.f.summaryTop)
	for _, k := range r.keys {
		rec, ok, err := r.store.Get(ctx, k)
		if err != nil {
			return runtimeErr(err)
		}
		if !ok {
			sum.AddFailed(k, "no result")
			continue
		}
		reps, err := report.Decode(bytes.NewReader(rec.Report))
		if err != nil || len(reps) != 1 {
			sum.AddFailed(k, fmt.Sprintf("stored report unreadable: %v", err))
			continue
		}
		sum.Add(reps[0])
	}
	var buf bytes.Buffer
	if err := batch.WriteSummary(&buf, sum, r.f.summaryFormat); err != nil {
		return runtimeErr(err)
	}
	switch {
	case r.f.summaryOut != "":
		return r.st.writeOutput(r.f.summaryOut, buf.Bytes())
	case r.f.output != "" && r.f.output != "-":
		_, err := r.st.stdout.Write(buf.Bytes())
		return err
	default:
		_, err := r.st.stderr.Write(buf.Bytes())
		return err
	}
}

func (st *state) batchMergeCommand() *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "merge CATALOG SHARD-OUTPUT...",
		Short: "Join the outputs of sharded batch runs into one, in catalog order",
		Long: `Join the JSON Lines outputs of 'pedigree batch --shard I/N' runs over CATALOG into
one output in catalog order, equal to what one unsharded run writes. Fails, naming
them, when a subject of the catalog has no report (a shard did not finish) or two
different reports.`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			entries, err := st.readCatalog(args[0])
			if err != nil {
				return err
			}
			var keys []string
			for _, e := range entries {
				if e.Err == nil {
					keys = append(keys, e.Ref)
				}
			}
			var buf bytes.Buffer
			res, err := batch.Merge(cmd.Context(), keys, args[1:], &buf)
			if err != nil {
				return usageErr("%v", err)
			}
			if len(res.Conflicts) > 0 {
				return &exitError{code: ExitError, err: fmt.Errorf("%d subjects have two different reports in the shard outputs (first: %s); were the shards run with the same catalog, policy and version?", len(res.Conflicts), res.Conflicts[0])}
			}
			if len(res.Gaps) > 0 {
				return &exitError{code: ExitError, err: fmt.Errorf("%d subjects of %s have no report in the shard outputs (first: %s); finish the shard that holds them and merge again", len(res.Gaps), args[0], res.Gaps[0])}
			}
			if len(res.Extra) > 0 {
				fmt.Fprintf(st.stderr, "pedigree: %d reports are of subjects not in %s (first: %s); left out\n", len(res.Extra), args[0], res.Extra[0])
			}
			if err := st.writeOutput(output, buf.Bytes()); err != nil {
				return err
			}
			fmt.Fprintf(st.stderr, "pedigree: merged %d reports from %d files\n", res.Written, len(args)-1)
			return nil
		},
	}
	cmd.Flags().StringVarP(&output, "output", "o", "", "write the merged JSON Lines to this file (default: standard output)")
	return cmd
}

// writeOutputStream writes what write produces to path, atomically through
// a temporary file in the same folder (created user-only), or to standard
// output when path is empty or "-". Nothing is held in memory.
func (st *state) writeOutputStream(path string, write func(io.Writer) error) error {
	if path == "" || path == "-" {
		if err := write(st.stdout); err != nil {
			return runtimeErr(err)
		}
		return nil
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".pedigree-*")
	if err != nil {
		return runtimeErr(fmt.Errorf("write %s: %w", path, err))
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	werr := write(bw)
	if werr == nil {
		werr = bw.Flush()
	}
	if werr == nil {
		werr = f.Sync()
	}
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr == nil {
		werr = os.Rename(f.Name(), path)
	}
	if werr != nil {
		os.Remove(f.Name())
		return runtimeErr(fmt.Errorf("write %s: %w", path, werr))
	}
	return nil
}
