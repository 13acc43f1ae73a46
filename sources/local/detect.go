package local

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"io"
	"path"
	"strings"
)

// Formats detected in a folder's files. The weight formats are those of
// package sources' KindFile documentation; the rest describe other files.
const (
	FormatSafetensors = "safetensors"
	FormatPickle      = "pickle"
	FormatPickleZip   = "pickle_zip" // PyTorch's zip of a data.pkl and tensor blobs
	FormatGGUF        = "gguf"
	FormatONNX        = "onnx"
	FormatKeras       = "keras"
	FormatH5          = "h5"
	FormatNumpy       = "numpy"
	FormatMsgpack     = "msgpack" // Flax weights
	FormatTFLite      = "tflite"
	FormatZip         = "zip"         // a zip that is none of the above
	FormatLFSPointer  = "lfs_pointer" // a Git LFS pointer in place of the file
	FormatPython      = "python"
	FormatJSON        = "json"
	FormatYAML        = "yaml"
	FormatMarkdown    = "markdown"
	FormatText        = "text"
	FormatUnknown     = "unknown"
)

// Ways a format was detected, the KindFile attribute detected_by.
const (
	ByMagic     = "magic"
	ByExtension = "extension"
)

// weightFormats are the formats of model weights.
var weightFormats = map[string]bool{
	FormatSafetensors: true, FormatPickle: true, FormatPickleZip: true, FormatGGUF: true, FormatONNX: true,
	FormatKeras: true, FormatH5: true, FormatNumpy: true, FormatMsgpack: true, FormatTFLite: true,
}

// extFormats maps a lower-case extension to the format it suggests.
var extFormats = map[string]string{
	".safetensors": FormatSafetensors,
	".bin":         FormatPickle, ".pt": FormatPickle, ".pth": FormatPickle, ".ckpt": FormatPickle,
	".pkl": FormatPickle, ".pickle": FormatPickle, ".joblib": FormatPickle,
	".gguf": FormatGGUF, ".ggml": FormatGGUF,
	".onnx":  FormatONNX,
	".keras": FormatKeras,
	".h5":    FormatH5, ".hdf5": FormatH5,
	".npy": FormatNumpy, ".npz": FormatNumpy,
	".msgpack": FormatMsgpack,
	".tflite":  FormatTFLite,
	".zip":     FormatZip,
	".py":      FormatPython,
	".json":    FormatJSON, ".jsonl": FormatJSON,
	".yml": FormatYAML, ".yaml": FormatYAML,
	".md":  FormatMarkdown,
	".txt": FormatText,
}

// legacyPickleExts are the extensions under which a file starting like a
// protocol 0 or 1 pickle is taken for one.
var legacyPickleExts = map[string]bool{".pkl": true, ".pickle": true, ".bin": true, ".pt": true, ".pth": true, ".ckpt": true, ".joblib": true}

// Detection is what the bytes and the name of a file say about its format.
type Detection struct {
	// Format is the detected format; FormatUnknown when neither the bytes
	// nor the name say.
	Format string
	// DetectedBy is ByMagic when the bytes decided, ByExtension when only
	// the name did, "" when nothing did.
	DetectedBy string
	// ExtensionFormat is the format the extension suggests when the bytes
	// say otherwise (a pickle named .safetensors); "" when they agree.
	ExtensionFormat string
}

// DetectFormat detects the format of a file named name from the first
// bytes of its content (a few KiB are enough) and its size. A zip archive is
// reported as FormatZip, or as the format its extension names (keras,
// numpy) when that is a zip format: telling a PyTorch zip needs the zip
// directory, which [inspect] reads.
func DetectFormat(name string, head []byte, size int64) Detection {
	ext := strings.ToLower(path.Ext(name))
	extFmt := extFormats[ext]
	magic := magicFormat(ext, head, size)
	if magic == FormatZip {
		switch extFmt {
		case FormatKeras, FormatNumpy:
			magic = extFmt
		}
	}
	switch {
	case magic != "":
		d := Detection{Format: magic, DetectedBy: ByMagic}
		if extFmt != "" && !compatible(extFmt, magic) {
			d.ExtensionFormat = extFmt
		}
		return d
	case extFmt != "":
		return Detection{Format: extFmt, DetectedBy: ByExtension}
	}
	return Detection{Format: FormatUnknown}
}

// compatible reports whether a file whose extension suggests ext may hold
// format magic without that being a mismatch worth recording.
func compatible(ext, magic string) bool {
	switch {
	case ext == magic:
		return true
	case ext == FormatPickle && (magic == FormatPickleZip || magic == FormatZip):
		return true // .bin, .pt and .ckpt are PyTorch zips since PyTorch 1.6
	}
	return false
}

// lfsPointer starts a Git LFS pointer file.
var lfsPointer = []byte("version https://git-lfs.github.com/spec/")

// magicFormat returns the format the content's first bytes show, or "".
func magicFormat(ext string, head []byte, size int64) string {
	switch {
	case len(head) >= 9 && head[8] == '{' && safetensorsHeader(head, size):
		return FormatSafetensors
	case bytes.HasPrefix(head, []byte("GGUF")):
		return FormatGGUF
	case bytes.HasPrefix(head, []byte("\x89HDF\r\n\x1a\n")):
		return FormatH5
	case bytes.HasPrefix(head, []byte("\x93NUMPY")):
		return FormatNumpy
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return FormatZip
	case len(head) >= 2 && head[0] == 0x80 && head[1] >= 2 && head[1] <= 5:
		return FormatPickle
	case bytes.HasPrefix(head, lfsPointer):
		return FormatLFSPointer
	case ext == ".onnx" && len(head) >= 2 && head[0] == 0x08 && head[1] > 0 && head[1] < 0x80:
		return FormatONNX // field 1 (ir_version), a small varint
	case ext == ".tflite" && len(head) >= 8 && string(head[4:8]) == "TFL3":
		return FormatTFLite
	case legacyPickleExts[ext] && legacyPickle(head):
		return FormatPickle
	}
	return ""
}

// safetensorsHeader reports whether head starts with a safetensors header
// length that fits in a file of size bytes (size < 0: unknown).
func safetensorsHeader(head []byte, size int64) bool {
	n := binary.LittleEndian.Uint64(head[:8])
	if n < 2 || n > 100<<20 {
		return false
	}
	return size < 0 || n <= uint64(size)-8
}

// legacyPickle reports whether head looks like a protocol 0 or 1 pickle: a
// MARK, EMPTY_DICT or EMPTY_LIST opcode, or a GLOBAL opcode naming a module
// and a name on two lines.
func legacyPickle(head []byte) bool {
	if len(head) == 0 {
		return false
	}
	switch head[0] {
	case '(', '}', ']':
		return len(head) == 1 || head[1] != '\n' && head[1] != ' '
	case 'c':
		mod, rest, ok := bytes.Cut(head[1:], []byte("\n"))
		if !ok || !identPath(mod) {
			return false
		}
		name, _, ok := bytes.Cut(rest, []byte("\n"))
		return ok && identPath(name)
	}
	return false
}

// identPath reports whether b is a dotted Python identifier.
func identPath(b []byte) bool {
	if len(b) == 0 || len(b) > 256 {
		return false
	}
	for i, c := range b {
		switch {
		case c == '_', c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z':
		case (c >= '0' && c <= '9' || c == '.') && i > 0:
		default:
			return false
		}
	}
	return true
}

// zipFormat tells a zip archive's format from its entries' names.
func zipFormat(ext string, names []string) string {
	npy := len(names) > 0
	for _, n := range names {
		if n == "data.pkl" || strings.HasSuffix(n, "/data.pkl") {
			return FormatPickleZip
		}
		if !strings.HasSuffix(n, ".npy") {
			npy = false
		}
	}
	switch {
	case ext == ".keras":
		return FormatKeras
	case npy || ext == ".npz":
		return FormatNumpy
	}
	return FormatZip
}

// headSize is how much of a file is read to detect its format.
const headSize = 4 << 10

// inspection is what was learnt from reading part of a file.
type inspection struct {
	Detection
	// digest is "sha256:HEX" of every byte read, in the order read.
	digest string
	// head is the first bytes of the file.
	head []byte
}

// inspect detects the format of the file name of size bytes readable
// through r. It reads the first headSize bytes and, for a zip archive, the
// zip directory (never an entry's content).
func inspect(name string, r io.ReaderAt, size int64) (inspection, error) {
	h := sha256.New()
	n := min(size, headSize)
	head := make([]byte, n)
	if _, err := r.ReadAt(head, 0); err != nil && err != io.EOF {
		return inspection{}, err
	}
	h.Write(head)
	d := DetectFormat(name, head, size)
	if d.Format == FormatZip || d.Format == FormatKeras || d.Format == FormatNumpy && bytes.HasPrefix(head, []byte("PK")) {
		rec := &recordingReaderAt{r: r, h: h}
		if zr, err := zip.NewReader(rec, size); err == nil {
			names := make([]string, 0, len(zr.File))
			for _, f := range zr.File {
				names = append(names, f.Name)
			}
			ext := strings.ToLower(path.Ext(name))
			d.Format = zipFormat(ext, names)
			if e := extFormats[ext]; e != "" && !compatible(e, d.Format) {
				d.ExtensionFormat = e
			} else {
				d.ExtensionFormat = ""
			}
		}
	}
	return inspection{Detection: d, digest: hexDigest(h), head: head}, nil
}

// recordingReaderAt hashes every byte read through it, in the order read.
type recordingReaderAt struct {
	r io.ReaderAt
	h hash.Hash
}

func (rr *recordingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	n, err := rr.r.ReadAt(p, off)
	rr.h.Write(p[:n])
	return n, err
}

// hexDigest returns "sha256:HEX" of what h has seen.
func hexDigest(h hash.Hash) string {
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
