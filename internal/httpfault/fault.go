package httpfault

import (
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// Fault is one named way of spoiling a server's answers.
type Fault struct {
	// Name identifies the fault in test names and tables:
	// "reset-before-headers", "429-storm", "slow-loris", ...
	Name string
	// Transient reports that the fault spoils each URL for its first
	// Options.Failures requests only, then lets the real answer through: a
	// client retrying at least that often gets the clean answer. A
	// permanent fault spoils every request it applies to.
	Transient bool
	// Wrap returns a handler answering like next, spoiled by the fault.
	// Every call returns a handler with its own, fresh counters.
	Wrap func(next http.Handler) http.Handler
}

// Options tune the faults of [All]. Zero fields take the defaults in
// brackets.
type Options struct {
	// Failures is how many requests of each URL a transient fault spoils
	// before it lets the real answer through [1].
	Failures int
	// Stall bounds how long a hanging or trickling request is held before
	// the fault gives up and closes the connection [2s]; it must exceed the
	// client's timeout. A request is released at once when its client goes
	// away.
	Stall time.Duration
	// Trickle is the pause between two bytes of a slow-loris body [Stall/20].
	Trickle time.Duration
	// RetryAfter is the Retry-After value (seconds) sent by the storm
	// variants that send one ["1"].
	RetryAfter string
	// LongRetryAfter is the Retry-After value (seconds) of the permanent
	// 429 that asks for more than any client waits ["3600"].
	LongRetryAfter string
}

// withDefaults returns o with its zero fields set.
func (o Options) withDefaults() Options {
	if o.Failures < 1 {
		o.Failures = 1
	}
	if o.Stall <= 0 {
		o.Stall = 2 * time.Second
	}
	if o.Trickle <= 0 {
		o.Trickle = o.Stall / 20
	}
	if o.RetryAfter == "" {
		o.RetryAfter = "1"
	}
	if o.LongRetryAfter == "" {
		o.LongRetryAfter = "3600"
	}
	return o
}

// LoginPage is the body of the "html-login-page" fault: what a captive
// portal or a single-sign-on proxy answers, with status 200, in place of
// the data asked for.
const LoginPage = `<!DOCTYPE html>
<html><head><title>Sign in to continue</title></head>
<body><form method="post" action="/login"><input name="user"><input type="password" name="password">
<button>Sign in</button></form></body></html>
`

// All returns every fault, in a fixed order: hangs, resets, 429 storms,
// 5xx errors (each transient, then permanent), truncated bodies, the HTML
// login page, slow-loris bodies, and faults that hit only every third
// request.
func All(o Options) []Fault {
	o = o.withDefaults()
	n := o.Failures
	return []Fault{
		{Name: "hang", Transient: true, Wrap: perURL(n, hang(o.Stall))},
		{Name: "hang-permanent", Wrap: perURL(-1, hang(o.Stall))},
		{Name: "reset-before-headers", Transient: true, Wrap: perURL(n, reset)},
		{Name: "reset-before-headers-permanent", Wrap: perURL(-1, reset)},
		{Name: "reset-mid-body", Transient: true, Wrap: perURL(n, resetMidBody)},
		{Name: "reset-mid-body-permanent", Wrap: perURL(-1, resetMidBody)},
		{Name: "429-storm", Transient: true, Wrap: perURL(n, status(http.StatusTooManyRequests, ""))},
		{Name: "429-storm-retry-after", Transient: true, Wrap: perURL(n, status(http.StatusTooManyRequests, o.RetryAfter))},
		{Name: "429-permanent", Wrap: perURL(-1, status(http.StatusTooManyRequests, ""))},
		{Name: "429-permanent-retry-after-long", Wrap: perURL(-1, status(http.StatusTooManyRequests, o.LongRetryAfter))},
		{Name: "500", Transient: true, Wrap: perURL(n, status(http.StatusInternalServerError, ""))},
		{Name: "502", Transient: true, Wrap: perURL(n, status(http.StatusBadGateway, ""))},
		{Name: "503-retry-after", Transient: true, Wrap: perURL(n, status(http.StatusServiceUnavailable, o.RetryAfter))},
		{Name: "500-permanent", Wrap: perURL(-1, status(http.StatusInternalServerError, ""))},
		{Name: "502-permanent", Wrap: perURL(-1, status(http.StatusBadGateway, ""))},
		{Name: "503-permanent", Wrap: perURL(-1, status(http.StatusServiceUnavailable, ""))},
		{Name: "truncated-content-length", Transient: true, Wrap: perURL(n, overlong)},
		{Name: "truncated-content-length-permanent", Wrap: perURL(-1, overlong)},
		{Name: "truncated-json", Wrap: perURL(-1, halved)},
		{Name: "html-login-page", Wrap: perURL(-1, loginPage)},
		{Name: "slow-loris", Transient: true, Wrap: perURL(n, slowLoris(o.Stall, o.Trickle))},
		{Name: "slow-loris-permanent", Wrap: perURL(-1, slowLoris(o.Stall, o.Trickle))},
		EveryNth(3, Fault{Name: "reset-before-headers", Wrap: perURL(-1, reset)}),
		EveryNth(3, Fault{Name: "500", Wrap: perURL(-1, status(http.StatusInternalServerError, ""))}),
	}
}

// Names returns the names of faults, in order.
func Names(faults []Fault) []string {
	out := make([]string, len(faults))
	for i, f := range faults {
		out[i] = f.Name
	}
	return out
}

// EveryNth applies f to the nth, 2nth, 3nth... request the handler
// receives (counted across all URLs, in arrival order) and answers the
// others as the real handler does. Its name is f's, prefixed with
// "every-Nth-" ("every-3rd-500"). It is transient when f is: a retry is
// another request, so a sequential client with one retry recovers for
// n > 1, but concurrent requests can make a retry the next nth request.
func EveryNth(n int, f Fault) Fault {
	if n < 1 {
		n = 1
	}
	return Fault{
		Name:      "every-" + ordinal(n) + "-" + f.Name,
		Transient: f.Transient,
		Wrap: func(next http.Handler) http.Handler {
			spoiled := f.Wrap(next)
			var seq atomic.Int64
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if seq.Add(1)%int64(n) == 0 {
					spoiled.ServeHTTP(w, r)
					return
				}
				next.ServeHTTP(w, r)
			})
		},
	}
}

// ordinal spells n as "1st", "2nd", "3rd", "4th", ...
func ordinal(n int) string {
	suffix := "th"
	switch {
	case n%100 >= 11 && n%100 <= 13:
	case n%10 == 1:
		suffix = "st"
	case n%10 == 2:
		suffix = "nd"
	case n%10 == 3:
		suffix = "rd"
	}
	return strconv.Itoa(n) + suffix
}

// Only applies f to the requests match selects (one endpoint, one
// repository) and answers the others as the real handler does. name
// describes the selection; the fault's name becomes f's name, "@", and
// name.
func Only(name string, match func(*http.Request) bool, f Fault) Fault {
	return Fault{
		Name:      f.Name + "@" + name,
		Transient: f.Transient,
		Wrap: func(next http.Handler) http.Handler {
			spoiled := f.Wrap(next)
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if match(r) {
					spoiled.ServeHTTP(w, r)
					return
				}
				next.ServeHTTP(w, r)
			})
		},
	}
}

// spoiler answers one request badly; next is the real handler, for the
// faults that spoil the real answer.
type spoiler func(w http.ResponseWriter, r *http.Request, next http.Handler)

// perURL returns a Wrap that spoils the first n requests of each URL
// (method and request URI) with s, or every request when n < 0.
func perURL(n int, s spoiler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		var mu sync.Mutex
		seen := map[string]int{}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			key := r.Method + " " + r.URL.RequestURI()
			mu.Lock()
			seen[key]++
			k := seen[key]
			mu.Unlock()
			if n >= 0 && k > n {
				next.ServeHTTP(w, r)
				return
			}
			s(w, r, next)
		})
	}
}

// answer is a real handler's response, recorded to be replayed spoiled.
type answer struct {
	status int
	header http.Header
	body   []byte
}

// record runs next on r and returns its response.
func record(next http.Handler, r *http.Request) answer {
	rec := httptest.NewRecorder()
	next.ServeHTTP(rec, r)
	res := rec.Result()
	defer res.Body.Close()
	return answer{status: rec.Code, header: res.Header, body: rec.Body.Bytes()}
}

// bodiless reports whether a status never carries a body.
func bodiless(status int) bool {
	return status == http.StatusNoContent || status == http.StatusNotModified || status/100 == 1
}

// writeHead writes a's status and headers, announcing length bytes of
// body.
func (a answer) writeHead(w http.ResponseWriter, length int) {
	h := w.Header()
	for k, v := range a.header {
		if k != "Content-Length" && k != "Transfer-Encoding" {
			h[k] = v
		}
	}
	h.Set("Content-Length", strconv.Itoa(length))
	w.WriteHeader(a.status)
}

// replay writes a unchanged.
func (a answer) replay(w http.ResponseWriter) {
	if bodiless(a.status) {
		h := w.Header()
		for k, v := range a.header {
			h[k] = v
		}
		w.WriteHeader(a.status)
		return
	}
	a.writeHead(w, len(a.body))
	w.Write(a.body)
}

// abort closes the connection under w at once: the client sees a reset
// before the headers, or, when sent is true (headers and part of a body were
// written, and are flushed first), a body cut short.
func abort(w http.ResponseWriter, sent bool) {
	if f, ok := w.(http.Flusher); ok && sent {
		f.Flush()
	}
	hj, ok := w.(http.Hijacker)
	if !ok {
		// Not served by net/http's HTTP/1 server: abort the handler, which
		// the server turns into a reset stream or connection.
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	conn.Close()
}

// reset closes the connection before any header.
func reset(w http.ResponseWriter, _ *http.Request, _ http.Handler) { abort(w, false) }

// hang holds the request without answering until its client goes away or
// stall has passed, then closes the connection.
func hang(stall time.Duration) spoiler {
	return func(w http.ResponseWriter, r *http.Request, _ http.Handler) {
		t := time.NewTimer(stall)
		defer t.Stop()
		select {
		case <-r.Context().Done():
		case <-t.C:
		}
		abort(w, false)
	}
}

// status answers code with a short text body, and Retry-After when
// retryAfter is not empty.
func status(code int, retryAfter string) spoiler {
	return func(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
		if retryAfter != "" {
			w.Header().Set("Retry-After", retryAfter)
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// resetMidBody sends the real headers and the first half of the real body,
// then closes the connection.
func resetMidBody(w http.ResponseWriter, r *http.Request, next http.Handler) {
	a := record(next, r)
	if bodiless(a.status) {
		a.replay(w)
		return
	}
	a.writeHead(w, max(len(a.body), 1))
	w.Write(a.body[:len(a.body)/2])
	abort(w, true)
}

// overlong sends the whole real body under a Content-Length 100 bytes
// larger, then closes the connection. A partial answer (206) keeps the
// Content-Length its Content-Range implies, as a real one cut in transit
// does, and loses its last byte instead.
func overlong(w http.ResponseWriter, r *http.Request, next http.Handler) {
	a := record(next, r)
	switch {
	case bodiless(a.status):
		a.replay(w)
		return
	case a.status == http.StatusPartialContent:
		a.writeHead(w, len(a.body))
		w.Write(a.body[:max(len(a.body)-1, 0)])
	default:
		a.writeHead(w, len(a.body)+100)
		w.Write(a.body)
	}
	abort(w, true)
}

// halved sends the first half of the real body as if it were all of it:
// a matching Content-Length, a clean end. Only the bytes themselves tell.
func halved(w http.ResponseWriter, r *http.Request, next http.Handler) {
	a := record(next, r)
	a.body = a.body[:len(a.body)/2]
	a.replay(w)
}

// loginPage answers 200 with an HTML sign-in page instead of the real
// answer.
func loginPage(w http.ResponseWriter, _ *http.Request, _ http.Handler) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(LoginPage)))
	w.WriteHeader(http.StatusOK)
	w.Write([]byte(LoginPage))
}

// slowLoris sends the real headers at once, then the real body one byte
// every trickle, until the body is sent, the client goes away or stall has
// passed (the connection is then closed).
func slowLoris(stall, trickle time.Duration) spoiler {
	return func(w http.ResponseWriter, r *http.Request, next http.Handler) {
		a := record(next, r)
		if bodiless(a.status) {
			a.replay(w)
			return
		}
		a.writeHead(w, len(a.body))
		flusher, _ := w.(http.Flusher)
		if flusher != nil {
			flusher.Flush()
		}
		deadline := time.NewTimer(stall)
		defer deadline.Stop()
		tick := time.NewTicker(trickle)
		defer tick.Stop()
		for i := 0; i < len(a.body); i++ {
			select {
			case <-r.Context().Done():
				abort(w, true)
				return
			case <-deadline.C:
				abort(w, true)
				return
			case <-tick.C:
			}
			if _, err := w.Write(a.body[i : i+1]); err != nil {
				return
			}
			if flusher != nil {
				flusher.Flush()
			}
		}
	}
}

// Serve starts a test server answering with next spoiled by f; it is
// closed when the test ends. A Close that does not return within a minute
// (a fault handler left blocked) fails the test.
func Serve(t testing.TB, f Fault, next http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(f.Wrap(next))
	t.Cleanup(func() {
		done := make(chan struct{})
		go func() {
			srv.Close()
			close(done)
		}()
		select {
		case <-done:
		case <-time.After(time.Minute):
			t.Errorf("fault %s: the test server did not close: a request handler is still blocked", f.Name)
		}
	})
	return srv
}
