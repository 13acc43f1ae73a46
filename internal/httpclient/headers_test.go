package httpclient

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestParseRateLimit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		want   []rateLimitState
	}{
		{"hub", []string{`"api";r=489;t=189`}, []rateLimitState{{Policy: "api", Remaining: 489, Reset: 189 * time.Second}}},
		{"exhausted", []string{`"api";r=0;t=12`}, []rateLimitState{{Policy: "api", Remaining: 0, Reset: 12 * time.Second}}},
		{"spaces and case", []string{` "api" ; R=3 ; T=4 `}, []rateLimitState{{Policy: "api", Remaining: 3, Reset: 4 * time.Second}}},
		{"two policies", []string{`"api";r=5;t=10, "resolvers";r=0;t=20`}, []rateLimitState{
			{Policy: "api", Remaining: 5, Reset: 10 * time.Second},
			{Policy: "resolvers", Remaining: 0, Reset: 20 * time.Second},
		}},
		{"token name", []string{`default;r=1;t=2`}, []rateLimitState{{Policy: "default", Remaining: 1, Reset: 2 * time.Second}}},
		{"only t", []string{`"api";t=7`}, []rateLimitState{{Policy: "api", Remaining: -1, Reset: 7 * time.Second}}},
		{"negative dropped", []string{`"api";r=-1;t=-5`}, nil},
		{"garbage", []string{`;;;==,,"unterminated`}, nil},
		{"huge t dropped", []string{`"api";r=0;t=99999999999999999999`}, []rateLimitState{{Policy: "api", Remaining: 0, Reset: -1}}},
		{"comma inside quotes", []string{`"a,b";r=1;t=1`}, []rateLimitState{{Policy: "a,b", Remaining: 1, Reset: time.Second}}},
		{"empty", nil, nil},
		{"too long", []string{strings.Repeat("a", maxHeaderLen+1) + ";r=1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, parseRateLimit(tt.values)); diff != "" {
				t.Errorf("parseRateLimit(%q) mismatch (-want +got):\n%s", tt.values, diff)
			}
		})
	}
}

func TestParseRateLimitPolicy(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		values []string
		want   []ratePolicy
	}{
		{"hub", []string{`"fixed window";"api";q=500;w=300`}, []ratePolicy{{Policy: "api", Quota: 500, Window: 300 * time.Second}}},
		{"ietf draft", []string{`"default";q=100;w=10`}, []ratePolicy{{Policy: "default", Quota: 100, Window: 10 * time.Second}}},
		{"several", []string{`"fixed window";"api";q=500;w=300`, `"fixed window";"resolvers";q=3000;w=300`}, []ratePolicy{
			{Policy: "api", Quota: 500, Window: 300 * time.Second},
			{Policy: "resolvers", Quota: 3000, Window: 300 * time.Second},
		}},
		{"zero quota dropped", []string{`"api";q=0;w=300`}, nil},
		{"missing window dropped", []string{`"api";q=5`}, nil},
		{"non-numeric dropped", []string{`"api";q=five;w=1`}, nil},
		{"quoted number", []string{`"api";q="5";w="6"`}, []ratePolicy{{Policy: "api", Quota: 5, Window: 6 * time.Second}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if diff := cmp.Diff(tt.want, parseRateLimitPolicy(tt.values)); diff != "" {
				t.Errorf("parseRateLimitPolicy(%q) mismatch (-want +got):\n%s", tt.values, diff)
			}
		})
	}
}

func TestParseRetryAfter(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"120", 120 * time.Second, true},
		{" 0 ", 0, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"Sunday, 01-Mar-26 12:00:05 GMT", 5 * time.Second, true}, // RFC 850
		{"-3", 0, false},
		{"soon", 0, false},
		{"", 0, false},
		{"1.5", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("parseRetryAfter(%q) = %s, %v; want %s, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestServerWait(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	resp := func(code int, kv ...string) *http.Response {
		h := http.Header{}
		for i := 0; i+1 < len(kv); i += 2 {
			h.Add(kv[i], kv[i+1])
		}
		return &http.Response{StatusCode: code, Header: h}
	}
	tests := []struct {
		name   string
		resp   *http.Response
		want   time.Duration
		wantOK bool
	}{
		{"429 retry-after", resp(429, "Retry-After", "7"), 7 * time.Second, true},
		{"503 retry-after", resp(503, "Retry-After", "9"), 9 * time.Second, true},
		{"429 ratelimit t", resp(429, "RateLimit", `"api";r=0;t=40`), 40 * time.Second, true},
		{"429 longer of both", resp(429, "Retry-After", "5", "RateLimit", `"api";r=0;t=40`), 40 * time.Second, true},
		{"503 ignores ratelimit", resp(503, "RateLimit", `"api";r=0;t=40`), 0, false},
		{"500 ignores retry-after", resp(500, "Retry-After", "5"), 0, false},
		{"200", resp(200, "RateLimit", `"api";r=0;t=40`), 0, false},
		{"429 bare", resp(429), 0, false},
		{"nil", nil, 0, false},
	}
	for _, tt := range tests {
		got, ok := serverWait(tt.resp, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("%s: serverWait = %s, %v; want %s, %v", tt.name, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestBackoff(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	c := newTestClient(t, Options{MaxRetryAfter: time.Minute, Clock: clock.Now})
	lo, hi := 100*time.Millisecond, time.Second
	for n, want := range []time.Duration{100 * time.Millisecond, 200 * time.Millisecond, 400 * time.Millisecond, 800 * time.Millisecond, time.Second, time.Second} {
		got := c.backoff(lo, hi, n, nil)
		if got > want || got < want*3/4 {
			t.Errorf("backoff(attempt %d) = %s, want within [%s, %s]", n, got, want*3/4, want)
		}
	}
	h := http.Header{}
	h.Set("Retry-After", clock.Now().Add(30*time.Second).Format(http.TimeFormat))
	if got := c.backoff(lo, hi, 0, &http.Response{StatusCode: 429, Header: h}); got != 30*time.Second {
		t.Errorf("backoff with Retry-After date 30s ahead = %s, want 30s (not capped by RetryWaitMax)", got)
	}
	h = http.Header{}
	h.Set("Retry-After", "3600")
	if got := c.backoff(lo, hi, 0, &http.Response{StatusCode: 503, Header: h}); got != time.Minute {
		t.Errorf("backoff with Retry-After 3600 = %s, want the 1m cap", got)
	}
}

func FuzzParseRateLimit(f *testing.F) {
	for _, s := range []string{`"api";r=489;t=189`, `"api";r=0;t=0`, `a;r=1, b;t=2`, `"x\"y";r=1`, `;;,,`, `"`, `r=99999999999999999999999`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, st := range parseRateLimit([]string{s}) {
			if st.Remaining < -1 || st.Reset < -1 || st.Reset > maxHeaderSeconds*time.Second {
				t.Fatalf("parseRateLimit(%q) gave out-of-range %+v", s, st)
			}
			if st.Remaining < 0 && st.Reset < 0 {
				t.Fatalf("parseRateLimit(%q) kept an empty state", s)
			}
		}
		h := http.Header{"Ratelimit": {s}}
		if d, ok := exhaustedReset(h); ok && d < 0 {
			t.Fatalf("exhaustedReset(%q) = %s", s, d)
		}
	})
}

func FuzzParseRateLimitPolicy(f *testing.F) {
	for _, s := range []string{`"fixed window";"api";q=500;w=300`, `"default";q=100;w=10`, `q=1;w=1, q=2;w=2`, `"\`, `q=-1;w=0`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range parseRateLimitPolicy([]string{s}) {
			if p.Quota <= 0 || p.Quota > maxHeaderQuota || p.Window <= 0 || p.Window > maxHeaderSeconds*time.Second {
				t.Fatalf("parseRateLimitPolicy(%q) gave out-of-range %+v", s, p)
			}
		}
	})
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "Sun, 01 Mar 2026 12:00:30 GMT", "Sunday, 01-Mar-26 12:00:05 GMT", "Sun Mar  1 12:00:05 2026", "-1", "x"} {
		f.Add(s)
	}
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		if d, ok := parseRetryAfter(s, now); d < 0 || d > maxHeaderSeconds*time.Second || (!ok && d != 0) {
			t.Fatalf("parseRetryAfter(%q) = %s, %v", s, d, ok)
		}
	})
}
