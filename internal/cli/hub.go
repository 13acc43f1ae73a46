package cli

import (
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/local"
)

// hubFlags choose and configure how the Hugging Face Hub is read.
type hubFlags struct {
	offline       string
	cacheDir      string
	noCache       bool
	rateLimit     int
	inspectBudget int64
}

func (f *hubFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.offline, "offline", "", "read the Hugging Face Hub only from this snapshot directory (see 'pedigree snapshot'); never the network")
	cmd.Flags().StringVar(&f.cacheDir, "cache-dir", "", "directory of the HTTP cache of Hub answers (default: the user cache directory's pedigree/http)")
	cmd.Flags().BoolVar(&f.noCache, "no-cache", false, "neither read nor write the HTTP cache")
	cmd.Flags().IntVar(&f.rateLimit, "rate-limit", huggingface.DefaultRateLimit, "at most this many Hub requests per 5 minutes (-1: no limit)")
	cmd.Flags().Int64Var(&f.inspectBudget, "inspect-budget", huggingface.DefaultInspectBudget, "bytes of each Hub weight file read (with range requests) to inspect it; 0 turns remote inspection off")
}

// hub is how one run reads the Hub.
type hub struct {
	store huggingface.Store // nil: the local Hugging Face cache only
	cache *local.HubCache   // nil: none found
}

// getenv looks up an environment variable in the run's environment.
func (st *state) getenv(key string) string {
	if st.env.Getenv != nil {
		return st.env.Getenv(key)
	}
	return os.Getenv(key)
}

// truthy reads an HF_* boolean variable as huggingface_hub does.
func truthy(v string) bool {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "1", "on", "yes", "true":
		return true
	}
	return false
}

// hub sets up the Hub access the flags and the environment ask for:
// --offline DIR reads a snapshot; HF_HUB_OFFLINE=1 reads only the local
// Hugging Face cache; otherwise the Hub at HF_ENDPOINT with HF_TOKEN,
// through the HTTP cache unless --no-cache. The local Hugging Face cache
// ($HF_HUB_CACHE, $HF_HOME/hub, ~/.cache/huggingface/hub) is read in every
// mode when it exists.
func (st *state) hub(f hubFlags) (*hub, error) {
	h := &hub{}
	home := os.UserHomeDir
	if st.env.Getenv != nil {
		home = func() (string, error) {
			if d := st.getenv("HOME"); d != "" {
				return d, nil
			}
			return "", errors.New("HOME is not set")
		}
	}
	if dir, err := local.HubCacheDir(st.getenv, home); err == nil {
		if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
			h.cache = local.NewHubCache(dir)
		}
	}
	switch {
	case f.offline != "":
		d, err := huggingface.Snapshot(f.offline)
		if err != nil {
			return nil, usageErr("--offline: %v", err)
		}
		h.store = d
		return h, nil
	case truthy(st.getenv("HF_HUB_OFFLINE")):
		return h, nil
	}
	if f.rateLimit == 0 {
		return nil, usageErr("--rate-limit 0: give a positive number of requests per 5 minutes, or -1 for no limit")
	}
	cacheDir := ""
	if !f.noCache {
		cacheDir = f.cacheDir
		if cacheDir == "" {
			d, err := httpclient.DefaultCacheDir()
			if err != nil {
				return nil, usageErr("no user cache directory for the HTTP cache (%v); give --cache-dir or --no-cache", err)
			}
			cacheDir = d
		}
	}
	token := st.getenv("HF_TOKEN")
	if token == "" {
		token = st.getenv("HUGGING_FACE_HUB_TOKEN")
	}
	t := st.tool()
	o, err := huggingface.NewOnline(huggingface.OnlineOptions{
		Endpoint:  st.getenv("HF_ENDPOINT"),
		Token:     strings.TrimSpace(token),
		UserAgent: fmt.Sprintf("%s/%s (+https://github.com/pedigree-ai/pedigree)", t.Name, t.Version),
		CacheDir:  cacheDir,
		RateLimit: f.rateLimit,
		Clock:     st.env.Clock,
	})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	h.store = o
	return h, nil
}
