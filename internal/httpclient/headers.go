package httpclient

import (
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Bounds applied to values read from rate-limit headers. Anything outside
// them is treated as absent rather than trusted.
const (
	maxHeaderMembers = 16                 // policies read from one header
	maxHeaderLen     = 4096               // longer header values are ignored
	maxHeaderSeconds = 366 * 24 * 60 * 60 // a year: longer waits or windows are nonsense
	maxHeaderQuota   = 1_000_000_000      // requests per window
)

// rateLimitState is one policy's current state from a RateLimit header
// (draft-ietf-httpapi-ratelimit-headers), e.g. `"api";r=489;t=189`.
type rateLimitState struct {
	Policy    string        // policy name ("api"), "" when the header names none
	Remaining int64         // r: requests left in the current window; -1 when absent
	Reset     time.Duration // t: time until the window resets; -1 when absent
}

// ratePolicy is one quota policy from a RateLimit-Policy header, e.g.
// `"fixed window";"api";q=500;w=300`.
type ratePolicy struct {
	Policy string        // policy name ("api"), "" when the header names none
	Quota  int64         // q: requests allowed per window
	Window time.Duration // w: the window
}

// headerParam is one ";"-separated item of a header member: either a bare
// (quoted or token) string, or a key=value parameter.
type headerParam struct {
	key   string // lower-case key; "" for a bare string
	value string // unquoted value
}

// splitOutsideQuotes splits s on sep, ignoring separators inside double
// quotes (with backslash escapes).
func splitOutsideQuotes(s string, sep byte) []string {
	var parts []string
	start, inQuote := 0, false
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case inQuote && c == '\\':
			i++ // skip the escaped character
		case c == '"':
			inQuote = !inQuote
		case !inQuote && c == sep:
			parts = append(parts, s[start:i])
			start = i + 1
		}
	}
	return append(parts, s[start:])
}

// unquote returns s without surrounding double quotes and escapes, and
// whether s was a well-formed quoted string.
func unquote(s string) (string, bool) {
	if len(s) < 2 || s[0] != '"' || s[len(s)-1] != '"' {
		return "", false
	}
	var b strings.Builder
	inner := s[1 : len(s)-1]
	for i := 0; i < len(inner); i++ {
		c := inner[i]
		if c == '\\' {
			i++
			if i == len(inner) {
				return "", false
			}
			c = inner[i]
		} else if c == '"' {
			return "", false
		}
		b.WriteByte(c)
	}
	return b.String(), true
}

// headerMembers parses the comma-separated members of a structured header
// field into their ";"-separated items. Malformed items are dropped.
func headerMembers(values []string) [][]headerParam {
	var members [][]headerParam
	for _, v := range values {
		if len(v) > maxHeaderLen {
			continue
		}
		for _, m := range splitOutsideQuotes(v, ',') {
			if len(members) == maxHeaderMembers {
				return members
			}
			var params []headerParam
			for _, item := range splitOutsideQuotes(m, ';') {
				item = strings.TrimSpace(item)
				if item == "" {
					continue
				}
				key, value, isParam := strings.Cut(item, "=")
				if !isParam || strings.HasPrefix(item, `"`) {
					if s, ok := unquote(item); ok {
						params = append(params, headerParam{value: s})
					} else if isToken(item) {
						params = append(params, headerParam{value: item})
					}
					continue
				}
				key = strings.ToLower(strings.TrimSpace(key))
				value = strings.TrimSpace(value)
				if s, ok := unquote(value); ok {
					value = s
				}
				if isToken(key) {
					params = append(params, headerParam{key: key, value: value})
				}
			}
			if len(params) > 0 {
				members = append(members, params)
			}
		}
	}
	return members
}

// isToken reports whether s is a non-empty run of header token characters.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// boundedInt parses a non-negative decimal integer no larger than limit.
func boundedInt(s string, limit int64) (int64, bool) {
	if s == "" || len(s) > 19 {
		return 0, false
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > limit {
		return 0, false
	}
	return n, true
}

// memberName returns the policy name of a member: its last bare string.
// `"fixed window";"api"` names policy "api" of kind "fixed window".
func memberName(params []headerParam) string {
	name := ""
	for _, p := range params {
		if p.key == "" {
			name = p.value
		}
	}
	return name
}

// parseRateLimit parses RateLimit header values such as `"api";r=489;t=189`.
// Members without a usable r or t are dropped.
func parseRateLimit(values []string) []rateLimitState {
	var out []rateLimitState
	for _, m := range headerMembers(values) {
		st := rateLimitState{Policy: memberName(m), Remaining: -1, Reset: -1}
		for _, p := range m {
			switch p.key {
			case "r":
				if n, ok := boundedInt(p.value, maxHeaderQuota); ok {
					st.Remaining = n
				}
			case "t":
				if n, ok := boundedInt(p.value, maxHeaderSeconds); ok {
					st.Reset = time.Duration(n) * time.Second
				}
			}
		}
		if st.Remaining >= 0 || st.Reset >= 0 {
			out = append(out, st)
		}
	}
	return out
}

// parseRateLimitPolicy parses RateLimit-Policy header values such as
// `"fixed window";"api";q=500;w=300`. Members without a positive q and w are
// dropped.
func parseRateLimitPolicy(values []string) []ratePolicy {
	var out []ratePolicy
	for _, m := range headerMembers(values) {
		pol := ratePolicy{Policy: memberName(m)}
		for _, p := range m {
			switch p.key {
			case "q":
				if n, ok := boundedInt(p.value, maxHeaderQuota); ok {
					pol.Quota = n
				}
			case "w":
				if n, ok := boundedInt(p.value, maxHeaderSeconds); ok {
					pol.Window = time.Duration(n) * time.Second
				}
			}
		}
		if pol.Quota > 0 && pol.Window > 0 {
			out = append(out, pol)
		}
	}
	return out
}

// rateLimitOf returns the rate-limit states a response reports, from the
// RateLimit header or, failing that, the older RateLimit-Remaining and
// RateLimit-Reset pair (reset in seconds).
func rateLimitOf(h http.Header) []rateLimitState {
	if states := parseRateLimit(h.Values("RateLimit")); len(states) > 0 {
		return states
	}
	st := rateLimitState{Remaining: -1, Reset: -1}
	if n, ok := boundedInt(strings.TrimSpace(h.Get("RateLimit-Remaining")), maxHeaderQuota); ok {
		st.Remaining = n
	}
	if n, ok := boundedInt(strings.TrimSpace(h.Get("RateLimit-Reset")), maxHeaderSeconds); ok {
		st.Reset = time.Duration(n) * time.Second
	}
	if st.Remaining < 0 && st.Reset < 0 {
		return nil
	}
	return []rateLimitState{st}
}

// exhaustedReset returns the longest reset time among the policies of h
// that have no requests left (r=0), and whether there is one.
func exhaustedReset(h http.Header) (time.Duration, bool) {
	var wait time.Duration
	found := false
	for _, st := range rateLimitOf(h) {
		if st.Remaining == 0 && st.Reset >= 0 {
			wait = max(wait, st.Reset)
			found = true
		}
	}
	return wait, found
}

// anyReset returns the longest reset time in h's rate-limit states, and
// whether there is one. On a 429 every reported reset is a requested wait.
func anyReset(h http.Header) (time.Duration, bool) {
	var wait time.Duration
	found := false
	for _, st := range rateLimitOf(h) {
		if st.Reset >= 0 && (st.Remaining <= 0) {
			wait = max(wait, st.Reset)
			found = true
		}
	}
	return wait, found
}

// parseRetryAfter parses a Retry-After value: delay seconds or an HTTP date,
// relative to now. A date in the past means no wait.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" || len(v) > 64 {
		return 0, false
	}
	if n, ok := boundedInt(v, maxHeaderSeconds); ok {
		return time.Duration(n) * time.Second, true
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	d := t.Sub(now)
	if d < 0 {
		return 0, true
	}
	return min(d, maxHeaderSeconds*time.Second), true
}

// serverWait returns how long the server asked the client to wait before
// trying again, and whether it asked: Retry-After on 429 and 503, and the
// RateLimit reset on 429. The longer of the two wins.
func serverWait(resp *http.Response, now time.Time) (time.Duration, bool) {
	if resp == nil || (resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable) {
		return 0, false
	}
	wait, found := parseRetryAfter(resp.Header.Get("Retry-After"), now)
	if resp.StatusCode == http.StatusTooManyRequests {
		if t, ok := anyReset(resp.Header); ok {
			wait = max(wait, t)
			found = true
		}
	}
	return wait, found
}
