package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"
)

// lineEvery is how often plain progress lines are written.
const lineEvery = 10 * time.Second

// progress shows how a batch run goes: a bar on a terminal (done, failed,
// rate, ETA), plain lines otherwise, or nothing.
type progress struct {
	w     io.Writer
	bar   *progressbar.ProgressBar
	lines bool
	total int // -1 when unknown

	mu     sync.Mutex
	done   int
	failed int
	start  time.Time
	last   time.Time
}

// newProgress returns the display of mode (auto, bar, lines or none) on w
// for total subjects (-1 when unknown); tty says whether w is a terminal.
func newProgress(w io.Writer, mode string, total int, tty bool) *progress {
	p := &progress{w: w, total: total, start: time.Now()}
	p.last = p.start
	switch {
	case mode == "none":
	case mode == "bar" || mode == "auto" && tty:
		p.bar = progressbar.NewOptions64(int64(total),
			progressbar.OptionSetWriter(w),
			progressbar.OptionSetDescription("assessing"),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("subjects"),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionFullWidth(),
			progressbar.OptionClearOnFinish(),
		)
	default:
		p.lines = true
	}
	return p
}

// add counts one subject, finished (ok) or failed.
func (p *progress) add(ok bool) {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ok {
		p.done++
	} else {
		p.failed++
	}
	switch {
	case p.bar != nil:
		if !ok {
			p.bar.Describe(fmt.Sprintf("assessing (%d failed)", p.failed))
		}
		_ = p.bar.Add(1)
	case p.lines:
		if now := time.Now(); now.Sub(p.last) >= lineEvery {
			p.last = now
			p.line(now)
		}
	}
}

// line writes one progress line; the caller holds p.mu.
func (p *progress) line(now time.Time) {
	n := p.done + p.failed
	elapsed := now.Sub(p.start)
	rate := 0.0
	if elapsed > 0 {
		rate = float64(n) / elapsed.Seconds()
	}
	of, eta := "", ""
	if p.total >= 0 {
		of = fmt.Sprintf("/%d", p.total)
		if rate > 0 && n < p.total {
			eta = fmt.Sprintf(", ETA %s", (time.Duration(float64(p.total-n)/rate) * time.Second).Round(time.Second))
		}
	}
	fmt.Fprintf(p.w, "pedigree: batch: %d%s assessed, %d failed, %.1f/s%s\n", n, of, p.failed, rate, eta)
}

// finish ends the display.
func (p *progress) finish() {
	if p == nil {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	switch {
	case p.bar != nil:
		_ = p.bar.Finish()
	case p.lines && p.done+p.failed > 0:
		p.line(time.Now())
	}
}

// isTerminal reports whether the run's standard error is a terminal.
func (st *state) isTerminal() bool {
	f, ok := st.stderr.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}
