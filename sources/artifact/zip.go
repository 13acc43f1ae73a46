package artifact

import (
	"bytes"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"path"
	"sort"
	"strings"
)

// PickleScanner scans one pickle stream read from r, reading at most limit
// bytes of it. [ScanPickle] is the scanner used in production; the
// container inspectors take it as a parameter so that they can be tested
// on their own.
type PickleScanner func(r io.Reader, limit int64) (*PickleReport, error)

// errBudget reports that a read would go past the byte budget.
var errBudget = errors.New("byte budget exhausted")

// errPastEnd reports that a length or offset points past the end of the
// file.
var errPastEnd = errors.New("past the end of the file")

// budgetReader reads a file of known size through an io.ReaderAt and
// never reads more than its budget in total.
type budgetReader struct {
	r    io.ReaderAt
	size int64
	left int64
}

// newBudgetReader returns a budgetReader over the size bytes of r that
// reads at most budget bytes.
func newBudgetReader(r io.ReaderAt, size, budget int64) *budgetReader {
	return &budgetReader{r: r, size: max(size, 0), left: max(budget, 0)}
}

// ReadAt implements io.ReaderAt. It returns io.EOF at the end of the file
// and errBudget when the budget runs out.
func (b *budgetReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, errPastEnd
	}
	if off >= b.size {
		return 0, io.EOF
	}
	short := false
	if int64(len(p)) > b.size-off {
		p, short = p[:b.size-off], true
	}
	var budgetShort bool
	if int64(len(p)) > b.left {
		if b.left == 0 {
			return 0, errBudget
		}
		p, budgetShort = p[:b.left], true
	}
	n, err := b.r.ReadAt(p, off)
	b.left -= int64(n)
	switch {
	case err != nil && !(err == io.EOF && n == len(p)):
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return n, err
	case budgetShort:
		return n, errBudget
	case short:
		return n, io.EOF
	}
	return n, nil
}

// read returns the n bytes at off. It checks n against the bytes left in
// the file and in the budget before allocating anything.
func (b *budgetReader) read(off, n int64) ([]byte, error) {
	switch {
	case off < 0 || n < 0 || off > b.size || n > b.size-off:
		return nil, errPastEnd
	case n > b.left:
		return nil, errBudget
	}
	p := make([]byte, n)
	if n == 0 {
		return p, nil
	}
	if _, err := b.ReadAt(p, off); err != nil && err != io.EOF {
		return nil, err
	}
	return p, nil
}

// maxProblems caps the problems a report lists; the rest are counted.
const maxProblems = 64

// problems collects the malformations found in a file.
type problems struct {
	list    []string
	dropped int
}

// add records a problem.
func (p *problems) add(format string, args ...any) {
	if len(p.list) >= maxProblems {
		p.dropped++
		return
	}
	p.list = append(p.list, fmt.Sprintf(format, args...))
}

// result returns the problems, with a last line counting those left out.
func (p *problems) result() []string {
	if p.dropped > 0 {
		return append(p.list, fmt.Sprintf("%d more problems not listed", p.dropped))
	}
	return p.list
}

// Zip container limits.
const (
	// maxZipEntries is the most central directory entries read.
	maxZipEntries = 100_000
	// maxZipEntrySize is the largest uncompressed size an entry may
	// declare (1 TiB); a larger claim is malformed.
	maxZipEntrySize = 1 << 40
	// maxDeflateRatio is deflate's largest possible compression ratio; an
	// entry declaring more lies about its sizes.
	maxDeflateRatio = 1032
	// bombRatio is the ratio of declared uncompressed bytes to file size
	// above which (past bombMinSize) an archive is reported as a zip bomb.
	bombRatio = 100
	// bombMinSize is the declared uncompressed total below which no
	// archive is called a bomb.
	bombMinSize = 1 << 30
	// maxZipMetadata is the largest JSON entry (config.json) read whole.
	maxZipMetadata = 64 << 20
)

// Zip compression methods.
const (
	zipStore   = 0
	zipDeflate = 8
)

// Kinds of zip container.
const (
	ZipPyTorch = "pytorch" // a PyTorch checkpoint: a data.pkl and tensor blobs
	ZipKeras   = "keras"   // a Keras v3 archive: config.json, metadata.json, weights
	ZipNumpy   = "npz"     // a NumPy archive of .npy arrays
	ZipPlain   = "zip"     // any other zip archive
)

// ZipEntry is one entry of a zip archive's central directory.
type ZipEntry struct {
	// Name is the entry's name, as stored.
	Name string
	// Method is the compression method: 0 stored, 8 deflated.
	Method uint16
	// CompressedSize and Size are the declared compressed and
	// uncompressed sizes.
	CompressedSize, Size uint64
	// Offset is the offset of the entry's local header in the file.
	Offset int64
	// flags are the general purpose flags.
	flags uint16
}

// ZipReport is what an inspection of a zip archive found.
type ZipReport struct {
	// Entries lists the central directory's entries in stored order (at
	// most 100,000).
	Entries []ZipEntry
	// Pickles maps the name of each pickle entry (".pkl", and the .npy
	// entries of object dtype in a .npz) to its scan report.
	Pickles map[string]*PickleReport
	// Malformed lists what is wrong or hostile: unreadable directories,
	// path traversal names, impossible sizes, overlapping entries, zip
	// bombs. Empty for a sound archive.
	Malformed []string
	// Kind is ZipPyTorch, ZipKeras, ZipNumpy or ZipPlain.
	Kind string
	// Size is the size of the archive in bytes.
	Size int64
	// Truncated is true when the byte budget ran out before the
	// directory or a pickle entry was read whole.
	Truncated bool
}

// InspectZip inspects the zip archive of size bytes readable through r,
// reading at most budget bytes of it: the central directory, found from
// the end (EOCD and zip64), and the entries that hold pickles, each passed
// to scan. Compressed entries are inflated as they are scanned; inflated
// bytes are bounded by budget too. Problems are reported, never returned
// as errors.
func InspectZip(r io.ReaderAt, size, budget int64, scan PickleScanner) *ZipReport {
	rep := &ZipReport{Kind: ZipPlain, Size: size, Pickles: map[string]*PickleReport{}}
	var p problems
	b := newBudgetReader(r, size, budget)
	entries, lens, err := readZipDirectory(b, &p)
	rep.Entries = entries
	if errors.Is(err, errBudget) {
		rep.Truncated = true
	}
	if err != nil {
		rep.Malformed = p.result()
		return rep
	}
	checkZipEntries(entries, lens, size, &p)
	rep.Kind = zipKind(entries)
	// inflateLeft bounds the entry content scanned, over all entries: a
	// deflated entry can inflate 1032 times, so the compressed bytes read
	// alone do not bound the work.
	inflateLeft := budget
	for _, e := range entries {
		lower := strings.ToLower(e.Name)
		isPickle := strings.HasSuffix(lower, ".pkl")
		isNpy := rep.Kind == ZipNumpy && strings.HasSuffix(lower, ".npy")
		if !isPickle && !isNpy {
			continue
		}
		if inflateLeft <= 0 {
			rep.Truncated = true
			break
		}
		limit := int64(min(e.Size, uint64(inflateLeft)))
		entry, err := openZipEntry(b, e, limit, &p)
		if err != nil {
			if errors.Is(err, errBudget) {
				rep.Truncated = true
			}
			continue
		}
		rd := &countReader{r: entry}
		if isPickle {
			pr, err := scan(rd, limit)
			inflateLeft -= rd.n
			switch {
			case err != nil && errors.Is(err, errBudget):
				rep.Truncated = true
			case err != nil:
				p.add("entry %q: pickle not scanned: %v", e.Name, err)
			}
			if pr != nil {
				rep.Pickles[e.Name] = pr
				rep.Truncated = rep.Truncated || pr.Truncated
			}
			continue
		}
		nr := inspectNumpyStream(rd, int64(min(e.Size, 1<<62)), limit, scan)
		inflateLeft -= rd.n
		for _, m := range nr.Malformed {
			p.add("entry %q: %s", e.Name, m)
		}
		if nr.Pickle != nil {
			rep.Pickles[e.Name] = nr.Pickle
		}
		rep.Truncated = rep.Truncated || nr.Truncated
	}
	if b.left == 0 && budget < size {
		rep.Truncated = true
	}
	rep.Malformed = p.result()
	return rep
}

// countReader counts the bytes read through it.
type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// readZipDirectory reads the central directory of the archive. It returns
// the entries and, for each, the length of its name (for overlap checks).
func readZipDirectory(b *budgetReader, p *problems) ([]ZipEntry, []int64, error) {
	size := b.size
	if size < 22 {
		p.add("file is %d bytes, too short for a zip end of central directory record (22 bytes)", size)
		return nil, nil, errPastEnd
	}
	// The end record is usually in the last few bytes; look there first,
	// then in the largest window a comment allows.
	var tail []byte
	var tailLen int64
	eocd := -1
	for _, window := range []int64{4 << 10, 22 + 65535} {
		tailLen = min(size, window)
		var err error
		tail, err = b.read(size-tailLen, tailLen)
		if err != nil {
			if errors.Is(err, errBudget) {
				p.add("the last %d bytes holding the zip directory exceed the read budget", tailLen)
			} else {
				p.add("reading the end of the zip: %v", err)
			}
			return nil, nil, err
		}
		eocd = findEOCD(tail)
		if eocd >= 0 || tailLen == size {
			break
		}
	}
	if eocd < 0 {
		p.add("no zip end of central directory record in the last %d bytes", tailLen)
		return nil, nil, errPastEnd
	}
	eocdOff := size - tailLen + int64(eocd)
	rec := tail[eocd:]
	disk, cdDisk := binary.LittleEndian.Uint16(rec[4:]), binary.LittleEndian.Uint16(rec[6:])
	count := uint64(binary.LittleEndian.Uint16(rec[10:]))
	cdSize := uint64(binary.LittleEndian.Uint32(rec[12:]))
	cdOff := uint64(binary.LittleEndian.Uint32(rec[16:]))
	dirEnd := eocdOff
	if loc := eocd - 20; loc >= 0 && string(tail[loc:loc+4]) == "PK\x06\x07" {
		z64Off := binary.LittleEndian.Uint64(tail[loc+8:])
		if z64Off > uint64(size) || uint64(size)-z64Off < 56 || int64(z64Off) > eocdOff-20 {
			p.add("zip64 end of central directory offset %d lies outside the file", z64Off)
			return nil, nil, errPastEnd
		}
		z, err := b.read(int64(z64Off), 56)
		if err != nil {
			p.add("reading the zip64 end of central directory at offset %d: %v", z64Off, err)
			return nil, nil, err
		}
		if string(z[:4]) != "PK\x06\x06" {
			p.add("no zip64 end of central directory record at offset %d", z64Off)
			return nil, nil, errPastEnd
		}
		disk, cdDisk = uint16(min(binary.LittleEndian.Uint32(z[16:]), 0xFFFF)), uint16(min(binary.LittleEndian.Uint32(z[20:]), 0xFFFF))
		count = binary.LittleEndian.Uint64(z[32:])
		cdSize = binary.LittleEndian.Uint64(z[40:])
		cdOff = binary.LittleEndian.Uint64(z[48:])
		dirEnd = int64(z64Off)
	}
	if disk != 0 || cdDisk != 0 {
		p.add("multi-disk zip archives are not supported (disk %d, directory disk %d)", disk, cdDisk)
		return nil, nil, errPastEnd
	}
	if cdOff > uint64(dirEnd) || cdSize > uint64(dirEnd)-cdOff {
		p.add("central directory (offset %d, %d bytes) lies outside the file before its end record at %d", cdOff, cdSize, dirEnd)
		return nil, nil, errPastEnd
	}
	if count > cdSize/46 {
		p.add("central directory declares %d entries, more than its %d bytes can hold", count, cdSize)
		return nil, nil, errPastEnd
	}
	if count > maxZipEntries {
		p.add("central directory declares %d entries; only the first %d are read", count, maxZipEntries)
		count = maxZipEntries
	}
	cd, err := b.read(int64(cdOff), int64(cdSize))
	if err != nil {
		if errors.Is(err, errBudget) {
			p.add("the %d-byte central directory exceeds the read budget", cdSize)
		} else {
			p.add("reading the central directory at offset %d: %v", cdOff, err)
		}
		return nil, nil, err
	}
	entries := make([]ZipEntry, 0, count)
	lens := make([]int64, 0, count)
	pos := 0
	for i := uint64(0); i < count; i++ {
		if len(cd)-pos < 46 || string(cd[pos:pos+4]) != "PK\x01\x02" {
			p.add("central directory entry %d at offset %d is truncated or has a bad signature", i, int64(cdOff)+int64(pos))
			break
		}
		h := cd[pos : pos+46]
		nameLen, extraLen, commentLen := int(binary.LittleEndian.Uint16(h[28:])), int(binary.LittleEndian.Uint16(h[30:])), int(binary.LittleEndian.Uint16(h[32:]))
		if len(cd)-pos-46 < nameLen+extraLen+commentLen {
			p.add("central directory entry %d at offset %d runs past the directory", i, int64(cdOff)+int64(pos))
			break
		}
		e := ZipEntry{
			Name:           string(cd[pos+46 : pos+46+nameLen]),
			Method:         binary.LittleEndian.Uint16(h[10:]),
			CompressedSize: uint64(binary.LittleEndian.Uint32(h[20:])),
			Size:           uint64(binary.LittleEndian.Uint32(h[24:])),
			Offset:         int64(binary.LittleEndian.Uint32(h[42:])),
			flags:          binary.LittleEndian.Uint16(h[8:]),
		}
		zip64Extra(&e, cd[pos+46+nameLen:pos+46+nameLen+extraLen], p)
		entries = append(entries, e)
		lens = append(lens, int64(nameLen))
		pos += 46 + nameLen + extraLen + commentLen
	}
	return entries, lens, nil
}

// findEOCD returns the offset in tail of the last end of central
// directory record whose comment fits in tail, -1 when there is none.
func findEOCD(tail []byte) int {
	for i := len(tail) - 22; i >= 0; i-- {
		if tail[i] == 'P' && string(tail[i:i+4]) == "PK\x05\x06" {
			if n := int(binary.LittleEndian.Uint16(tail[i+20:])); i+22+n <= len(tail) {
				return i
			}
		}
	}
	return -1
}

// zip64Extra applies the zip64 extended information extra field (ID 1) to
// e: each of the sizes and offset saturated at 0xFFFFFFFF is read from it,
// in order.
func zip64Extra(e *ZipEntry, extra []byte, p *problems) {
	for len(extra) >= 4 {
		id, n := binary.LittleEndian.Uint16(extra), int(binary.LittleEndian.Uint16(extra[2:]))
		if len(extra)-4 < n {
			p.add("entry %q: extra field %d runs past the extra data", e.Name, id)
			return
		}
		f := extra[4 : 4+n]
		extra = extra[4+n:]
		if id != 1 {
			continue
		}
		next := func(v *uint64) bool {
			if *v != 0xFFFFFFFF {
				return true
			}
			if len(f) < 8 {
				p.add("entry %q: zip64 extra field too short", e.Name)
				return false
			}
			*v, f = binary.LittleEndian.Uint64(f), f[8:]
			return true
		}
		off := uint64(e.Offset)
		if next(&e.Size) && next(&e.CompressedSize) && next(&off) {
			if off > 1<<62 {
				off = 1 << 62
			}
			e.Offset = int64(off)
		}
		return
	}
}

// checkZipEntries records the hostile or impossible entries: bad names,
// duplicates, impossible sizes, overlaps and a bomb's total.
func checkZipEntries(entries []ZipEntry, nameLens []int64, size int64, p *problems) {
	seen := make(map[string]bool, len(entries))
	var total uint64
	for _, e := range entries {
		if msg := badZipName(e.Name); msg != "" {
			p.add("entry %q: %s", e.Name, msg)
		}
		if seen[e.Name] {
			p.add("entry %q appears more than once", e.Name)
		}
		seen[e.Name] = true
		switch {
		case e.Size > maxZipEntrySize:
			p.add("entry %q declares %d uncompressed bytes, more than the %d allowed", e.Name, e.Size, uint64(maxZipEntrySize))
		case e.CompressedSize > uint64(size) || e.Offset > size || uint64(size-e.Offset) < 30+e.CompressedSize:
			p.add("entry %q (offset %d, %d compressed bytes) runs past the end of the %d-byte file", e.Name, e.Offset, e.CompressedSize, size)
		case e.Method == zipStore && e.flags&1 == 0 && e.Size != e.CompressedSize:
			p.add("entry %q is stored but declares %d compressed and %d uncompressed bytes", e.Name, e.CompressedSize, e.Size)
		case e.Method == zipDeflate && e.Size/maxDeflateRatio > e.CompressedSize+1:
			p.add("entry %q declares a compression ratio beyond deflate's maximum (%d bytes from %d)", e.Name, e.Size, e.CompressedSize)
		}
		if total += e.Size; total < e.Size {
			total = ^uint64(0)
		}
	}
	if total > bombMinSize && total/bombRatio > uint64(max(size, 1)) {
		p.add("zip bomb: entries declare %d uncompressed bytes from a %d-byte file", total, size)
	}
	idx := make([]int, len(entries))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return entries[idx[a]].Offset < entries[idx[b]].Offset })
	overlaps := 0
	for k := 1; k < len(idx); k++ {
		prev, cur := entries[idx[k-1]], entries[idx[k]]
		end := uint64(prev.Offset) + 30 + uint64(nameLens[idx[k-1]]) + min(prev.CompressedSize, uint64(size))
		if uint64(cur.Offset) < end {
			if overlaps++; overlaps <= 3 {
				p.add("entries %q and %q overlap (offsets %d and %d): a zip bomb or a disguised file", prev.Name, cur.Name, prev.Offset, cur.Offset)
			}
		}
	}
	if overlaps > 3 {
		p.add("%d overlapping entries in all", overlaps)
	}
}

// badZipName says what is hostile about an entry name, "" when nothing.
func badZipName(name string) string {
	switch {
	case name == "":
		return "empty name"
	case strings.IndexByte(name, 0) >= 0:
		return "name contains a NUL byte"
	case strings.HasPrefix(name, "/") || strings.HasPrefix(name, "\\"):
		return "absolute name"
	case len(name) >= 2 && name[1] == ':' && (name[0]|0x20 >= 'a' && name[0]|0x20 <= 'z'):
		return "name starts with a drive letter"
	}
	for _, part := range strings.FieldsFunc(name, func(r rune) bool { return r == '/' || r == '\\' }) {
		if part == ".." {
			return "path traversal (\"..\" in the name)"
		}
	}
	return ""
}

// zipKind tells the kind of container from its entries' names.
func zipKind(entries []ZipEntry) string {
	npy := len(entries) > 0
	var config, kerasMeta bool
	for _, e := range entries {
		n := e.Name
		if n == "data.pkl" || strings.HasSuffix(n, "/data.pkl") {
			return ZipPyTorch
		}
		switch n {
		case "config.json":
			config = true
		case "metadata.json", "model.weights.h5", "model.weights.npz":
			kerasMeta = true
		}
		if !strings.HasSuffix(strings.ToLower(n), ".npy") && !strings.HasSuffix(n, "/") {
			npy = false
		}
	}
	switch {
	case config && kerasMeta:
		return ZipKeras
	case npy:
		return ZipNumpy
	}
	return ZipPlain
}

// openZipEntry returns a reader of the uncompressed content of e, reading
// through b and inflating at most limit bytes.
func openZipEntry(b *budgetReader, e ZipEntry, limit int64, p *problems) (io.Reader, error) {
	switch {
	case e.flags&1 != 0:
		p.add("entry %q is encrypted and was not read", e.Name)
		return nil, errPastEnd
	case e.Method != zipStore && e.Method != zipDeflate:
		p.add("entry %q uses compression method %d and was not read", e.Name, e.Method)
		return nil, errPastEnd
	case e.Offset < 0 || e.Offset > b.size || b.size-e.Offset < 30:
		p.add("entry %q: local header at offset %d lies outside the file", e.Name, e.Offset)
		return nil, errPastEnd
	}
	h, err := b.read(e.Offset, 30)
	if err != nil {
		p.add("entry %q: reading the local header at offset %d: %v", e.Name, e.Offset, err)
		return nil, err
	}
	if string(h[:4]) != "PK\x03\x04" {
		p.add("entry %q: no local header at offset %d", e.Name, e.Offset)
		return nil, errPastEnd
	}
	nameLen, extraLen := int64(binary.LittleEndian.Uint16(h[26:])), int64(binary.LittleEndian.Uint16(h[28:]))
	name, err := b.read(e.Offset+30, nameLen)
	if err != nil {
		p.add("entry %q: reading the local header name: %v", e.Name, err)
		return nil, err
	}
	if !bytes.Equal(name, []byte(e.Name)) {
		p.add("entry %q: local header names it %q", e.Name, name)
	}
	start := e.Offset + 30 + nameLen + extraLen
	if start > b.size || uint64(b.size-start) < e.CompressedSize {
		p.add("entry %q: data (offset %d, %d bytes) runs past the end of the file", e.Name, start, e.CompressedSize)
		return nil, errPastEnd
	}
	sr := io.NewSectionReader(b, start, int64(e.CompressedSize))
	if e.Method == zipStore {
		return sr, nil
	}
	return io.LimitReader(flate.NewReader(sr), limit), nil
}

// entryByName returns the entry of z named name.
func entryByName(z *ZipReport, name string) (ZipEntry, bool) {
	for _, e := range z.Entries {
		if e.Name == name || path.Clean(e.Name) == name {
			return e, true
		}
	}
	return ZipEntry{}, false
}
