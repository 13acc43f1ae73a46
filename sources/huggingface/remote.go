package huggingface

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"github.com/pedigree-ai/pedigree/internal/httpclient"
	"github.com/pedigree-ai/pedigree/sources"
)

// ErrBudget is the error of a [RemoteFile] read that would take the bytes
// downloaded past the file's budget. The bytes read until then stay
// readable: an inspector reports the file as only partly read.
var ErrBudget = errors.New("byte budget exhausted")

// Bounds of remote reads.
const (
	// RemoteBlockSize is the unit a [RemoteFile] fetches and caches:
	// aligned blocks of 64 KiB.
	RemoteBlockSize = 64 << 10
	// maxRemoteRun bounds the bytes of one range request, so that a large
	// read stays under the HTTP client's body size limit.
	maxRemoteRun = 4 << 20
)

// RemoteFile is an io.ReaderAt over a file of a Hub repository, read with
// HTTP range requests in aligned blocks of [RemoteBlockSize] bytes, each
// block fetched once and kept. The bytes downloaded are bounded by a
// budget: a read that would take them past it fails with [ErrBudget],
// having fetched nothing more. Reads of adjacent missing blocks are
// coalesced into one request. Safe for concurrent use: concurrent reads of
// the same block fetch it once.
type RemoteFile struct {
	ctx    context.Context
	client *httpclient.Client
	url    string
	path   string
	budget int64

	mu       sync.Mutex
	size     int64                   // -1 while unknown
	blocks   map[int64][]byte        // block index -> bytes (RemoteBlockSize, less for the last block)
	pending  map[int64]chan struct{} // blocks being fetched; closed when done
	fetched  int64                   // bytes downloaded
	reserved int64                   // bytes of fetches in flight
}

// OpenFile opens a file of a Hub repository for range reads. path is the
// Hub path "OWNER/NAME/resolve/SHA/FILE", as in [Request].Path; size is the
// file's size from the tree listing, or -1 when unknown, in which case
// OpenFile reads the first block at once to learn it (when the Hub gives
// no size at all, Size stays -1 and reads stop at the first short answer).
// budget bounds the bytes the file may download and must be positive; a
// few blocks at least is useful. ctx bounds every read of the file.
//
// Errors wrap the sentinels of package sources: ErrNotFound for a missing
// file, ErrUnauthorized for a gated or private one, ErrRateLimited;
// httpclient.ErrNoRange when the server does not serve byte ranges.
func (o *Online) OpenFile(ctx context.Context, path string, size int64, budget int64) (*RemoteFile, error) {
	if _, ok := SnapshotFile(path); !ok || strings.HasPrefix(path, "api/") || !strings.Contains(path, "/resolve/") {
		return nil, fmt.Errorf("%w: %q is not a Hub file path (want OWNER/NAME/resolve/REVISION/FILE)", sources.ErrMalformed, path)
	}
	if budget <= 0 {
		return nil, fmt.Errorf("remote file %s: byte budget %d is not positive; allow at least one block of %d bytes", path, budget, RemoteBlockSize)
	}
	if size < -1 {
		return nil, fmt.Errorf("remote file %s: size %d is invalid; pass -1 when the size is unknown", path, size)
	}
	f := &RemoteFile{
		ctx:     ctx,
		client:  o.client,
		url:     o.endpoint + "/" + path,
		path:    path,
		budget:  budget,
		size:    size,
		blocks:  make(map[int64][]byte),
		pending: make(map[int64]chan struct{}),
	}
	if size < 0 {
		if _, err := f.ReadAt(make([]byte, 1), 0); err != nil && err != io.EOF {
			return nil, err
		}
	}
	return f, nil
}

// Size returns the file's size in bytes, -1 when the Hub did not tell it.
func (f *RemoteFile) Size() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.size
}

// Fetched returns the bytes downloaded so far.
func (f *RemoteFile) Fetched() int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.fetched
}

// Budget returns the byte budget the file was opened with.
func (f *RemoteFile) Budget() int64 { return f.budget }

// Path returns the Hub path the file was opened with.
func (f *RemoteFile) Path() string { return f.path }

// ReadAt implements io.ReaderAt. It returns io.EOF when the read reaches
// the end of the file, and an error wrapping [ErrBudget] when the blocks
// still missing would take the bytes downloaded past the budget; in both
// cases n counts the bytes that could be read from off on.
func (f *RemoteFile) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("remote file %s: negative offset %d", f.path, off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	for {
		f.mu.Lock()
		if f.size >= 0 && off >= f.size {
			f.mu.Unlock()
			return 0, io.EOF
		}
		end := off + int64(len(p))
		if end < off { // overflow
			end = 1<<63 - 1
		}
		if f.size >= 0 && end > f.size {
			end = f.size
		}
		var claim []int64
		var wait []chan struct{}
		for b := off / RemoteBlockSize; b*RemoteBlockSize < end; b++ {
			if _, ok := f.blocks[b]; ok {
				continue
			}
			if ch, ok := f.pending[b]; ok {
				wait = append(wait, ch)
				continue
			}
			claim = append(claim, b)
		}
		if len(claim) == 0 && len(wait) == 0 {
			n := f.copyLocked(p, off)
			f.mu.Unlock()
			if n < len(p) {
				return n, io.EOF
			}
			return n, nil
		}
		need := f.bytesOfLocked(claim)
		if f.fetched+f.reserved+need > f.budget {
			n := f.copyLocked(p, off)
			fetched := f.fetched
			f.mu.Unlock()
			return n, fmt.Errorf("remote file %s: %w: reading %d bytes at offset %d needs %d more bytes, %d of the %d byte budget spent",
				f.path, ErrBudget, len(p), off, need, fetched, f.budget)
		}
		f.reserved += need
		done := make(chan struct{})
		for _, b := range claim {
			f.pending[b] = done
		}
		f.mu.Unlock()

		err := f.fetch(claim, need, done)
		if err != nil {
			f.mu.Lock()
			n := f.copyLocked(p, off)
			f.mu.Unlock()
			return n, err
		}
		for _, ch := range wait {
			select {
			case <-ch:
			case <-f.ctx.Done():
				return 0, f.ctx.Err()
			}
		}
		// Blocks fetched by other readers may have failed: look again, and
		// claim what is still missing.
	}
}

// bytesOfLocked returns the bytes the given blocks span, within the file
// when its size is known. f.mu must be held.
func (f *RemoteFile) bytesOfLocked(blocks []int64) int64 {
	var n int64
	for _, b := range blocks {
		start, stop := b*RemoteBlockSize, (b+1)*RemoteBlockSize
		if f.size >= 0 {
			stop = min(stop, f.size)
		}
		n += stop - start
	}
	return n
}

// copyLocked copies into p the bytes from off on that sit in consecutive
// cached blocks, and returns how many. f.mu must be held.
func (f *RemoteFile) copyLocked(p []byte, off int64) int {
	n := 0
	for n < len(p) {
		pos := off + int64(n)
		blk, ok := f.blocks[pos/RemoteBlockSize]
		within := pos % RemoteBlockSize
		if !ok || within >= int64(len(blk)) {
			break
		}
		n += copy(p[n:], blk[within:])
	}
	return n
}

// fetch downloads the claimed blocks (ascending), one range request per
// run of consecutive blocks, stores them and releases the reservation of
// need bytes and the pending marks, closing done.
func (f *RemoteFile) fetch(claim []int64, need int64, done chan struct{}) error {
	defer func() {
		f.mu.Lock()
		f.reserved -= need
		for _, b := range claim {
			if f.pending[b] == done {
				delete(f.pending, b)
			}
		}
		f.mu.Unlock()
		close(done)
	}()
	for i := 0; i < len(claim); {
		j := i + 1
		for j < len(claim) && claim[j] == claim[j-1]+1 && int64(j-i+1)*RemoteBlockSize <= maxRemoteRun {
			j++
		}
		if err := f.fetchRun(claim[i], claim[j-1]); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// fetchRun downloads blocks first..last with one range request.
func (f *RemoteFile) fetchRun(first, last int64) error {
	off := first * RemoteBlockSize
	n := (last - first + 1) * RemoteBlockSize
	f.mu.Lock()
	if f.size >= 0 {
		n = min(n, f.size-off)
	}
	f.mu.Unlock()
	data, total, err := f.client.GetRange(f.ctx, f.url, off, n)
	if errors.Is(err, httpclient.ErrRange) && total >= 0 {
		// Past the end of a file whose size was unknown: now it is known.
		return f.learnSize(total)
	}
	if err != nil {
		return f.classify(err, off, n)
	}
	if total >= 0 {
		if err := f.learnSize(total); err != nil {
			return err
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fetched += int64(len(data))
	if int64(len(data)) < n && f.size < 0 {
		// A short answer without a total ends the file.
		f.size = off + int64(len(data))
	}
	for b := first; b <= last; b++ {
		lo := (b - first) * RemoteBlockSize
		if lo >= int64(len(data)) {
			break
		}
		hi := min(lo+RemoteBlockSize, int64(len(data)))
		f.blocks[b] = data[lo:hi:hi]
	}
	return nil
}

// learnSize records the total the Hub reported, failing when it
// contradicts the size the file was opened with.
func (f *RemoteFile) learnSize(total int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case f.size < 0:
		f.size = total
	case f.size != total:
		return fmt.Errorf("%w: remote file %s has %d bytes, but its listing says %d; the file changed or the listing is stale, read the tree again",
			sources.ErrMalformed, f.path, total, f.size)
	}
	return nil
}

// classify turns a GetRange error into the source's error vocabulary.
func (f *RemoteFile) classify(err error, off, n int64) error {
	var se *httpclient.StatusError
	if errors.As(err, &se) {
		return fmt.Errorf("remote file %s: %w", f.path, statusError(&httpclient.Response{URL: se.URL, Status: se.Status, Header: se.Header}))
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("remote file %s: bytes %d-%d: %w", f.path, off, off+n-1, classifyTransport(err))
}

// OpenFile opens a file recorded in the snapshot under a Hub file path
// ("OWNER/NAME/resolve/SHA/FILE"), matching path segments
// case-insensitively when the exact spelling is absent, and returns it with
// its size. Only regular files inside the snapshot directory are opened:
// a symbolic link leading out of it is refused. A missing file is an error
// wrapping both [sources.ErrNotFound] and [sources.ErrOffline].
func (d *Dir) OpenFile(path string) (*os.File, int64, error) {
	rel, ok := SnapshotFile(path)
	if !ok || strings.HasPrefix(path, "api/") {
		return nil, 0, fmt.Errorf("%w: %q is not a Hub file path a snapshot can hold (want OWNER/NAME/resolve/REVISION/FILE)", sources.ErrMalformed, path)
	}
	if _, err := os.Lstat(filepath.Join(d.root, filepath.FromSlash(rel))); errors.Is(err, fs.ErrNotExist) {
		if alt, ok := d.fold(rel); ok {
			rel = alt
		}
	}
	root, err := os.OpenRoot(d.root)
	if err != nil {
		return nil, 0, fmt.Errorf("offline snapshot %s: %w", d.root, err)
	}
	defer root.Close()
	file, err := root.Open(filepath.FromSlash(rel))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, 0, fmt.Errorf("%w: %s is not in the offline snapshot %s (%w)", sources.ErrNotFound, rel, d.root, sources.ErrOffline)
	}
	if err != nil {
		return nil, 0, fmt.Errorf("offline snapshot %s: %s: %w", d.root, rel, err)
	}
	fi, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, 0, fmt.Errorf("offline snapshot %s: %s: %w", d.root, rel, err)
	}
	if !fi.Mode().IsRegular() {
		file.Close()
		return nil, 0, fmt.Errorf("%w: %s in the offline snapshot %s is not a regular file (%w)", sources.ErrNotFound, rel, d.root, sources.ErrOffline)
	}
	return file, fi.Size(), nil
}
