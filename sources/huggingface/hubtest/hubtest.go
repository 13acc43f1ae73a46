// Package hubtest serves an offline Hugging Face Hub snapshot over HTTP,
// for tests of code that reads the Hub: the same layout as an offline
// snapshot directory, answered the way the Hub answers, with hooks for the
// Hub's refusals (gated, private, moved repositories) and for faults. It
// also answers the model listing (GET /api/models) from the snapshot's
// repository records, a page at a time.
package hubtest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
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
	pageSize int // models per page of the listing
}

// DefaultPageSize is the most models a page of a new server's model
// listing holds; see [Server.SetPageSize].
const DefaultPageSize = 1000

// NewServer starts a fake Hub over the snapshot directory dir; it is closed
// when the test ends.
func NewServer(t testing.TB, dir string) *Server {
	s := &Server{dir: dir, gated: map[string]bool{}, moved: map[string]string{}, requests: map[string]int{}, etags: true, pageSize: DefaultPageSize}
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

// SetPageSize sets the most models a page of the model listing holds;
// n < 1 restores DefaultPageSize.
func (s *Server) SetPageSize(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if n < 1 {
		n = DefaultPageSize
	}
	s.pageSize = n
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
	if p == "/api/models" {
		s.list(w, r)
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

// listed is one repository record of the snapshot, for the listing.
type listed struct {
	id     string
	fields map[string]json.RawMessage
}

// list answers GET /api/models from the snapshot's api/models/OWNER/NAME.json
// records, as the Hub does: author (the record's author or the id's owner,
// case-insensitively), search (a substring of the id, case-insensitively;
// repeatable), filter (a tag the record carries; repeatable, all must
// match), pipeline_tag and gated select; sort (downloads, likes,
// createdAt, lastModified, trendingScore) orders in descending order,
// else the order is by id; expand (or expand[]) keeps only the named
// fields beside _id and id; limit bounds the page, at most the server's
// page size; a Link rel="next" header with an absolute URL carrying a
// cursor leads to the next page.
func (s *Server) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	s.mu.Lock()
	size := s.pageSize
	s.mu.Unlock()
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			http.Error(w, "bad limit", http.StatusBadRequest)
			return
		}
		size = min(size, n)
	}
	offset := 0
	if c := q.Get("cursor"); c != "" {
		b, err := base64.RawURLEncoding.DecodeString(c)
		n, cerr := strconv.Atoi(strings.TrimPrefix(string(b), "offset:"))
		if err != nil || cerr != nil || n < 0 || !strings.HasPrefix(string(b), "offset:") {
			http.Error(w, "bad cursor", http.StatusBadRequest)
			return
		}
		offset = n
	}
	all, err := s.records()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	var match []listed
	for _, rec := range all {
		if matches(rec, q) {
			match = append(match, rec)
		}
	}
	sortListed(match, q.Get("sort"))
	expand := append(q["expand"], q["expand[]"]...)
	page := []map[string]json.RawMessage{}
	for i := offset; i < len(match) && i < offset+size; i++ {
		page = append(page, project(match[i], expand))
	}
	body, err := json.Marshal(page)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	if offset+size < len(match) {
		next := url.Values{}
		for k, v := range q {
			next[k] = v
		}
		next.Set("cursor", base64.RawURLEncoding.EncodeToString([]byte("offset:"+strconv.Itoa(offset+size))))
		w.Header().Set("Link", fmt.Sprintf("<http://%s/api/models?%s>; rel=\"next\"", r.Host, next.Encode()))
	}
	s.mu.Lock()
	s.bodies++
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	w.Write(body)
}

// records reads the repository records of the snapshot, in id order.
func (s *Server) records() ([]listed, error) {
	root := filepath.Join(s.dir, "api", "models")
	owners, err := os.ReadDir(root)
	if err != nil {
		return nil, nil
	}
	var out []listed
	for _, o := range owners {
		if !o.IsDir() {
			continue
		}
		files, err := os.ReadDir(filepath.Join(root, o.Name()))
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			name, ok := strings.CutSuffix(f.Name(), ".json")
			if !ok || !f.Type().IsRegular() {
				continue
			}
			data, err := os.ReadFile(filepath.Join(root, o.Name(), f.Name()))
			if err != nil {
				return nil, err
			}
			var fields map[string]json.RawMessage
			if json.Unmarshal(data, &fields) != nil || fields == nil {
				continue
			}
			id := o.Name() + "/" + name
			var recorded string
			if json.Unmarshal(fields["id"], &recorded) == nil && recorded != "" {
				id = recorded
			}
			if !strings.EqualFold(id, o.Name()+"/"+name) {
				continue // a renamed repository's record, under its old id
			}
			out = append(out, listed{id: id, fields: fields})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].id < out[j].id })
	return out, nil
}

// matches reports whether a record is selected by the listing query q.
func matches(rec listed, q url.Values) bool {
	str := func(k string) string {
		var v string
		json.Unmarshal(rec.fields[k], &v)
		return v
	}
	if a := q.Get("author"); a != "" {
		owner, _, _ := strings.Cut(rec.id, "/")
		if !strings.EqualFold(a, str("author")) && !strings.EqualFold(a, owner) {
			return false
		}
	}
	for _, sub := range q["search"] {
		if !strings.Contains(strings.ToLower(rec.id), strings.ToLower(sub)) {
			return false
		}
	}
	var tags []string
	json.Unmarshal(rec.fields["tags"], &tags)
	for _, f := range q["filter"] {
		if !slices.Contains(tags, f) {
			return false
		}
	}
	if t := q.Get("pipeline_tag"); t != "" && t != str("pipeline_tag") {
		return false
	}
	if g := q.Get("gated"); g != "" {
		gated := strings.TrimSpace(string(rec.fields["gated"]))
		open := gated == "" || gated == "false" || gated == "null"
		if (g == "true") == open {
			return false
		}
	}
	return true
}

// sortListed orders records by a sort key, in descending order as the Hub
// does, ties by id; by id alone for no or an unknown key.
func sortListed(recs []listed, key string) {
	switch key {
	case "downloads", "likes", "trendingScore":
		num := func(r listed) float64 {
			var f float64
			json.Unmarshal(r.fields[key], &f)
			return f
		}
		sort.SliceStable(recs, func(i, j int) bool { return num(recs[i]) > num(recs[j]) })
	case "createdAt", "lastModified":
		str := func(r listed) string {
			var v string
			json.Unmarshal(r.fields[key], &v)
			return v
		}
		sort.SliceStable(recs, func(i, j int) bool { return str(recs[i]) > str(recs[j]) })
	}
}

// project keeps the expanded fields of a record, beside _id and id; with
// no expand, the whole record.
func project(rec listed, expand []string) map[string]json.RawMessage {
	if len(expand) == 0 {
		return rec.fields
	}
	id, _ := json.Marshal(rec.id)
	out := map[string]json.RawMessage{"id": id}
	if v, ok := rec.fields["_id"]; ok {
		out["_id"] = v
	}
	for _, k := range expand {
		if v, ok := rec.fields[k]; ok {
			out[k] = v
		}
	}
	return out
}
