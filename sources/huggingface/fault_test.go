package huggingface_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/huggingface/hubtest"
)

// TestFaults checks how the source reports a misbehaving Hub: every fault
// is a classified error naming what failed, never a panic, a hang or an
// observation made of nothing.
func TestFaults(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name    string
		handler func(calls *atomic.Int32) http.HandlerFunc
		opts    func(*huggingface.OnlineOptions)
		want    error  // sentinel the error must wrap; nil: must succeed
		message string // the error must contain it
	}{
		{
			name: "500 then success",
			handler: func(calls *atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					if calls.Add(1) == 1 {
						http.Error(w, "boom", http.StatusInternalServerError)
						return
					}
					http.Redirect(w, r, "/ok"+r.URL.Path, http.StatusTemporaryRedirect)
				}
			},
		},
		{
			name: "429 with a Retry-After past the cap",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					w.Header().Set("Retry-After", "3600")
					http.Error(w, "slow down", http.StatusTooManyRequests)
				}
			},
			want: sources.ErrRateLimited,
		},
		{
			name: "429 without Retry-After",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					http.Error(w, "slow down", http.StatusTooManyRequests)
				}
			},
			want: sources.ErrRateLimited,
		},
		{
			name: "malformed JSON",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("{\n\"id\": \"a/b\",\n\"sha\": }")) }
			},
			want: sources.ErrMalformed, message: "line 3",
		},
		{
			name: "truncated JSON",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { w.Write([]byte(`{"id": "a/b", "sha": "`)) }
			},
			want: sources.ErrMalformed, message: "truncated",
		},
		{
			name: "a 50 MB answer",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					chunk := []byte(strings.Repeat(" ", 1<<20))
					for range 50 {
						if _, err := w.Write(chunk); err != nil {
							return
						}
					}
				}
			},
			opts: func(o *huggingface.OnlineOptions) { o.MaxBodySize = 1 << 20 },
			want: sources.ErrMalformed, message: "size limit",
		},
		{
			name: "redirect loop",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, r.URL.Path, http.StatusFound) }
			},
			want: sources.ErrMalformed, message: "redirect",
		},
		{
			name: "slow server past the timeout",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					select {
					case <-r.Context().Done():
					case <-time.After(2 * time.Second):
					}
				}
			},
			opts:    func(o *huggingface.OnlineOptions) { o.Timeout = 50 * time.Millisecond; o.MaxRetries = 1 },
			message: "huggingface",
		},
		{
			name: "connection reset",
			handler: func(*atomic.Int32) http.HandlerFunc {
				return func(w http.ResponseWriter, r *http.Request) {
					conn, _, err := w.(http.Hijacker).Hijack()
					if err == nil {
						conn.Close()
					}
				}
			},
			opts:    func(o *huggingface.OnlineOptions) { o.MaxRetries = 1 },
			message: "huggingface",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			hub := hubtest.NewServer(t, snap)
			real := hubtest.NewServer(t, snap)
			var calls atomic.Int32
			h := tc.handler(&calls)
			hub.Handle(func(w http.ResponseWriter, r *http.Request) {
				if p, ok := strings.CutPrefix(r.URL.Path, "/ok"); ok {
					http.Redirect(w, r, real.URL+p+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
					return
				}
				h(w, r)
			})
			s, _ := online(t, hub, func(o *huggingface.OnlineOptions) {
				o.MaxRetryAfter = time.Second
				if tc.opts != nil {
					tc.opts(o)
				}
			})
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			obs, err := s.Collect(ctx, base)
			if ctx.Err() != nil {
				t.Fatal("Collect hung")
			}
			if tc.want == nil && tc.message == "" {
				if err != nil || obs == nil {
					t.Fatalf("Collect = %v, %v; want success after the retry", obs, err)
				}
				return
			}
			if err == nil || obs != nil {
				t.Fatalf("Collect = %v, %v; want only an error", obs, err)
			}
			var se *sources.Error
			if !errors.As(err, &se) {
				t.Errorf("error %v is not a *sources.Error", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Errorf("error %v does not wrap %v", err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.message) {
				t.Errorf("error %q does not mention %q", err, tc.message)
			}
		})
	}
}
