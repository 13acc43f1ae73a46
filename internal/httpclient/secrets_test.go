package httpclient

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// secretSpellings returns the ways a secret could be written: as is,
// URL-escaped, in a bearer header, and base64-encoded at each byte
// alignment inside a longer value (the groups shared with neighbouring
// bytes dropped).
func secretSpellings(secret string) map[string]string {
	out := map[string]string{
		"raw":          secret,
		"query-escape": url.QueryEscape(secret),
		"bearer":       "Bearer " + secret,
	}
	for name, enc := range map[string]*base64.Encoding{"base64": base64.StdEncoding, "base64url": base64.URLEncoding} {
		for pad := range 3 {
			s := enc.EncodeToString([]byte(strings.Repeat("\x00", pad) + secret))
			if pad > 0 {
				s = s[4:]
			}
			out[fmt.Sprintf("%s@%d", name, pad)] = s[:len(s)-4]
		}
	}
	return out
}

// leaks returns a description of every spelling of secret found in b.
func leaks(where string, b []byte, secret string) []string {
	var out []string
	for form, v := range secretSpellings(secret) {
		if bytes.Contains(b, []byte(v)) {
			out = append(out, where+" holds the secret ("+form+")")
		}
	}
	return out
}

func TestSecretSpellingsFound(t *testing.T) {
	t.Parallel()
	const secret = "hf_CanaryPlanted0123456789"
	for pad := range 3 {
		for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawURLEncoding} {
			b := []byte(enc.EncodeToString([]byte(strings.Repeat("y", pad) + secret + "z")))
			if len(leaks("planted", b, secret)) == 0 {
				t.Errorf("base64 at alignment %d not found in %s", pad, b)
			}
		}
	}
	for _, planted := range []string{"x" + secret + "x", "Authorization: Bearer " + secret, "q=" + url.QueryEscape(secret)} {
		if len(leaks("planted", []byte(planted), secret)) == 0 {
			t.Errorf("not found in %q", planted)
		}
	}
	if got := leaks("clean", []byte("hf_CanaryPlanted012345678 Bearer x"), secret); len(got) != 0 {
		t.Errorf("found in text without it: %v", got)
	}
}

// TestEchoedTokenScrubbed requests, with a canary token, a Hub that echoes
// the Authorization header in every header and error page it sends (as a
// careless server or proxy might), fails, refuses and redirects to another
// host and to credentials in URLs. The token must reach only the Hub's
// host, and no spelling of it (nor a URL password) may appear in an error,
// a returned header or error body, a debug log record or a cache file.
func TestEchoedTokenScrubbed(t *testing.T) {
	t.Parallel()
	const token = "hf_CanaryEcho5Rt8Wq2Lx7Nm4Kp1"
	const urlPass = "cdnPassw0rdCanary"
	var mu sync.Mutex
	auth := map[string][]string{}
	record := func(name string, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		auth[name] = append(auth[name], r.URL.Path+" "+r.Header.Get("Authorization"))
	}
	weights := bytes.Repeat([]byte("w"), 1<<12)
	cdn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("cdn", r)
		w.Header().Set("X-Echo", r.Header.Get("Authorization"))
		http.ServeContent(w, r, "weights", time.Time{}, bytes.NewReader(weights))
	}))
	t.Cleanup(cdn.Close)
	cdnURL := mustParse(t, cdn.URL)
	hub := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		record("hub", r)
		a := r.Header.Get("Authorization")
		w.Header().Set("X-Echo", a)
		w.Header().Add("Set-Cookie", "session="+a)
		switch r.URL.Path {
		case "/ok":
			w.Header().Set("ETag", `"v1"`)
			w.Write([]byte("fine"))
		case "/unauthorized":
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token", token="`+strings.TrimPrefix(a, "Bearer ")+`"`)
			w.Header().Set("X-Error-Message", "Invalid credentials: "+a)
			http.Error(w, "bad credentials "+a, http.StatusUnauthorized)
		case "/forbidden":
			w.Header().Set("X-Error-Code", "GatedRepo")
			w.Header().Set("X-Error-Message", "Access restricted for "+a)
			http.Error(w, "gated "+a, http.StatusForbidden)
		case "/unavailable":
			w.Header().Set("Retry-After", "0")
			http.Error(w, "busy "+a, http.StatusServiceUnavailable)
		case "/error":
			http.Error(w, "failed for "+a, http.StatusInternalServerError)
		case "/to-cdn":
			http.Redirect(w, r, cdn.URL+"/file", http.StatusFound)
		case "/to-cdn-with-password":
			u := *cdnURL
			u.User = url.UserPassword("carol", urlPass)
			u.Path = "/file"
			http.Redirect(w, r, u.String(), http.StatusFound)
		case "/weights":
			http.Redirect(w, r, cdn.URL+"/weights", http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(hub.Close)

	logs := &lockedBuffer{}
	cacheDir := filepath.Join(t.TempDir(), "cache", "http")
	c := newTestClient(t, Options{
		Token:         token,
		TokenHosts:    []string{hub.Listener.Addr().String()},
		CacheDir:      cacheDir,
		MaxRetries:    1,
		MaxRetryAfter: time.Second,
		Transport:     hub.Client().Transport,
		Logger:        slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})

	var seen bytes.Buffer // everything the client handed back
	note := func(what string, resp *Response, err error) {
		fmt.Fprintf(&seen, "%s: err=%v %+v\n", what, err, err)
		if resp != nil {
			// FinalURL and Redirects are left out: a URL password a server
			// puts in a Location is what the caller needs to follow it.
			fmt.Fprintf(&seen, "url=%s status=%d\n", resp.URL, resp.Status)
			resp.Header.Write(&seen)
			if resp.Status < 200 || resp.Status > 299 {
				seen.Write(resp.Body)
			}
		}
		var se *StatusError
		if errors.As(err, &se) {
			fmt.Fprintf(&seen, "status error %s %d\n", se.URL, se.Status)
			se.Header.Write(&seen)
		}
	}
	for _, p := range []string{"/ok", "/unauthorized", "/forbidden", "/unavailable", "/error", "/to-cdn", "/to-cdn-with-password", "/ok"} {
		resp, err := c.Get(t.Context(), hub.URL+p)
		note("Get "+p, resp, err)
	}
	for _, p := range []string{"/weights", "/unauthorized", "/forbidden"} {
		data, total, err := c.GetRange(t.Context(), hub.URL+p, 0, 100)
		note(fmt.Sprintf("GetRange %s (%d bytes of %d)", p, len(data), total), nil, err)
	}
	// The standard client never sends the token, and passes answers on.
	std := c.StandardClient()
	resp, err := std.Get(hub.URL + "/unauthorized?standard=1")
	if err != nil {
		t.Fatalf("standard client: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if bytes.Contains(body, []byte(token)) {
		t.Error("the standard client sent the token")
	}

	var found []string
	found = append(found, leaks("what the client returned", seen.Bytes(), token)...)
	found = append(found, leaks("the debug log", []byte(logs.String()), token)...)
	for _, what := range []string{seen.String(), logs.String()} {
		if strings.Contains(what, urlPass) {
			found = append(found, "a URL password appears in:\n"+what)
		}
	}
	for _, f := range cacheFiles(t, cacheDir) {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, leaks(f, b, token)...)
		if bytes.Contains(b, []byte(urlPass)) {
			found = append(found, f+" holds a URL password")
		}
	}
	for _, f := range found {
		t.Error(f)
	}
	if !strings.Contains(logs.String(), "http attempt") {
		t.Errorf("no debug records captured:\n%s", logs.String())
	}
	if !strings.Contains(seen.String(), "[REDACTED]") {
		t.Errorf("no echoed token was replaced: the server's echoes did not reach the client's answers:\n%s", seen.String())
	}

	mu.Lock()
	defer mu.Unlock()
	if len(auth["cdn"]) == 0 {
		t.Fatal("no redirect reached the other host")
	}
	for _, a := range auth["cdn"] {
		if !strings.HasSuffix(a, " ") && !strings.Contains(a, "Basic ") {
			t.Errorf("the other host received %q", a)
		}
	}
	for _, a := range auth["hub"] {
		path, got, _ := strings.Cut(a, " ")
		want := "Bearer " + token
		if path == "/unauthorized" && got == "" {
			want = "" // the standard client's request
		}
		if got != want {
			t.Errorf("the Hub received %s with Authorization %q, want %q", path, got, want)
		}
	}
}

// TestScrubAnswer checks the scrubbing of answers: headers always, bodies
// of error answers only.
func TestScrubAnswer(t *testing.T) {
	t.Parallel()
	const secret = "tok_Secret42"
	h := &hop{status: 403, header: http.Header{"X-Error-Message": {"denied for Bearer " + secret}, "Etag": {`"v"`}}, body: []byte("echo " + secret)}
	orig := h.header
	scrubAnswer(h, secret)
	if got := h.header.Get("X-Error-Message"); got != "denied for Bearer [REDACTED]" {
		t.Errorf("header = %q", got)
	}
	if orig.Get("X-Error-Message") != "denied for Bearer "+secret {
		t.Error("the original header map was modified")
	}
	if string(h.body) != "echo [REDACTED]" || h.header.Get("Etag") != `"v"` {
		t.Errorf("body %q, ETag %q", h.body, h.header.Get("Etag"))
	}
	ok := &hop{status: 200, header: http.Header{}, body: []byte("content " + secret)}
	scrubAnswer(ok, secret)
	if string(ok.body) != "content "+secret {
		t.Errorf("a successful body was changed: %q", ok.body)
	}
	same := http.Header{"A": {"b"}}
	if got := scrubHeader(same, secret); got.Get("A") != "b" || len(got) != 1 {
		t.Errorf("scrubHeader changed a clean header: %v", got)
	}
	scrubAnswer(nil, secret) // no panic
	empty := &hop{status: 401, header: http.Header{"X": {"v"}}, body: []byte("v")}
	scrubAnswer(empty, "")
	if string(empty.body) != "v" || empty.header.Get("X") != "v" {
		t.Error("an empty secret changed the answer")
	}
}

// TestCacheRedactsURLCredentials fetches URLs with user information,
// directly and through a redirect: no password reaches a cache file, and
// an entry read back reports the URL as the caller gave it.
func TestCacheRedactsURLCredentials(t *testing.T) {
	t.Parallel()
	const pass1, pass2 = "alicePassCanary1", "bobPassCanary2"
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("there")) }))
	t.Cleanup(other.Close)
	target := mustParse(t, other.URL+"/x")
	target.User = url.UserPassword("bob", pass2)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/hop" {
			http.Redirect(w, r, target.String(), http.StatusFound)
			return
		}
		w.Write([]byte("here"))
	}))
	t.Cleanup(srv.Close)
	dir := t.TempDir()
	c := newTestClient(t, Options{CacheDir: dir})
	withCreds := strings.Replace(srv.URL, "http://", "http://alice:"+pass1+"@", 1)
	for _, u := range []string{withCreds + "/direct", withCreds + "/hop"} {
		if _, err := c.Get(t.Context(), u); err != nil {
			t.Fatalf("Get: %v", err)
		}
	}
	files := cacheFiles(t, dir)
	if len(files) != 2 {
		t.Fatalf("%d cache files, want 2", len(files))
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range []string{pass1, pass2} {
			if bytes.Contains(b, []byte(p)) {
				t.Errorf("%s holds a URL password: %s", f, b[:bytes.IndexByte(b[len(cacheMagic):], '\n')+len(cacheMagic)])
			}
		}
	}
	resp, err := c.Get(t.Context(), withCreds+"/direct")
	if err != nil || !resp.FromCache {
		t.Fatalf("not from the cache: %v", err)
	}
	if resp.FinalURL != withCreds+"/direct" {
		t.Errorf("FinalURL from the cache = %q, want the URL as requested", resp.FinalURL)
	}
	resp, err = c.Get(t.Context(), withCreds+"/hop")
	if err != nil || !resp.FromCache {
		t.Fatalf("not from the cache: %v", err)
	}
	if strings.Contains(resp.FinalURL, pass2) || !strings.HasSuffix(resp.FinalURL, "/x") || len(resp.Redirects) != 1 {
		t.Errorf("redirected entry from the cache: final %q, redirects %v", resp.FinalURL, resp.Redirects)
	}
}

// cacheChildEnv names the cache directory a child process of
// TestCacheFileModes fills; cacheChildUmask its umask in octal.
const (
	cacheChildEnv   = "PEDIGREE_HTTPCACHE_CHILD_DIR"
	cacheChildUmask = "PEDIGREE_HTTPCACHE_CHILD_UMASK"
)

// TestCacheChild fills a cache directory under a given umask; it runs
// only as the child process of TestCacheFileModes.
func TestCacheChild(t *testing.T) {
	dir := os.Getenv(cacheChildEnv)
	if dir == "" {
		t.Skip("the child process of TestCacheFileModes")
	}
	n, err := strconv.ParseUint(os.Getenv(cacheChildUmask), 8, 32)
	if err != nil {
		t.Fatal(err)
	}
	syscall.Umask(int(n))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeContent(w, r, "f", time.Time{}, bytes.NewReader(bytes.Repeat([]byte("z"), 1<<17)))
	}))
	defer srv.Close()
	c := newTestClient(t, Options{CacheDir: dir})
	for i := range 5 {
		if _, err := c.Get(t.Context(), fmt.Sprintf("%s/file%d", srv.URL, i)); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := c.GetRange(t.Context(), srv.URL+"/weights", 0, 1000); err != nil {
		t.Fatal(err)
	}
}

// TestCacheFileModes fills a cache directory, in a child process with
// umask 022 and then 000: the directory, the folders Pedigree creates for
// it and every entry are user-only (0700 and 0600).
func TestCacheFileModes(t *testing.T) {
	if testing.Short() {
		t.Skip("runs child processes")
	}
	t.Parallel()
	for _, umask := range []int{0o022, 0o000} {
		root := t.TempDir()
		dir := filepath.Join(root, "user-cache", "pedigree", "http")
		cmd := exec.Command(os.Args[0], "-test.run=^TestCacheChild$")
		cmd.Env = []string{cacheChildEnv + "=" + dir, cacheChildUmask + "=" + strconv.FormatInt(int64(umask), 8), "HOME=" + root, "TMPDIR=" + root}
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("umask %03o: %v\n%s", umask, err, out)
		}
		files := 0
		err := filepath.WalkDir(filepath.Join(root, "user-cache"), func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			fi, err := d.Info()
			if err != nil {
				return err
			}
			want := fs.FileMode(0o600)
			if d.IsDir() {
				want = 0o700
			} else {
				files++
			}
			if fi.Mode().Perm() != want {
				t.Errorf("umask %03o: %s has mode %04o, want %04o", umask, p, fi.Mode().Perm(), want)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if files != 6 {
			t.Errorf("umask %03o: %d cache files, want 6 (5 answers and a range block)", umask, files)
		}
		entries, err := os.ReadDir(root)
		if err != nil {
			t.Fatal(err)
		}
		if len(entries) != 1 {
			t.Errorf("umask %03o: the child wrote outside the cache directory: %v", umask, entries)
		}
	}
}
