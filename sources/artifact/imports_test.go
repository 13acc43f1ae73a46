package artifact

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestClassify(t *testing.T) {
	t.Parallel()
	tests := []struct {
		module, name string
		want         Verdict
	}{
		{"torch._utils", "_rebuild_tensor_v2", Safe},
		{"torch._utils", "_rebuild_parameter", Safe},
		{"torch", "FloatStorage", Safe},
		{"torch", "bfloat16", Safe},
		{"torch.cuda", "HalfStorage", Safe},
		{"collections", "OrderedDict", Safe},
		{"numpy.core.multiarray", "_reconstruct", Safe},
		{"numpy._core.multiarray", "scalar", Safe},
		{"numpy.dtypes", "Float32DType", Safe},
		{"__builtin__", "set", Safe},
		{"builtins", "object", Safe},
		{"_codecs", "encode", Safe},
		{"joblib.numpy_pickle", "NumpyArrayWrapper", Safe},
		{"copy_reg", "_reconstructor", Safe},
		{"os", "system", Dangerous},
		{"os.path", "join", Dangerous},
		{"posix", "system", Dangerous},
		{"nt", "system", Dangerous},
		{"subprocess", "Popen", Dangerous},
		{"builtins", "eval", Dangerous},
		{"__builtin__", "exec", Dangerous},
		{"__builtins__", "getattr", Dangerous},
		{"builtins", "getattr.__call__", Dangerous},
		{"functools", "partial", Dangerous},
		{"operator", "attrgetter", Dangerous},
		{"pickle", "loads", Dangerous},
		{"_pickle", "loads", Dangerous},
		{"torch.storage", "_load_from_bytes", Dangerous},
		{"torch", "load", Dangerous},
		{"torch.hub", "load", Dangerous},
		{"numpy", "load", Dangerous},
		{"asyncio.subprocess", "create_subprocess_shell", Dangerous},
		{"types", "CodeType", Dangerous},
		{"urllib.request", "urlopen", Dangerous},
		{"torch", "loader", Unknown},
		{"collections", "OrderedDict.fromkeys", Unknown},
		{"sklearn.linear_model", "LogisticRegression", Unknown},
		{"pathlib", "PosixPath", Unknown},
		{"operator", "add", Unknown},
		{"ossystem", "x", Unknown},
		{"", "system", Unknown},
		{"os", "", Unknown},
	}
	for _, tc := range tests {
		if got := Classify(tc.module, tc.name); got != tc.want {
			t.Errorf("Classify(%q, %q) = %s, want %s", tc.module, tc.name, got, tc.want)
		}
	}
}

func TestListsDisjointAndDocumented(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "pickle.md"))
	if err != nil {
		t.Fatalf("read docs/pickle.md: %v", err)
	}
	for p := range safeSet {
		module, name, _ := strings.Cut(p, ".")
		if i := strings.LastIndex(p, "."); i > 0 {
			module, name = p[:i], p[i+1:]
		}
		if Classify(module, name) != Safe {
			t.Errorf("allowlisted %s is not classified safe (also on the denylist?)", p)
		}
	}
	for _, lists := range [][]listEntry{allowList, denyList} {
		for _, e := range lists {
			if !strings.Contains(string(doc), "`"+e.Path+"`") {
				t.Errorf("docs/pickle.md does not list %s", e.Path)
			}
			if e.Reason == "" || e.Source == "" {
				t.Errorf("%s has no reason or source", e.Path)
			}
		}
	}
}
