package httpclient

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"
)

func TestLimiterFixedWindow(t *testing.T) {
	t.Parallel()
	l := newLimiter(2, time.Minute)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	steps := []struct {
		host string
		at   time.Duration
		want time.Duration
	}{
		{"a:443", 0, 0},
		{"a:443", time.Second, 0},
		{"a:443", 2 * time.Second, 58 * time.Second}, // budget spent until the window ends
		{"b:443", 2 * time.Second, 0},                // other hosts have their own budget
		{"a:443", time.Minute, 0},                    // new window
		{"a:443", time.Minute + time.Second, 0},
		{"a:443", time.Minute + 2*time.Second, 58 * time.Second},
	}
	for i, s := range steps {
		if got := l.reserve(s.host, t0.Add(s.at)); got != s.want {
			t.Errorf("step %d: reserve(%s, +%s) = %s, want %s", i, s.host, s.at, got, s.want)
		}
	}
}

func TestLimiterUnlimitedAndBlock(t *testing.T) {
	t.Parallel()
	l := newLimiter(-1, time.Minute)
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	for i := range 1000 {
		if got := l.reserve("h:443", t0); got != 0 {
			t.Fatalf("unlimited reserve %d = %s, want 0", i, got)
		}
	}
	l.block("h:443", t0.Add(10*time.Second))
	l.block("h:443", t0.Add(5*time.Second)) // never shortens
	if got := l.reserve("h:443", t0.Add(time.Second)); got != 9*time.Second {
		t.Errorf("reserve while blocked = %s, want 9s", got)
	}
	if got := l.reserve("h:443", t0.Add(10*time.Second)); got != 0 {
		t.Errorf("reserve after the block = %s, want 0", got)
	}
}

func TestLimiterAdopt(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		limit      int64
		window     time.Duration
		policy     ratePolicy
		wantLimit  int64
		wantWindow time.Duration
	}{
		{"stricter rate adopted", 500, 5 * time.Minute, ratePolicy{Quota: 100, Window: 5 * time.Minute}, 100, 5 * time.Minute},
		{"looser rate ignored", 500, 5 * time.Minute, ratePolicy{Quota: 3000, Window: 5 * time.Minute}, 500, 5 * time.Minute},
		{"same rate smaller burst adopted", 500, 5 * time.Minute, ratePolicy{Quota: 100, Window: time.Minute}, 100, time.Minute},
		{"same policy ignored", 500, 5 * time.Minute, ratePolicy{Quota: 500, Window: 5 * time.Minute}, 500, 5 * time.Minute},
		{"unlimited adopts", -1, 5 * time.Minute, ratePolicy{Quota: 500, Window: 5 * time.Minute}, 500, 5 * time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			l := newLimiter(tt.limit, tt.window)
			l.adopt("h:443", tt.policy)
			b := l.hosts["h:443"]
			if b.limit != tt.wantLimit || b.window != tt.wantWindow {
				t.Errorf("after adopt: %d per %s, want %d per %s", b.limit, b.window, tt.wantLimit, tt.wantWindow)
			}
		})
	}
}

func TestLimiterObserve(t *testing.T) {
	t.Parallel()
	t0 := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	l := newLimiter(500, 5*time.Minute)
	h := http.Header{}
	h.Set("RateLimit", `"api";r=0;t=30`)
	h.Set("RateLimit-Policy", `"fixed window";"api";q=2;w=300`)
	l.observe("h:443", &http.Response{StatusCode: 200, Header: h}, t0)
	if got := l.reserve("h:443", t0); got != 30*time.Second {
		t.Errorf("reserve after r=0;t=30 = %s, want 30s", got)
	}
	if b := l.hosts["h:443"]; b.limit != 2 || b.window != 5*time.Minute {
		t.Errorf("policy not adopted: %d per %s", b.limit, b.window)
	}
	h = http.Header{}
	h.Set("RateLimit", `"api";r=7;t=30`)
	l.observe("g:443", &http.Response{StatusCode: 200, Header: h}, t0)
	if got := l.reserve("g:443", t0); got != 0 {
		t.Errorf("reserve after r=7 = %s, want 0", got)
	}
}

func TestLimiterWait(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	l := newLimiter(1, time.Hour)
	var slept time.Duration
	add := func(d time.Duration) { slept += d }
	ctx := context.Background()
	if err := l.wait(ctx, "h:443", clock.Now, time.Second, add); err != nil {
		t.Fatalf("first wait: %v", err)
	}
	err := l.wait(ctx, "h:443", clock.Now, time.Second, add)
	if !errors.Is(err, ErrRateLimited) {
		t.Fatalf("wait over MaxRetryAfter = %v, want ErrRateLimited", err)
	}
	if slept != 0 {
		t.Errorf("slept %s before giving up, want 0", slept)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if err := l.wait(cctx, "h:443", clock.Now, 2*time.Hour, add); !errors.Is(err, context.Canceled) {
		t.Errorf("wait with a canceled context = %v, want context.Canceled", err)
	}
}
