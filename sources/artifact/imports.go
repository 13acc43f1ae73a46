package artifact

import "strings"

// listEntry is one entry of the allowlist or the denylist of pickle
// imports. Path is the dotted path of the imported object
// ("torch._utils._rebuild_tensor_v2") or, in the denylist, of a module
// or object whose whole subtree is dangerous ("os" covers "os.system"
// and "os.path.join").
type listEntry struct {
	Path   string
	Source string
	Reason string
}

// Where the entries come from (see docs/pickle.md).
const (
	srcPicklescan = "picklescan"
	srcFickling   = "fickling"
	srcTorch      = "torch-weights-only"
	srcPedigree   = "pedigree"
)

// allowList lists the globals real checkpoints import: PyTorch's
// serialization helpers and storage classes, NumPy's array rebuilders,
// plain containers, joblib's array wrapper. Matching is exact on the
// dotted path: "collections.OrderedDict.__init__" is not safe because
// "collections.OrderedDict" is.
var allowList = []listEntry{
	// torch._utils rebuild helpers: build tensors from storages.
	{"torch._utils._rebuild_tensor", srcFickling, "builds a tensor from a storage, offset, size and stride"},
	{"torch._utils._rebuild_tensor_v2", srcPicklescan, "builds a tensor from a storage; what torch.save writes for every tensor"},
	{"torch._utils._rebuild_tensor_v3", srcTorch, "builds a tensor with an explicit dtype (newer torch.save)"},
	{"torch._utils._rebuild_parameter", srcFickling, "wraps a rebuilt tensor in torch.nn.Parameter"},
	{"torch._utils._rebuild_parameter_with_state", srcTorch, "wraps a rebuilt tensor in a Parameter and sets plain attributes"},
	{"torch._utils._rebuild_qtensor", srcTorch, "builds a quantized tensor from a storage and quantization parameters"},
	{"torch._utils._rebuild_sparse_tensor", srcTorch, "builds a sparse tensor from index and value tensors"},
	{"torch._utils._rebuild_nested_tensor", srcTorch, "builds a nested tensor from its buffers"},
	{"torch._utils._rebuild_meta_tensor_no_storage", srcTorch, "builds a meta tensor, which has no data"},
	{"torch._utils._rebuild_wrapper_subclass", srcTorch, "builds the shell of a tensor subclass"},
	{"torch._utils._rebuild_device_tensor_from_numpy", srcTorch, "builds a tensor from a NumPy array"},
	{"torch._tensor._rebuild_from_type_v2", srcFickling, "calls a rebuild function that the stream imports (and this scanner classifies) separately"},
	{"torch._utils._rebuild_from_type_v2", srcPedigree, "older location of torch._tensor._rebuild_from_type_v2"},
	{"torch.serialization._get_layout", srcTorch, "maps a layout name to torch.strided and friends"},
	{"torch.nn.parameter.Parameter", srcTorch, "the Parameter tensor subclass"},
	// Storages and tensor types.
	{"torch.UntypedStorage", srcTorch, "untyped storage class (torch 2 checkpoints)"},
	{"torch.storage.UntypedStorage", srcTorch, "untyped storage class by its defining module"},
	{"torch.storage.TypedStorage", srcTorch, "typed storage class by its defining module"},
	{"torch.Tensor", srcFickling, "the tensor class"},
	{"torch.Size", srcFickling, "a tuple of dimensions"},
	{"torch.device", srcFickling, "a device name such as cpu or cuda:0"},
	{"torch.dtype", srcTorch, "the dtype class"},
	{"torch.layout", srcTorch, "the layout class"},
	{"torch.memory_format", srcTorch, "the memory format class"},
	{"torch.qscheme", srcTorch, "the quantization scheme class"},
	// numpy.
	{"numpy.core.multiarray._reconstruct", srcPicklescan, "rebuilds an ndarray (NumPy 1 module path)"},
	{"numpy._core.multiarray._reconstruct", srcPicklescan, "rebuilds an ndarray (NumPy 2 module path)"},
	{"numpy.core.multiarray.scalar", srcPedigree, "rebuilds a NumPy scalar from its dtype and raw bytes"},
	{"numpy._core.multiarray.scalar", srcPedigree, "rebuilds a NumPy scalar (NumPy 2 module path)"},
	{"numpy.ndarray", srcPicklescan, "the array class"},
	{"numpy.dtype", srcPicklescan, "the dtype class"},
	{"numpy.float64", srcFickling, "a scalar type"},
	// Containers and plain values.
	{"collections.OrderedDict", srcPicklescan, "the container of every state dict"},
	{"collections.defaultdict", srcFickling, "a dict with a default factory that the stream imports separately"},
	{"collections.Counter", srcTorch, "a dict of counts"},
	{"collections.deque", srcPedigree, "a double-ended queue"},
	{"copyreg._reconstructor", srcFickling, "calls __new__ and __init__ of classes the stream imports separately (protocol 0 and 1 objects)"},
	{"_codecs.encode", srcFickling, "turns text into bytes; how protocols 0 to 2 write bytes"},
	{"codecs.encode", srcPedigree, "public name of _codecs.encode"},
	{"argparse.Namespace", srcFickling, "a plain attribute bag saved with training arguments"},
	{"datetime.datetime", srcPedigree, "a timestamp"},
	{"datetime.date", srcPedigree, "a date"},
	{"datetime.timedelta", srcPedigree, "a duration"},
	{"joblib.numpy_pickle.NumpyArrayWrapper", srcPedigree, "joblib's marker for an array stored after the pickle"},
	{"joblib.numpy_pickle_compat.NDArrayWrapper", srcPedigree, "old joblib marker for an array stored in a side file"},
}

// safeBuiltins are the builtins a checkpoint may construct: plain values
// and containers. They are allowed under both "builtins" and the
// Python 2 name "__builtin__".
var safeBuiltins = []string{
	"set", "frozenset", "list", "dict", "tuple", "int", "float", "complex",
	"bytes", "bytearray", "str", "slice", "range", "object", "bool",
	"long", "unicode",
}

// torchAllowedNames are plain attributes of the torch module that
// checkpoints name: storage and tensor classes of every element type,
// dtypes, layouts, memory formats and quantization schemes.
var torchAllowedNames = []string{
	"FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
	"IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage",
	"ComplexFloatStorage", "ComplexDoubleStorage", "QUInt8Storage", "QInt8Storage",
	"QInt32Storage", "QUInt4x2Storage", "QUInt2x4Storage",
	"FloatTensor", "DoubleTensor", "HalfTensor", "BFloat16Tensor", "LongTensor",
	"IntTensor", "ShortTensor", "CharTensor", "ByteTensor", "BoolTensor",
	"float16", "float32", "float64", "bfloat16", "half", "float", "double",
	"int8", "int16", "int32", "int64", "uint8", "uint16", "uint32", "uint64",
	"short", "int", "long", "bool", "complex32", "complex64", "complex128",
	"cfloat", "cdouble", "float8_e4m3fn", "float8_e5m2", "float8_e4m3fnuz", "float8_e5m2fnuz",
	"quint8", "qint8", "qint32", "quint4x2", "quint2x4",
	"strided", "sparse_coo", "sparse_csr", "sparse_csc", "sparse_bsr", "sparse_bsc", "_mkldnn",
	"contiguous_format", "channels_last", "channels_last_3d", "preserve_format",
	"per_tensor_affine", "per_channel_affine", "per_tensor_symmetric", "per_channel_symmetric",
	"per_channel_affine_float_qparams",
}

// torchCUDAStorages are the storage classes of old checkpoints saved from
// a GPU (torch.cuda.FloatStorage ...).
var torchCUDAStorages = []string{
	"FloatStorage", "DoubleStorage", "HalfStorage", "BFloat16Storage", "LongStorage",
	"IntStorage", "ShortStorage", "CharStorage", "ByteStorage", "BoolStorage",
}

// numpyDTypeClasses are the dtype classes NumPy 1.25 and later pickle
// (numpy.dtypes.Float32DType ...).
var numpyDTypeClasses = []string{
	"BoolDType", "Int8DType", "Int16DType", "Int32DType", "Int64DType",
	"UInt8DType", "UInt16DType", "UInt32DType", "UInt64DType",
	"Float16DType", "Float32DType", "Float64DType", "LongDoubleDType",
	"Complex64DType", "Complex128DType", "StrDType", "BytesDType", "ObjectDType",
}

// denyList lists what can run code, touch files, the network or the
// process when a pickle is loaded. An entry matches its own path and
// every path beneath it.
var denyList = []listEntry{
	// Processes and the operating system.
	{"os", srcPicklescan, "os.system, os.popen, os.exec*, file removal: runs commands and touches files"},
	{"posix", srcPicklescan, "the module behind os on Unix (posix.system)"},
	{"nt", srcPicklescan, "the module behind os on Windows (nt.system)"},
	{"subprocess", srcPicklescan, "runs commands"},
	{"_posixsubprocess", srcPedigree, "the C helper of subprocess (fork_exec)"},
	{"commands", srcPicklescan, "Python 2 predecessor of subprocess"},
	{"popen2", srcPedigree, "Python 2 process spawning"},
	{"pty", srcPicklescan, "pty.spawn runs commands"},
	{"shutil", srcPicklescan, "copies, moves and removes files and trees"},
	{"tempfile", srcPedigree, "creates files and directories"},
	{"sys", srcPicklescan, "sys.modules and sys.exit reach and alter the interpreter"},
	{"platform.popen", srcPedigree, "runs commands (old Python)"},
	{"multiprocessing", srcPedigree, "starts processes that run arbitrary callables"},
	{"_multiprocessing", srcPedigree, "C helper of multiprocessing"},
	{"asyncio", srcPicklescan, "asyncio.create_subprocess_shell and the event loop run commands"},
	{"signal", srcPedigree, "installs handlers and sends signals"},
	{"ctypes", srcPicklescan, "loads libraries and calls C functions on raw memory"},
	{"_ctypes", srcPedigree, "C helper of ctypes"},
	// Running Python code.
	{"builtins.eval", srcPicklescan, "evaluates a Python expression"},
	{"builtins.exec", srcPicklescan, "executes Python statements"},
	{"builtins.execfile", srcPedigree, "Python 2: executes a file"},
	{"builtins.compile", srcPicklescan, "compiles code to run later"},
	{"builtins.getattr", srcPicklescan, "reaches any attribute: getattr(module, 'system') hides the real callable"},
	{"builtins.setattr", srcPedigree, "alters any object, including modules"},
	{"builtins.delattr", srcPedigree, "alters any object, including modules"},
	{"builtins.__import__", srcPedigree, "imports any module"},
	{"builtins.apply", srcPicklescan, "Python 2: calls any callable"},
	{"builtins.open", srcPicklescan, "opens files for reading or writing"},
	{"builtins.file", srcPedigree, "Python 2: opens files"},
	{"builtins.input", srcPedigree, "reads stdin (and evaluates it on Python 2)"},
	{"builtins.raw_input", srcPedigree, "Python 2: reads stdin"},
	{"builtins.breakpoint", srcPicklescan, "starts a debugger"},
	{"builtins.globals", srcPedigree, "reaches the module namespace"},
	{"builtins.locals", srcPedigree, "reaches the local namespace"},
	{"builtins.vars", srcPedigree, "reaches any object's namespace"},
	{"builtins.dir", srcPedigree, "lists any object's attributes; a building block of getattr chains"},
	{"builtins.reload", srcPedigree, "Python 2: re-executes a module"},
	{"builtins.exit", srcPedigree, "ends the process"},
	{"builtins.quit", srcPedigree, "ends the process"},
	{"builtins.help", srcPedigree, "starts the interactive help, which runs a pager"},
	{"runpy", srcPicklescan, "runs modules and files"},
	{"importlib", srcPedigree, "imports any module"},
	{"pkgutil", srcPedigree, "imports any module (pkgutil.resolve_name)"},
	{"imp", srcPedigree, "Python 2 and early 3 importer"},
	{"zipimport", srcPedigree, "imports code from archives"},
	{"code", srcPicklescan, "interactive interpreters that run code"},
	{"codeop", srcPedigree, "compiles code"},
	{"marshal", srcPedigree, "loads code objects"},
	{"types.CodeType", srcPedigree, "builds code objects"},
	{"types.FunctionType", srcPedigree, "builds functions from code objects"},
	{"types.MethodType", srcPedigree, "binds callables to objects"},
	{"timeit", srcPicklescan, "timeit.timeit executes a string of code"},
	{"cProfile", srcPicklescan, "cProfile.run executes a string of code"},
	{"profile", srcPicklescan, "profile.run executes a string of code"},
	{"trace", srcPicklescan, "Trace.run executes a string of code"},
	{"pdb", srcPicklescan, "debugger that runs code"},
	{"bdb", srcPicklescan, "debugger base that runs code"},
	{"doctest", srcPicklescan, "runs code found in docstrings"},
	{"pydoc", srcPicklescan, "pydoc.locate imports modules, pydoc.pipepager runs commands"},
	{"numpy.f2py", srcPicklescan, "helpers that call eval on strings"},
	{"numpy.testing._private.utils", srcPicklescan, "runstring is exec"},
	{"numpy.ctypeslib", srcPedigree, "loads shared libraries"},
	{"venv", srcPicklescan, "creates environments and runs installers"},
	{"ensurepip", srcPicklescan, "runs pip"},
	{"pip", srcPicklescan, "installs and runs packages"},
	{"setuptools", srcPedigree, "builds and installs packages"},
	{"distutils", srcPedigree, "builds packages and writes files"},
	// Indirect calls: callables that hide or defer the real target.
	{"functools.partial", srcPicklescan, "partial(os.system, cmd) defers a dangerous call"},
	{"functools.reduce", srcPedigree, "calls any callable over a sequence"},
	{"operator.attrgetter", srcPicklescan, "reaches any attribute (a getattr chain)"},
	{"operator.itemgetter", srcPicklescan, "indexes any object"},
	{"operator.methodcaller", srcPicklescan, "calls any method by name"},
	{"operator.getitem", srcPedigree, "indexes any object, e.g. sys.modules"},
	// Loading other pickles or files.
	{"pickle", srcPicklescan, "pickle.loads runs a nested pickle (scanned when its bytes are present)"},
	{"_pickle", srcPicklescan, "C implementation of pickle"},
	{"cPickle", srcPedigree, "Python 2 pickle"},
	{"dill", srcPedigree, "pickle extension that serializes code"},
	{"cloudpickle", srcPedigree, "pickle extension that serializes code"},
	{"shelve", srcPedigree, "opens pickle databases on disk"},
	{"joblib.load", srcPedigree, "loads another pickle file"},
	{"pandas.read_pickle", srcPedigree, "loads another pickle file"},
	{"torch.load", srcPedigree, "loads another checkpoint, which is a pickle"},
	{"torch.serialization.load", srcPicklescan, "loads another checkpoint, which is a pickle"},
	{"torch.storage._load_from_bytes", srcPedigree, "calls torch.load on bytes inside the stream: a nested pickle"},
	{"torch.hub", srcPedigree, "downloads and runs repositories (torch.hub.load)"},
	{"torch.jit.load", srcPedigree, "loads TorchScript code"},
	{"torch.jit.unsupported_tensor_ops", srcPicklescan, "execWrapper runs code"},
	{"torch._inductor.codecache", srcPicklescan, "compile_file runs a compiler command"},
	{"torch._dynamo.guards", srcPicklescan, "evaluates guard expressions"},
	{"torch.fx.experimental.symbolic_shapes", srcPicklescan, "evaluates guard expressions"},
	{"torch.utils._config_module", srcPicklescan, "load_config unpickles bytes"},
	{"torch.utils.collect_env", srcPicklescan, "runs commands"},
	{"torch.utils.bottleneck", srcPicklescan, "profiles (runs) scripts"},
	{"torch.utils.data.datapipes.utils.decoder", srcPicklescan, "decodes pickles inside the stream"},
	{"numpy.load", srcPedigree, "loads another file, with allow_pickle a pickle"},
	{"numpy.loads", srcPedigree, "old NumPy alias of pickle.loads"},
	{"numpy.lib.npyio.load", srcPedigree, "numpy.load by its defining module"},
	{"numpy.lib._npyio_impl.load", srcPedigree, "numpy.load by its NumPy 2 defining module"},
	{"numpy.fromfile", srcPedigree, "reads any file"},
	{"numpy.core.multiarray.fromfile", srcPedigree, "numpy.fromfile by its defining module"},
	{"numpy._core.multiarray.fromfile", srcPedigree, "numpy.fromfile by its NumPy 2 defining module"},
	{"io.open", srcPedigree, "opens files"},
	{"_io.open", srcPedigree, "opens files"},
	{"io.FileIO", srcPedigree, "opens files"},
	{"_io.FileIO", srcPedigree, "opens files"},
	{"codecs.open", srcPedigree, "opens files"},
	{"linecache", srcPedigree, "reads files"},
	{"glob", srcPedigree, "lists the file system"},
	{"pathlib.Path.write_text", srcPedigree, "writes files"},
	{"pathlib.Path.write_bytes", srcPedigree, "writes files"},
	{"pathlib.Path.unlink", srcPedigree, "removes files"},
	// The network.
	{"socket", srcPicklescan, "opens network connections"},
	{"_socket", srcPedigree, "C helper of socket"},
	{"ssl", srcPicklescan, "opens TLS connections (exfiltration)"},
	{"http", srcPedigree, "http.client opens connections, http.server serves files"},
	{"httplib", srcPicklescan, "Python 2 http.client"},
	{"urllib", srcPedigree, "fetches URLs"},
	{"urllib2", srcPedigree, "Python 2: fetches URLs"},
	{"urllib3", srcPedigree, "fetches URLs"},
	{"requests", srcPicklescan, "fetches URLs"},
	{"httpx", srcPedigree, "fetches URLs"},
	{"aiohttp", srcPicklescan, "fetches URLs"},
	{"ftplib", srcPedigree, "opens FTP connections"},
	{"smtplib", srcPedigree, "sends mail"},
	{"telnetlib", srcPedigree, "opens telnet connections"},
	{"webbrowser", srcPicklescan, "opens URLs and runs a browser"},
	{"xmlrpc", srcPedigree, "calls remote procedures"},
}

// nestedLoaders are the callables whose bytes argument is itself a
// pickle: a REDUCE on one of them with bytes in its arguments makes the
// scanner scan those bytes.
var nestedLoaders = map[string]bool{
	"pickle.loads":      true,
	"pickle._loads":     true,
	"_pickle.loads":     true,
	"cPickle.loads":     true,
	"dill.loads":        true,
	"dill._dill.loads":  true,
	"cloudpickle.loads": true,
	"numpy.loads":       true,
}

// Lookup tables derived once from the lists above and never modified.
var (
	safeSet = buildSafeSet()
	denySet = buildDenySet()
)

func buildSafeSet() map[string]bool {
	m := make(map[string]bool, len(allowList)+2*len(safeBuiltins)+len(torchAllowedNames)+len(torchCUDAStorages)+len(numpyDTypeClasses))
	for _, e := range allowList {
		m[e.Path] = true
	}
	for _, n := range safeBuiltins {
		m["builtins."+n] = true
	}
	for _, n := range torchAllowedNames {
		m["torch."+n] = true
	}
	for _, n := range torchCUDAStorages {
		m["torch.cuda."+n] = true
	}
	for _, n := range numpyDTypeClasses {
		m["numpy.dtypes."+n] = true
	}
	return m
}

func buildDenySet() map[string]bool {
	m := make(map[string]bool, len(denyList))
	for _, e := range denyList {
		m[e.Path] = true
	}
	return m
}

// moduleAliases maps Python 2 module names to the Python 3 modules the
// unpickler imports in their place (Lib/_compat_pickle.py), so that
// "__builtin__.eval" is classified as "builtins.eval".
var moduleAliases = map[string]string{
	"__builtin__":  "builtins",
	"__builtins__": "builtins",
	"copy_reg":     "copyreg",
	"exceptions":   "builtins",
	"cStringIO":    "io",
	"StringIO":     "io",
}

// qualifiedName returns the dotted path module.name with the module's
// Python 2 alias resolved.
func qualifiedName(module, name string) string {
	if a, ok := moduleAliases[module]; ok {
		module = a
	}
	switch {
	case module == "":
		return name
	case name == "":
		return module
	}
	return module + "." + name
}

// Classify returns the verdict of importing module.name: Dangerous when
// the dotted path or any dotted prefix of it is on the denylist (so
// "os.path.join" is dangerous because "os" is, and
// "builtins.getattr.__call__" because "builtins.getattr" is), Safe when
// the exact path is on the allowlist, Unknown otherwise (including an
// empty module or name). Python 2 module names (__builtin__, copy_reg)
// are read as their Python 3 equivalents. docs/pickle.md lists both
// lists with the reason for every entry.
func Classify(module, name string) Verdict {
	if module == "" || name == "" {
		return Unknown
	}
	full := qualifiedName(module, name)
	for i := 0; i <= len(full); i++ {
		if i == len(full) || full[i] == '.' {
			if denySet[full[:i]] {
				return Dangerous
			}
		}
	}
	if safeSet[full] {
		return Safe
	}
	return Unknown
}

// isNestedLoader reports whether module.name unpickles its bytes
// argument.
func isNestedLoader(module, name string) bool {
	return nestedLoaders[qualifiedName(module, name)]
}

// isBytesEncoder reports whether module.name is codecs.encode, which
// protocols 0 to 2 use to write bytes objects.
func isBytesEncoder(module, name string) bool {
	q := qualifiedName(module, name)
	return q == "_codecs.encode" || q == "codecs.encode"
}

// normalizeEncoding lower-cases a Python codec name and drops "-" and
// "_" so that "latin-1", "Latin_1" and "latin1" compare equal.
func normalizeEncoding(enc string) string {
	return strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(enc))
}
