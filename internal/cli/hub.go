package cli

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ossf/scorecard/v5/clients/ossfuzz"
	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources"
	"github.com/pedigree-ai/pedigree/sources/huggingface"
	"github.com/pedigree-ai/pedigree/sources/local"
	"github.com/pedigree-ai/pedigree/sources/osv"
	"github.com/pedigree-ai/pedigree/sources/scorecard"
	"github.com/pedigree-ai/pedigree/sources/scorecard/checkout"
)

// hubFlags choose and configure how the Hugging Face Hub is read.
type hubFlags struct {
	osvDB          string
	scorecardLocal []string
	offline        string
	cacheDir       string
	noCache        bool
	rateLimit      int
	inspectBudget  int64
	// maxWait caps a rate-limit wait before a request fails as rate
	// limited; zero means the client's default (60 s). Batch runs wait
	// out a whole window instead of failing subjects.
	maxWait time.Duration
}

func (f *hubFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&f.osvDB, "osv-db", "", "read vulnerabilities from this offline OSV database (osv-scanner's layout: DIR/osv-scalibr/<Ecosystem>/all.zip) instead of api.osv.dev")
	cmd.Flags().StringArrayVar(&f.scorecardLocal, "scorecard-local", nil, "run OpenSSF Scorecard's file-based checks over this local checkout of the assessed model's code repository (repeatable; see docs/scorecard.md)")
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
	// offline is true when the run must not use the network (--offline or
	// HF_HUB_OFFLINE=1): no source that needs it is installed.
	offline bool
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
		h.store, h.offline = d, true
		return h, nil
	case truthy(st.getenv("HF_HUB_OFFLINE")):
		h.offline = true
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
		Endpoint:      st.getenv("HF_ENDPOINT"),
		Token:         strings.TrimSpace(token),
		UserAgent:     fmt.Sprintf("%s/%s (+https://github.com/pedigree-ai/pedigree)", t.Name, t.Version),
		CacheDir:      cacheDir,
		RateLimit:     f.rateLimit,
		MaxRetryAfter: f.maxWait,
		Clock:         st.env.Clock,
	})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	h.store = o
	return h, nil
}

// networkSources returns the sources of software dependencies and code
// repositories: osv (offline with --osv-db, else online) and scorecard
// (online only). An offline run installs only what needs no network, so
// their subjects read as skipped and their rules as unknown.
func (st *state) networkSources(f hubFlags, h *hub) ([]sources.Source, error) {
	var out []sources.Source
	if f.osvDB != "" {
		// The source keeps a name-normalised copy of the database; with
		// --cache-dir it lives there, else in the user cache directory.
		var osvCache string
		if f.cacheDir != "" && !f.noCache {
			osvCache = filepath.Join(f.cacheDir, "osv-db")
		}
		o, err := osv.New(osv.Options{DBDir: f.osvDB, Clock: st.env.Clock, CacheDir: osvCache})
		if err != nil {
			return nil, usageErr("--osv-db: %v", err)
		}
		out = append(out, o)
	}
	if h.offline {
		return out, nil
	}
	cacheDir := ""
	if !f.noCache {
		cacheDir = f.cacheDir
		if cacheDir == "" {
			if d, err := httpclient.DefaultCacheDir(); err == nil {
				cacheDir = d
			}
		}
	}
	t := st.tool()
	c, err := httpclient.New(httpclient.Options{
		UserAgent: fmt.Sprintf("%s/%s (+https://github.com/pedigree-ai/pedigree)", t.Name, t.Version),
		CacheDir:  cacheDir,
		Clock:     st.env.Clock,
	})
	if err != nil {
		return nil, usageErr("%v", err)
	}
	if f.osvDB == "" {
		o, err := osv.New(osv.Options{HTTPClient: c.StandardClient(), Clock: st.env.Clock})
		if err != nil {
			return nil, runtimeErr(err)
		}
		out = append(out, o)
	}
	return append(out, scorecard.New(scorecard.Options{Client: c, Clock: st.env.Clock})), nil
}

// checkoutSources returns the sources of --scorecard-local: Scorecard's
// checks over each checkout, and the links from every reference assessed
// to the checkouts. The Fuzzing check, which reads OSS-Fuzz's project list,
// runs only when the run may use the network.
func (st *state) checkoutSources(f hubFlags, h *hub, refs []string) ([]sources.Source, error) {
	if len(f.scorecardLocal) == 0 {
		return nil, nil
	}
	var cos []checkout.Checkout
	for _, dir := range f.scorecardLocal {
		c, err := checkout.Open(dir)
		if err != nil {
			return nil, usageErr("--scorecard-local: %v", err)
		}
		cos = append(cos, c)
	}
	var roots []sources.Subject
	for _, r := range refs {
		// A reference that does not parse is reported when it is assessed.
		if s, err := resolveRef(r); err == nil {
			roots = append(roots, s)
		}
	}
	o := checkout.Options{Checkouts: cos, Clock: st.env.Clock}
	if !h.offline {
		o.OSSFuzzStatusURL = ossfuzz.StatusURL
	}
	return []sources.Source{checkout.New(o), checkout.NewLinker(roots, cos, st.env.Clock)}, nil
}
