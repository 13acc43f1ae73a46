package httpclient

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// limiter is the client-side request budget: a fixed window of limit
// requests per window for each host, shared by all goroutines of a Client.
// Servers can tighten a host's budget (RateLimit-Policy) and pause it
// (RateLimit r=0, Retry-After).
type limiter struct {
	limit  int64         // configured requests per window; < 0 = unlimited
	window time.Duration // configured window

	mu    sync.Mutex
	hosts map[string]*bucket
}

// bucket is one host's budget.
type bucket struct {
	limit   int64         // effective requests per window; < 0 = unlimited
	window  time.Duration // effective window
	start   time.Time     // start of the current window
	count   int64         // requests taken in the current window
	blocked time.Time     // no request before this time (server asked)
}

// newLimiter returns a limiter allowing limit requests per window and host.
func newLimiter(limit int64, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, hosts: make(map[string]*bucket)}
}

// bucketLocked returns host's bucket, creating it. l.mu must be held.
func (l *limiter) bucketLocked(host string) *bucket {
	b := l.hosts[host]
	if b == nil {
		b = &bucket{limit: l.limit, window: l.window}
		l.hosts[host] = b
	}
	return b
}

// reserve takes a slot for host at now and returns 0, or returns how long
// the caller must wait before asking again.
func (l *limiter) reserve(host string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(host)
	if now.Before(b.blocked) {
		return b.blocked.Sub(now)
	}
	if b.limit < 0 {
		return 0
	}
	if b.start.IsZero() || !now.Before(b.start.Add(b.window)) || now.Before(b.start) {
		b.start, b.count = now, 0
	}
	if b.count < b.limit {
		b.count++
		return 0
	}
	return b.start.Add(b.window).Sub(now)
}

// block pauses host until the given time (never shortening a pause).
func (l *limiter) block(host string, until time.Time) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(host)
	if until.After(b.blocked) {
		b.blocked = until
	}
}

// adopt tightens host's budget to the server's policy when that is
// stricter: a lower rate, or the same rate in smaller bursts.
func (l *limiter) adopt(host string, p ratePolicy) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketLocked(host)
	if b.limit >= 0 {
		cur := float64(b.limit) / b.window.Seconds()
		next := float64(p.Quota) / p.Window.Seconds()
		if next > cur || (next == cur && p.Quota >= b.limit) {
			return
		}
	}
	b.limit, b.window = p.Quota, p.Window
}

// observe updates host's budget from a response: RateLimit-Policy quotas,
// an exhausted RateLimit (r=0) and a requested wait on 429 or 503.
func (l *limiter) observe(host string, resp *http.Response, now time.Time) {
	for _, p := range parseRateLimitPolicy(resp.Header.Values("RateLimit-Policy")) {
		l.adopt(host, p)
	}
	if wait, ok := serverWait(resp, now); ok {
		l.block(host, now.Add(wait))
	} else if wait, ok := exhaustedReset(resp.Header); ok {
		l.block(host, now.Add(wait))
	}
}

// wait blocks until host has a free slot and takes it. A wait longer than
// maxWait is not slept: wait returns ErrRateLimited at once. slept receives
// every completed sleep.
func (l *limiter) wait(ctx context.Context, host string, clock func() time.Time, maxWait time.Duration, slept func(time.Duration)) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		d := l.reserve(host, clock())
		if d <= 0 {
			return nil
		}
		if d > maxWait {
			return fmt.Errorf("%w: the request budget for %s is spent for another %s, above Options.MaxRetryAfter (%s)",
				ErrRateLimited, host, d.Round(time.Millisecond), maxWait)
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
		slept(d)
	}
}

// sleep waits for d or until ctx is done, returning ctx's error then.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
