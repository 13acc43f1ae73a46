package httpclient

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestStandardClientRetriesAndCounts(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	var ua atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ua.Store(r.Header.Get("User-Agent"))
		if r.Header.Get("Authorization") != "" {
			t.Errorf("the standard client sent Authorization")
		}
		if calls.Add(1) == 1 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		b, _ := io.ReadAll(r.Body)
		w.Write(append([]byte("echo:"), b...))
	}))
	defer srv.Close()
	c, err := New(Options{UserAgent: "pedigree/test", Token: "secret", RetryWaitMin: time.Millisecond, RetryWaitMax: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	hc := c.StandardClient()
	resp, err := hc.Post(srv.URL+"/v1/querybatch", "application/json", strings.NewReader(`{"q":1}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 200 || string(b) != `echo:{"q":1}` {
		t.Errorf("answer %d %q, want the POST body echoed after a retry", resp.StatusCode, b)
	}
	if ua.Load() != "pedigree/test" {
		t.Errorf("User-Agent %v", ua.Load())
	}
	if st := c.Stats(); st.Requests != 2 || st.Retries != 1 {
		t.Errorf("stats %+v, want 2 requests and 1 retry", st)
	}
}
