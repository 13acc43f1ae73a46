package cli

import (
	"archive/zip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
)

// osvDBBase is where the OSV project publishes each ecosystem's database.
const osvDBBase = "https://osv-vulnerabilities.storage.googleapis.com"

// maxOSVDB bounds one ecosystem's download.
const maxOSVDB = 4 << 30

func (st *state) osvDBCommand() *cobra.Command {
	var base string
	cmd := &cobra.Command{
		Use:   "osv-db",
		Short: "Manage the offline OSV vulnerability database",
	}
	download := &cobra.Command{
		Use:   "download DIR [ECOSYSTEM...]",
		Short: "Download the OSV database of ecosystems for --osv-db DIR",
		Long: `Download each ecosystem's OSV database (default: PyPI, npm, Go, crates.io,
Maven, RubyGems, NuGet, Packagist) from the OSV project's public bucket into
DIR/osv-scalibr/ECOSYSTEM/all.zip, the layout osv-scanner and
'pedigree score --osv-db DIR' read. Each file is written to a temporary name and
renamed when complete, so an interrupted download never leaves a truncated
database behind.`,
		Example: `  pedigree osv-db download ./osv-db PyPI
  pedigree score --osv-db ./osv-db ./my-model`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			dir, ecos := args[0], args[1:]
			if len(ecos) == 0 {
				ecos = []string{"PyPI", "npm", "Go", "crates.io", "Maven", "RubyGems", "NuGet", "Packagist"}
			}
			t := st.tool()
			// A database is hundreds of megabytes: an attempt may take long,
			// and a stalled one is caught by downloadOSVDB's watchdog.
			c, err := httpclient.New(httpclient.Options{UserAgent: fmt.Sprintf("%s/%s", t.Name, t.Version), Clock: st.env.Clock,
				Timeout: osvDBAttemptTimeout})
			if err != nil {
				return runtimeErr(err)
			}
			hc := c.StandardClient()
			for _, eco := range ecos {
				if eco == "" || strings.ContainsAny(eco, `/\`) || eco == "." || eco == ".." {
					return usageErr("ecosystem %q: give an OSV ecosystem name such as PyPI or npm", eco)
				}
				n, err := downloadOSVDB(cmd.Context(), hc, strings.TrimRight(base, "/")+"/"+eco+"/all.zip", filepath.Join(dir, "osv-scalibr", eco, "all.zip"), osvDBStallTimeout)
				if err != nil {
					if errors.Is(err, context.Canceled) {
						return err
					}
					return runtimeErr(fmt.Errorf("osv-db download %s: %w", eco, err))
				}
				fmt.Fprintf(st.stdout, "%s: %d bytes\n", eco, n)
			}
			return nil
		},
	}
	download.Flags().StringVar(&base, "base-url", osvDBBase, "where the ecosystems' all.zip files are published")
	cmd.AddCommand(download)
	return cmd
}

// downloadOSVDB streams url to path through a temporary file, checks that
// it is a zip archive, and renames it into place.
func downloadOSVDB(ctx context.Context, hc *http.Client, url, path string, stall time.Duration) (n int64, err error) {
	// The watchdog ends a download that receives nothing for stall,
	// however long the whole may take.
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	watchdog := time.AfterFunc(stall, func() { cancel(errStalled) })
	defer watchdog.Stop()
	defer func() {
		if err != nil && errors.Is(context.Cause(ctx), errStalled) {
			err = fmt.Errorf("%s: no data for %s after %d bytes; check the network and run the download again", url, stall, n)
		}
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body := progressReader{r: resp.Body, progress: func() { watchdog.Reset(stall) }}
	if resp.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("HTTP %d from %s", resp.StatusCode, url)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return 0, err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".download-*")
	if err != nil {
		return 0, err
	}
	defer os.Remove(f.Name())
	n, err = io.Copy(f, io.LimitReader(body, maxOSVDB+1))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	switch {
	case err != nil:
		return n, fmt.Errorf("%s: read after %d bytes: %w; run the download again", url, n, err)
	case n > maxOSVDB:
		return n, fmt.Errorf("%s is larger than %d bytes", url, int64(maxOSVDB))
	case resp.ContentLength >= 0 && n != resp.ContentLength:
		return n, fmt.Errorf("%s ended after %d of %d bytes", url, n, resp.ContentLength)
	}
	zr, err := zip.OpenReader(f.Name())
	if err != nil {
		return n, fmt.Errorf("%s is not a zip archive: %w", url, err)
	}
	zr.Close()
	return n, os.Rename(f.Name(), path)
}

const (
	// osvDBAttemptTimeout bounds one attempt to download a database.
	osvDBAttemptTimeout = 2 * time.Hour
	// osvDBStallTimeout ends a download that receives no byte for so long.
	osvDBStallTimeout = time.Minute
)

// errStalled is the cause of a download ended by its watchdog.
var errStalled = errors.New("download stalled")

// progressReader calls progress after every read that returned bytes.
type progressReader struct {
	r        io.Reader
	progress func()
}

func (p progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	if n > 0 {
		p.progress()
	}
	return n, err
}
