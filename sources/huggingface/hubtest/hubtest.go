// Package hubtest serves an offline Hugging Face Hub snapshot over HTTP,
// for tests of code that reads the Hub: the same layout as an offline
// snapshot directory, answered the way the Hub answers, with hooks for the
// Hub's refusals (gated, private, moved repositories) and for faults.
package hubtest

import (
	"bytes"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Server is a fake Hub serving a snapshot directory.
type Server struct {
	*httptest.Server
	dir string

	mu       sync.Mutex
	gated    map[string]bool   // repository ids answered with 403 GatedRepo
	moved    map[string]string // repository id -> id it moved to
	handler  http.HandlerFunc  // replaces the snapshot answer when set
	requests map[string]int    // requests per URL path
	bodies   int               // answers that carried a body
	etags    bool
}

// NewServer starts a fake Hub over the snapshot directory dir; it is closed
// when the test ends.
func NewServer(t testing.TB, dir string) *Server {
	s := &Server{dir: dir, gated: map[string]bool{}, moved: map[string]string{}, requests: map[string]int{}, etags: true}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

// Gate makes the repository id (OWNER/NAME) answer 403 with the Hub's
// GatedRepo error code, as a gated repository does without access.
func (s *Server) Gate(id string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gated[strings.ToLower(id)] = true
}

// Move makes requests for repository from redirect (307) to the same path
// under repository to, as the Hub does for a renamed repository.
func (s *Server) Move(from, to string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.moved[strings.ToLower(from)] = to
}

// Handle makes h answer every request instead of the snapshot; nil
// restores the snapshot.
func (s *Server) Handle(h http.HandlerFunc) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handler = h
}

// Requests returns how many requests were made for each URL path.
func (s *Server) Requests() map[string]int {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]int, len(s.requests))
	for k, v := range s.requests {
		out[k] = v
	}
	return out
}

// Total returns how many requests were made.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, v := range s.requests {
		n += v
	}
	return n
}

// Bodies returns how many answers carried a body (200s, not 304s).
func (s *Server) Bodies() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.bodies
}

// repoOf returns the repository id a Hub URL path names, or "".
func repoOf(p string) string {
	segs := strings.Split(strings.Trim(p, "/"), "/")
	switch {
	case len(segs) >= 4 && segs[0] == "api" && (segs[1] == "models" || segs[1] == "datasets"):
		return segs[2] + "/" + segs[3]
	case len(segs) >= 3 && segs[0] == "datasets":
		return segs[1] + "/" + segs[2]
	case len(segs) >= 2:
		return segs[0] + "/" + segs[1]
	}
	return ""
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	s.mu.Lock()
	s.requests[p]++
	h := s.handler
	id := repoOf(p)
	gated := s.gated[strings.ToLower(id)]
	to, moved := s.moved[strings.ToLower(id)]
	s.mu.Unlock()
	if h != nil {
		h(w, r)
		return
	}
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if moved {
		target := strings.Replace(p, id, to, 1)
		if r.URL.RawQuery != "" {
			target += "?" + r.URL.RawQuery
		}
		http.Redirect(w, r, target, http.StatusTemporaryRedirect)
		return
	}
	if gated && !strings.HasSuffix(p, "/README.md") && !strings.HasPrefix(p, "/api/") {
		w.Header().Set("X-Error-Code", "GatedRepo")
		w.Header().Set("X-Error-Message", "Access to model "+id+" is restricted.")
		http.Error(w, "gated", http.StatusForbidden)
		return
	}
	if gated && strings.HasPrefix(p, "/api/") && !strings.Contains(strings.TrimPrefix(p, "/api/"), "/tree/") && !strings.Contains(p, "/commits/") {
		// The Hub shows a gated repository's info; here a gated id
		// with no snapshot record refuses like the files do.
		if _, err := os.Stat(s.file(p)); err != nil {
			w.Header().Set("X-Error-Code", "GatedRepo")
			http.Error(w, "gated", http.StatusForbidden)
			return
		}
	}
	f := s.file(p)
	data, err := os.ReadFile(f)
	if err != nil {
		code := "EntryNotFound"
		if strings.HasPrefix(p, "/api/") && (strings.Count(p, "/") == 4) {
			code = "RepoNotFound"
		}
		w.Header().Set("X-Error-Code", code)
		http.Error(w, "not found", http.StatusNotFound)
		return
	}
	etag := `"` + hashOf(data) + `"`
	if s.etags {
		w.Header().Set("ETag", etag)
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
	}
	s.mu.Lock()
	s.bodies++
	s.mu.Unlock()
	if strings.HasPrefix(p, "/api/") {
		w.Header().Set("Content-Type", "application/json")
		w.Write(data)
		return
	}
	// Raw files answer range requests, as the Hub's resolve URLs do.
	http.ServeContent(w, r, path.Base(p), time.Time{}, bytes.NewReader(data))
}

// file is the snapshot file answering URL path p.
func (s *Server) file(p string) string {
	rel := strings.TrimPrefix(path.Clean("/"+p), "/")
	if strings.HasPrefix(rel, "api/") {
		rel += ".json"
	}
	return filepath.Join(s.dir, filepath.FromSlash(rel))
}

// hashOf is a short content hash for ETags.
func hashOf(b []byte) string {
	h := fnv.New64a()
	h.Write(b)
	return fmt.Sprintf("%016x", h.Sum64())
}
