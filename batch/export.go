package batch

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/pedigree-ai/pedigree/risk"
)

// Export writes the stored reports of keys to w, in the order of keys, one
// per line (JSON Lines), and returns the keys that have no stored record,
// in the same order. A key listed more than once is written once, at its
// first place. Export streams: it holds one report in memory at a time.
func Export(ctx context.Context, s *Store, keys []string, w io.Writer) (missing []string, err error) {
	if s == nil {
		return nil, errors.New("batch: export: no store; open one with Open")
	}
	bw := bufio.NewWriterSize(w, 256<<10)
	seen := make(map[string]struct{}, len(keys))
	var buf bytes.Buffer
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return missing, err
		}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		_, blob, size, ok, err := s.get(ctx, k)
		if err != nil {
			return missing, err
		}
		if !ok {
			missing = append(missing, k)
			continue
		}
		buf.Reset()
		if err := decompress(&buf, blob, size); err != nil {
			return missing, fmt.Errorf("batch: export %q from %s: %w; the state is damaged, remove the entry's record to assess it again", k, s.path, err)
		}
		buf.WriteByte('\n')
		if _, err := bw.Write(buf.Bytes()); err != nil {
			return missing, fmt.Errorf("batch: export: write: %w", err)
		}
	}
	if err := bw.Flush(); err != nil {
		return missing, fmt.Errorf("batch: export: write: %w", err)
	}
	return missing, nil
}

// MergeResult says what Merge wrote and what it found wrong. Each list is
// nil when empty.
type MergeResult struct {
	// Written is the number of reports written.
	Written int
	// Gaps are the keys no file has a report for, in key order.
	Gaps []string
	// Conflicts are the keys reported more than once with different bytes,
	// in key order. The first report of such a key (in file order, then line
	// order) is the one written.
	Conflicts []string
	// Extra are the refs of reports whose ref is none of the keys, in the
	// order first met; they are not written.
	Extra []string
}

// Merge joins the JSON Lines outputs of shard runs (files) into one output
// ordered like keys, the catalog's references in catalog order, and writes
// it to w. A report belongs to the key equal to its subject.ref. A key
// listed more than once is written once, at its first place.
//
// A key with no report is a gap; a key reported twice with different bytes
// is a conflict, while identical duplicates are dropped; a report whose ref
// is not among keys is extra. Merge returns these for the caller to decide;
// it fails only on a file it cannot read, a malformed line (the error names
// the file and line number), a write error or cancellation.
//
// Merge reads each file at most twice: a pass recording where each report
// is and a digest of its bytes, then a copy of the reports in key order. It
// never holds more than one report in memory; its index grows with the
// number of keys. Blank lines are skipped; line ends may be \n or \r\n and
// are written as \n. The output of Merge over the shards of a run is byte
// for byte the Export of the unsharded run.
func Merge(ctx context.Context, keys []string, files []string, w io.Writer) (MergeResult, error) {
	var res MergeResult
	want := make(map[string]bool, len(keys))
	for _, k := range keys {
		want[k] = true
	}
	m := merger{
		want:     want,
		index:    make(map[string]location, len(keys)),
		conflict: map[string]bool{},
		extra:    map[string]bool{},
		sizes:    make([]int64, len(files)),
	}
	for i, name := range files {
		if err := m.indexFile(ctx, i, name); err != nil {
			return MergeResult{}, err
		}
	}
	res.Extra = m.extras

	handles := make([]*os.File, len(files))
	defer func() {
		for _, f := range handles {
			if f != nil {
				f.Close()
			}
		}
	}()
	bw := bufio.NewWriterSize(w, 256<<10)
	seen := make(map[string]struct{}, len(keys))
	for _, k := range keys {
		if err := ctx.Err(); err != nil {
			return res, err
		}
		if _, dup := seen[k]; dup {
			continue
		}
		seen[k] = struct{}{}
		l, ok := m.index[k]
		if !ok {
			res.Gaps = append(res.Gaps, k)
			continue
		}
		if m.conflict[k] {
			res.Conflicts = append(res.Conflicts, k)
		}
		f := handles[l.file]
		if f == nil {
			var err error
			if f, err = m.reopen(files[l.file], l.file); err != nil {
				return res, err
			}
			handles[l.file] = f
		}
		n, err := io.Copy(bw, io.NewSectionReader(f, l.off, l.n))
		if err == nil && n != l.n {
			err = io.ErrUnexpectedEOF
		}
		if err != nil {
			return res, fmt.Errorf("batch: merge: copy %q from %s: %w", k, files[l.file], err)
		}
		if err := bw.WriteByte('\n'); err != nil {
			return res, fmt.Errorf("batch: merge: write: %w", err)
		}
		res.Written++
	}
	if err := bw.Flush(); err != nil {
		return res, fmt.Errorf("batch: merge: write: %w", err)
	}
	return res, nil
}

// location is where one report is: file index, byte offset and length of
// the line without its end, and the SHA-256 of those bytes.
type location struct {
	file int
	off  int64
	n    int64
	sum  [sha256.Size]byte
}

type merger struct {
	want     map[string]bool
	index    map[string]location
	conflict map[string]bool
	extra    map[string]bool
	extras   []string
	sizes    []int64
}

// reportHead is the part of a report Merge reads.
type reportHead struct {
	SchemaVersion string `json:"schema_version"`
	Subject       struct {
		Ref string `json:"ref"`
	} `json:"subject"`
}

// indexFile records where each report of file i is.
func (m *merger) indexFile(ctx context.Context, i int, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("batch: merge: %w", err)
	}
	defer f.Close()
	size, err := scanLines(ctx, name, f, func(line []byte, off int64, no int) error {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		var head reportHead
		if err := json.Unmarshal(line, &head); err != nil {
			return fmt.Errorf("batch: merge: %s: line %d: not a JSON report: %v", name, no, err)
		}
		if head.SchemaVersion != risk.SchemaVersion {
			return fmt.Errorf("batch: merge: %s: line %d: schema_version %q; this version of pedigree reads %q", name, no, head.SchemaVersion, risk.SchemaVersion)
		}
		ref := head.Subject.Ref
		if ref == "" {
			return fmt.Errorf("batch: merge: %s: line %d: report has no subject.ref", name, no)
		}
		if !m.want[ref] {
			if !m.extra[ref] {
				m.extra[ref] = true
				m.extras = append(m.extras, ref)
			}
			return nil
		}
		l := location{file: i, off: off, n: int64(len(line)), sum: sha256.Sum256(line)}
		if prev, ok := m.index[ref]; ok {
			if prev.sum != l.sum {
				m.conflict[ref] = true
			}
			return nil
		}
		m.index[ref] = l
		return nil
	})
	if err != nil {
		return err
	}
	m.sizes[i] = size
	return nil
}

// reopen opens file i again for the copy pass and checks it has not
// changed size since the index pass.
func (m *merger) reopen(name string, i int) (*os.File, error) {
	f, err := os.Open(name)
	if err != nil {
		return nil, fmt.Errorf("batch: merge: %w", err)
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("batch: merge: %w", err)
	}
	if st.Size() != m.sizes[i] {
		f.Close()
		return nil, fmt.Errorf("batch: merge: %s changed during the merge (%d bytes, then %d); merge again once the shard runs have finished", name, m.sizes[i], st.Size())
	}
	return f, nil
}

// scanLines calls fn with every line of r (without its \n or \r\n end),
// the line's byte offset and its number from 1, and returns the number of
// bytes read. It returns fn's errors as they are; its own errors name the
// file, name. A line longer than maxReportBytes is an error.
func scanLines(ctx context.Context, name string, r io.Reader, fn func(line []byte, off int64, no int) error) (int64, error) {
	br := bufio.NewReaderSize(r, 256<<10)
	var off int64
	var buf []byte
	for no := 1; ; no++ {
		if err := ctx.Err(); err != nil {
			return off, err
		}
		buf = buf[:0]
		var err error
		for {
			chunk, e := br.ReadSlice('\n')
			if len(buf)+len(chunk) > maxReportBytes+2 {
				return off, fmt.Errorf("batch: merge: %s: line %d is longer than %d bytes; a report is one line of JSON", name, no, maxReportBytes)
			}
			buf = append(buf, chunk...)
			if e == bufio.ErrBufferFull {
				continue
			}
			err = e
			break
		}
		if err != nil && err != io.EOF {
			return off, fmt.Errorf("batch: merge: read %s: %w", name, err)
		}
		if len(buf) == 0 {
			return off, nil
		}
		line := bytes.TrimSuffix(buf, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if ferr := fn(line, off, no); ferr != nil {
			return off, ferr
		}
		off += int64(len(buf))
		if err == io.EOF {
			return off, nil
		}
	}
}
