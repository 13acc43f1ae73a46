// Package artifact inspects model weight files without executing or fully
// reading them: pickle streams (alone, in PyTorch zip checkpoints, in NumPy
// object arrays and joblib dumps), safetensors and GGUF headers, and Keras
// archives. Every parser reads through an io.ReaderAt with a byte budget,
// checks each length field against the bytes that remain before using it,
// and reports a malformed or hostile file as data, never as a panic.
package artifact

// Verdict classifies one import of a pickle stream.
type Verdict string

// Verdicts of imports.
const (
	// Safe imports are on the documented allowlist of what real PyTorch,
	// NumPy, collections and joblib checkpoints use.
	Safe Verdict = "safe"
	// Dangerous imports can run code or touch the system when the pickle
	// is loaded (os.system, builtins.eval, subprocess, ...).
	Dangerous Verdict = "dangerous"
	// Unknown imports are on neither list: suspicious until reviewed.
	Unknown Verdict = "unknown"
)

// Import is one global a pickle stream imports.
type Import struct {
	// Module and Name are the imported callable or class ("torch._utils",
	// "_rebuild_tensor_v2").
	Module, Name string
	// Verdict classifies the import.
	Verdict Verdict
	// Opcode is the opcode that imported it (GLOBAL, STACK_GLOBAL, INST).
	Opcode string
	// Offset is the byte offset of that opcode in the stream.
	Offset int64
}

// PickleReport is what a scan of one pickle stream found.
type PickleReport struct {
	// Protocol is the highest protocol the stream declares (PROTO), 0
	// when it declares none.
	Protocol int
	// Opcodes is the number of opcodes read.
	Opcodes int64
	// Bytes is the number of bytes read.
	Bytes int64
	// Streams is how many concatenated pickle streams were read.
	Streams int
	// Imports lists every import, deduplicated by module and name, in
	// the order first seen.
	Imports []Import
	// Calls counts REDUCE, BUILD, OBJ, NEWOBJ and NEWOBJ_EX opcodes.
	Calls int64
	// Nested lists the reports of pickles embedded as bytes arguments of
	// pickle.loads-like calls.
	Nested []*PickleReport
	// Malformed says what is wrong with a stream that could not be read
	// to its end (truncated, an invalid opcode, a length past the data);
	// "" for a well-formed stream.
	Malformed string
	// Truncated is true when the byte budget ran out before the end.
	Truncated bool
}

// Worst returns the most severe verdict among the report's imports and
// those of its nested pickles: Dangerous, then Unknown, then Safe; Safe
// when there are none.
func (r *PickleReport) Worst() Verdict {
	worst := Safe
	var walk func(*PickleReport)
	walk = func(p *PickleReport) {
		for _, im := range p.Imports {
			switch {
			case im.Verdict == Dangerous:
				worst = Dangerous
			case im.Verdict == Unknown && worst == Safe:
				worst = Unknown
			}
		}
		for _, n := range p.Nested {
			walk(n)
		}
	}
	walk(r)
	return worst
}
