package artifact

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strings"
)

// h5Magic starts an HDF5 file (or follows a user block of 512, 1024, ...
// bytes).
const h5Magic = "\x89HDF\r\n\x1a\n"

// maxH5Scan is how many bytes of an HDF5 file are scanned for a Keras
// model configuration.
const maxH5Scan = 16 << 20

// KerasReport is what an inspection of a Keras model found.
type KerasReport struct {
	// LambdaLayers names the Lambda layers (Python code serialised in the
	// model), as "layer name (function)".
	LambdaLayers []string
	// CustomObjects names the objects loaded from modules outside Keras,
	// as "registered name (module)".
	CustomObjects []string
	// Malformed lists what could not be read; empty when sound.
	Malformed []string
	// Truncated is true when the budget ran out before the configuration
	// was read.
	Truncated bool
}

// InspectKerasZip inspects the config.json of the Keras v3 archive z,
// whose bytes are readable through r, reading at most budget bytes. Every
// Lambda layer and every object whose module is outside Keras is code that
// runs when the model loads (unless safe_mode refuses it).
func InspectKerasZip(z *ZipReport, r io.ReaderAt, budget int64) *KerasReport {
	rep := &KerasReport{}
	var p problems
	defer func() { rep.Malformed = p.result() }()
	e, ok := entryByName(z, "config.json")
	if !ok {
		p.add("no config.json in the Keras archive")
		return rep
	}
	if e.Size > maxZipMetadata {
		p.add("config.json declares %d bytes, more than the %d read", e.Size, maxZipMetadata)
		return rep
	}
	b := newBudgetReader(r, z.Size, budget)
	rd, err := openZipEntry(b, e, int64(e.Size)+1, &p)
	if err != nil {
		rep.Truncated = errors.Is(err, errBudget)
		return rep
	}
	data, err := io.ReadAll(io.LimitReader(rd, int64(e.Size)+1))
	if err != nil {
		if errors.Is(err, errBudget) {
			rep.Truncated = true
		}
		p.add("reading config.json: %v", err)
		return rep
	}
	var cfg any
	if err := json.Unmarshal(data, &cfg); err != nil {
		p.add("config.json is not valid JSON: %v", err)
		return rep
	}
	walkKeras(cfg, rep, 0)
	finishKeras(rep)
	return rep
}

// lambdaPattern finds a Lambda layer's class name in raw JSON text.
var lambdaPattern = regexp.MustCompile(`"class_name":\s*"Lambda"`)

// InspectH5 inspects a Keras HDF5 model (.h5) of size bytes readable
// through r, reading at most budget bytes (and at most 16 MiB): it checks
// the HDF5 magic, then looks in the bytes read for the model_config
// attribute's JSON, which Keras writes as a contiguous string, and reports
// its Lambda layers and custom objects. A configuration stored out of
// that range (dense attribute storage in a fractal heap far into the file)
// is not found; a Lambda class name seen in the raw bytes of a
// configuration that does not parse (split or truncated) is still
// reported.
func InspectH5(r io.ReaderAt, size, budget int64) *KerasReport {
	rep := &KerasReport{}
	var p problems
	defer func() { rep.Malformed = p.result() }()
	b := newBudgetReader(r, size, budget)
	n := min(size, maxH5Scan, max(budget, 0))
	data, err := b.read(0, n)
	if err != nil {
		p.add("reading the first %d bytes: %v", n, err)
		return rep
	}
	magicAt := -1
	for off := 0; off+len(h5Magic) <= len(data); off = max(off*2, 512) {
		if string(data[off:off+len(h5Magic)]) == h5Magic {
			magicAt = off
			break
		}
	}
	if magicAt < 0 {
		p.add("no HDF5 signature at offset 0 or a user block boundary")
		return rep
	}
	if n < size {
		rep.Truncated = true
	}
	for i := 0; i < len(data); {
		j := bytes.Index(data[i:], []byte(`{"class_name"`))
		if j < 0 {
			break
		}
		start := i + j
		end, stop := jsonObjectEnd(data[start:])
		if end < 0 {
			i = start + max(stop, 1) // objects nested in an unclosed one: see the raw match below
			continue
		}
		var cfg any
		if json.Unmarshal(data[start:start+end], &cfg) == nil {
			walkKeras(cfg, rep, 0)
		}
		i = start + end
	}
	if len(rep.LambdaLayers) == 0 && lambdaPattern.Match(data) {
		rep.LambdaLayers = append(rep.LambdaLayers, "Lambda layer (configuration not parsed)")
	}
	finishKeras(rep)
	return rep
}

// jsonObjectEnd returns the length of the JSON object data starts with,
// matching braces outside strings; -1 when it does not end, with stop the
// offset where the scan gave up (a NUL byte, which ends HDF5 strings, or
// the end of data).
func jsonObjectEnd(data []byte) (end, stop int) {
	depth, inStr, esc := 0, false, false
	for i, c := range data {
		switch {
		case inStr:
			switch {
			case esc:
				esc = false
			case c == '\\':
				esc = true
			case c == '"':
				inStr = false
			}
		case c == '"':
			inStr = true
		case c == '{':
			depth++
		case c == '}':
			if depth--; depth == 0 {
				return i + 1, i + 1
			}
		case c == 0:
			return -1, i
		}
	}
	return -1, len(data)
}

// walkKeras records the Lambda layers and custom objects of a parsed
// Keras configuration (v3 serialisation or the legacy JSON of HDF5
// models).
func walkKeras(v any, rep *KerasReport, depth int) {
	if depth > 512 {
		return
	}
	switch x := v.(type) {
	case []any:
		for _, e := range x {
			walkKeras(e, rep, depth+1)
		}
	case map[string]any:
		class, _ := x["class_name"].(string)
		module, hasModule := x["module"].(string)
		cfg, _ := x["config"].(map[string]any)
		name, _ := cfg["name"].(string)
		if name == "" {
			name, _ = x["name"].(string)
		}
		switch {
		case class == "Lambda":
			rep.LambdaLayers = append(rep.LambdaLayers, fmt.Sprintf("%s (%s)", orUnnamed(name), lambdaFunction(cfg)))
		case class != "" && hasModule && !kerasModule(module):
			reg, _ := x["registered_name"].(string)
			if reg == "" {
				reg = class
			}
			if class == "function" {
				if f, ok := x["config"].(string); ok {
					reg = f
				}
			}
			rep.CustomObjects = append(rep.CustomObjects, fmt.Sprintf("%s (%s)", reg, module))
		}
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			walkKeras(x[k], rep, depth+1)
		}
	}
}

// kerasModule reports whether module belongs to Keras or TensorFlow's
// Keras.
func kerasModule(module string) bool {
	for _, p := range []string{"keras", "tf_keras", "tensorflow.keras", "tensorflow.python.keras"} {
		if module == p || strings.HasPrefix(module, p+".") {
			return true
		}
	}
	return false
}

// lambdaFunction describes the function of a Lambda layer's config.
func lambdaFunction(cfg map[string]any) string {
	switch f := cfg["function"].(type) {
	case map[string]any:
		class, _ := f["class_name"].(string)
		if class == "__lambda__" {
			return "serialised Python bytecode"
		}
		mod, _ := f["module"].(string)
		if c, ok := f["config"].(string); ok {
			return strings.TrimPrefix(mod+"."+c, ".")
		}
		return "function " + class
	case []any:
		return "serialised Python bytecode"
	case string:
		if m, _ := cfg["module"].(string); m != "" {
			return m + "." + f
		}
		return f
	}
	return "function unknown"
}

// orUnnamed returns name, or "unnamed" when it is empty.
func orUnnamed(name string) string {
	if name == "" {
		return "unnamed"
	}
	return name
}

// finishKeras sorts and deduplicates the report's lists.
func finishKeras(rep *KerasReport) {
	rep.LambdaLayers = sortedUnique(rep.LambdaLayers)
	rep.CustomObjects = sortedUnique(rep.CustomObjects)
}

// sortedUnique sorts s and removes duplicates.
func sortedUnique(s []string) []string {
	sort.Strings(s)
	out := s[:0]
	for i, v := range s {
		if i == 0 || v != s[i-1] {
			out = append(out, v)
		}
	}
	return out
}
