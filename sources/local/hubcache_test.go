package local

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/pedigree-ai/pedigree/sources"
)

// Commit shas and blob names of the fake caches.
const (
	shaMain   = "0123456789abcdef0123456789abcdef01234567"
	shaOld    = "89abcdef0123456789abcdef0123456789abcdef"
	shaPR     = "fedcba9876543210fedcba9876543210fedcba98" // named by refs/pr/1, not downloaded
	shaData   = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
	shaDotted = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
	shaBare   = "cccccccccccccccccccccccccccccccccccccccc"

	blobConfig  = "5e4b1e3c8a2f0d9b7c6a5e4d3c2b1a0f9e8d7c6b"                         // git sha1 of a small file
	blobWeights = "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08" // sha256 of an LFS file
	blobMissing = "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752"
	blobParams  = "d2a84f4b8b650937ec8f73cd8be2c74add5a911ba64df27458ed8229da804a26"
)

// writeFile writes data to dir/rel, creating folders.
func writeFile(t testing.TB, dir, rel, data string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

// symlink makes dir/rel a link to target, creating folders.
func symlink(t testing.TB, dir, rel, target string) {
	t.Helper()
	p := filepath.Join(dir, filepath.FromSlash(rel))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, p); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
}

// fakeCache builds a hub cache in a temporary folder and returns it with the
// path of a file outside it.
//
//	models--meta-llama--Llama-2-7b-hf   main (with a newline) and an older commit,
//	                                    refs/pr/1 naming an absent snapshot; links
//	                                    relative, absolute, dangling, outside, to a
//	                                    folder, and a plain file
//	models--TheBloke--Llama-2-7B-Chat-GGUF  refs without a snapshots folder
//	models--org.name--model.v1.5-x      dots and dashes
//	models--gpt2                        a bare name
//	datasets--tatsu-lab--alpaca         a dataset
//	models--broken--ref                 a ref holding something else than a sha
func fakeCache(t testing.TB) (cache, outside string) {
	t.Helper()
	root := t.TempDir()
	cache = filepath.Join(root, "hub")
	outside = filepath.Join(root, "secret.txt")
	writeFile(t, root, "secret.txt", "outside the cache")

	llama := "models--meta-llama--Llama-2-7b-hf"
	writeFile(t, cache, llama+"/refs/main", shaMain+"\n")
	writeFile(t, cache, llama+"/refs/v1.0", shaOld)
	writeFile(t, cache, llama+"/refs/refs/pr/1", shaPR)
	writeFile(t, cache, llama+"/blobs/"+blobConfig, `{"model_type":"llama"}`)
	writeFile(t, cache, llama+"/blobs/"+blobWeights, strings.Repeat("w", 100))
	writeFile(t, cache, llama+"/blobs/"+blobParams, `{"dim":4096}`)
	snap := llama + "/snapshots/" + shaMain
	symlink(t, cache, snap+"/config.json", "../../blobs/"+blobConfig)
	symlink(t, cache, snap+"/model.safetensors", filepath.Join(cache, llama, "blobs", blobWeights))
	symlink(t, cache, snap+"/original/params.json", "../../../blobs/"+blobParams)
	symlink(t, cache, snap+"/pytorch_model.bin", "../../blobs/"+blobMissing)
	symlink(t, cache, snap+"/leak.txt", "../../../../secret.txt")
	symlink(t, cache, snap+"/gone.txt", "../../../../nowhere.txt")
	symlink(t, cache, snap+"/alias.json", "config.json")
	symlink(t, cache, snap+"/blobdir", "../../blobs")
	writeFile(t, cache, snap+"/README.md", "# Llama 2\n")
	writeFile(t, cache, llama+"/snapshots/"+shaOld+"/README.md", "# old\n")

	writeFile(t, cache, "models--TheBloke--Llama-2-7B-Chat-GGUF/refs/main", shaMain)
	writeFile(t, cache, "models--TheBloke--Llama-2-7B-Chat-GGUF/blobs/"+blobConfig, "{}")

	dotted := "models--org.name--model.v1.5-x"
	writeFile(t, cache, dotted+"/refs/main", shaDotted)
	writeFile(t, cache, dotted+"/blobs/"+blobConfig, "{}")
	symlink(t, cache, dotted+"/snapshots/"+shaDotted+"/config.json", "../../blobs/"+blobConfig)

	writeFile(t, cache, "models--gpt2/refs/main", shaBare)
	writeFile(t, cache, "models--gpt2/snapshots/"+shaBare+"/config.json", "{}")

	data := "datasets--tatsu-lab--alpaca"
	writeFile(t, cache, data+"/refs/main", shaData+"\r\n")
	writeFile(t, cache, data+"/blobs/"+blobConfig, "dataset card")
	symlink(t, cache, data+"/snapshots/"+shaData+"/README.md", "../../blobs/"+blobConfig)

	writeFile(t, cache, "models--broken--ref/refs/main", "not a sha\n")
	writeFile(t, cache, "models--broken--ref/refs/big", strings.Repeat("a", maxRefSize+1))
	return cache, outside
}

func TestHubCacheDir(t *testing.T) {
	t.Parallel()
	home := func() (string, error) { return "/home/u", nil }
	noHome := func() (string, error) { return "", errors.New("$HOME is not defined") }
	tests := []struct {
		name    string
		env     map[string]string
		home    func() (string, error)
		want    string
		wantErr string
	}{
		{name: "default", home: home, want: "/home/u/.cache/huggingface/hub"},
		{name: "HF_HUB_CACHE first", env: map[string]string{"HF_HUB_CACHE": "/data/hub", "HUGGINGFACE_HUB_CACHE": "/legacy", "HF_HOME": "/hf"}, home: noHome, want: "/data/hub"},
		{name: "legacy HUGGINGFACE_HUB_CACHE", env: map[string]string{"HUGGINGFACE_HUB_CACHE": "/legacy/", "HF_HOME": "/hf"}, home: home, want: "/legacy"},
		{name: "HF_HOME", env: map[string]string{"HF_HOME": "/hf", "XDG_CACHE_HOME": "/xdg"}, home: noHome, want: "/hf/hub"},
		{name: "XDG_CACHE_HOME", env: map[string]string{"XDG_CACHE_HOME": "/xdg"}, home: noHome, want: "/xdg/huggingface/hub"},
		{name: "tilde in HF_HUB_CACHE", env: map[string]string{"HF_HUB_CACHE": "~/models"}, home: home, want: "/home/u/models"},
		{name: "tilde alone", env: map[string]string{"HF_HOME": "~"}, home: home, want: "/home/u/hub"},
		{name: "tilde in XDG_CACHE_HOME", env: map[string]string{"XDG_CACHE_HOME": "~/c"}, home: home, want: "/home/u/c/huggingface/hub"},
		{name: "tilde user kept", env: map[string]string{"HF_HUB_CACHE": "~bob/hub"}, home: noHome, want: "~bob/hub"},
		{name: "variables", env: map[string]string{"HF_HOME": "$SCRATCH/${USER}_hf", "SCRATCH": "/scratch", "USER": "ann"}, home: noHome, want: "/scratch/ann_hf/hub"},
		{name: "unset variable kept", env: map[string]string{"HF_HUB_CACHE": "/x/$NOPE/${ALSO_NOPE}/$"}, home: noHome, want: "/x/$NOPE/${ALSO_NOPE}/$"},
		{name: "unclosed brace kept", env: map[string]string{"HF_HUB_CACHE": "/x/${A", "A": "a"}, home: noHome, want: "/x/${A"},
		{name: "dollar before non-word", env: map[string]string{"HF_HUB_CACHE": "/x/$-/$A.b", "A": "a"}, home: noHome, want: "/x/$-/a.b"},
		{name: "relative kept relative", env: map[string]string{"HF_HUB_CACHE": "./cache/"}, home: noHome, want: "cache"},
		{name: "home root", env: map[string]string{"HF_HUB_CACHE": "~"}, home: func() (string, error) { return "/", nil }, want: "/"},
		{name: "no home for default", home: noHome, wantErr: "set HF_HUB_CACHE or HF_HOME"},
		{name: "no home for tilde", env: map[string]string{"HF_HOME": "~/hf"}, home: noHome, wantErr: "$HOME is not defined"},
		{name: "empty home", home: func() (string, error) { return "", nil }, wantErr: "home directory is unknown"},
		{name: "nil home", env: map[string]string{"XDG_CACHE_HOME": ""}, wantErr: "no home directory"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			getenv := func(k string) string { return tt.env[k] }
			got, err := HubCacheDir(getenv, tt.home)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("HubCacheDir() = %q, %v; want an error containing %q", got, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("HubCacheDir(): %v", err)
			}
			if got != filepath.FromSlash(tt.want) {
				t.Errorf("HubCacheDir() = %q, want %q", got, filepath.FromSlash(tt.want))
			}
		})
	}
}

func TestHubCacheResolve(t *testing.T) {
	t.Parallel()
	cache, _ := fakeCache(t)
	c := NewHubCache(cache + string(filepath.Separator))
	if c.Dir() != cache {
		t.Errorf("Dir() = %q, want %q", c.Dir(), cache)
	}
	tests := []struct {
		name    string
		kind    sources.SubjectKind
		id, rev string
		wantSHA string
		wantOK  bool
		wantErr error // matched with errors.Is; nil means no error
	}{
		{name: "default branch with newline", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", wantSHA: shaMain, wantOK: true},
		{name: "main", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "main", wantSHA: shaMain, wantOK: true},
		{name: "tag", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "v1.0", wantSHA: shaOld, wantOK: true},
		{name: "commit", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: shaOld, wantSHA: shaOld, wantOK: true},
		{name: "commit upper case", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: strings.ToUpper(shaOld), wantSHA: shaOld, wantOK: true},
		{name: "commit not downloaded", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: shaData, wantSHA: shaData},
		{name: "ref to absent snapshot", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "refs/pr/1", wantSHA: shaPR},
		{name: "unknown branch", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "dev"},
		{name: "ref folder is no ref", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "refs"},
		{name: "path under a ref file", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "main/x"},
		{name: "short sha is a name", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: shaOld[:7]},
		{name: "no snapshots folder", kind: sources.SubjectModel, id: "TheBloke/Llama-2-7B-Chat-GGUF", wantSHA: shaMain},
		{name: "not cached", kind: sources.SubjectModel, id: "google/gemma-7b"},
		{name: "not cached commit", kind: sources.SubjectModel, id: "google/gemma-7b", rev: shaMain, wantSHA: shaMain},
		{name: "dots and dashes", kind: sources.SubjectModel, id: "org.name/model.v1.5-x", wantSHA: shaDotted, wantOK: true},
		{name: "bare name", kind: sources.SubjectModel, id: "gpt2", wantSHA: shaBare, wantOK: true},
		{name: "dataset", kind: sources.SubjectDataset, id: "tatsu-lab/alpaca", wantSHA: shaData, wantOK: true},
		{name: "dataset is not a model", kind: sources.SubjectModel, id: "tatsu-lab/alpaca"},
		{name: "model is not a dataset", kind: sources.SubjectDataset, id: "meta-llama/Llama-2-7b-hf"},
		{name: "malformed ref", kind: sources.SubjectModel, id: "broken/ref", wantErr: sources.ErrMalformed},
		{name: "oversized ref", kind: sources.SubjectModel, id: "broken/ref", rev: "big", wantErr: sources.ErrMalformed},
		{name: "rev escaping refs", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "../refs/main", wantErr: fs.ErrInvalid},
		{name: "absolute rev", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", rev: "/etc/passwd", wantErr: fs.ErrInvalid},
		{name: "invalid id", kind: sources.SubjectModel, id: "../hub", wantErr: fs.ErrInvalid},
		{name: "package kind", kind: sources.SubjectPackage, id: "meta-llama/Llama-2-7b-hf", wantErr: sources.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			sha, ok, err := c.Resolve(tt.kind, tt.id, tt.rev)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Resolve() = %q, %v, %v; want an error wrapping %v", sha, ok, err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Resolve(): %v", err)
			}
			if sha != tt.wantSHA || ok != tt.wantOK {
				t.Errorf("Resolve() = %q, %v; want %q, %v", sha, ok, tt.wantSHA, tt.wantOK)
			}
		})
	}
}

func TestHubCacheResolveMissingCache(t *testing.T) {
	t.Parallel()
	c := NewHubCache(filepath.Join(t.TempDir(), "absent"))
	sha, ok, err := c.Resolve(sources.SubjectModel, "meta-llama/Llama-2-7b-hf", "")
	if sha != "" || ok || err != nil {
		t.Errorf("Resolve() in a missing cache = %q, %v, %v; want \"\", false, nil", sha, ok, err)
	}
}

func TestHubCacheResolveUnreadableRef(t *testing.T) {
	t.Parallel()
	if os.Geteuid() == 0 {
		t.Skip("permissions do not apply to root")
	}
	cache, _ := fakeCache(t)
	ref := filepath.Join(cache, "models--meta-llama--Llama-2-7b-hf", "refs", "main")
	if err := os.Chmod(ref, 0); err != nil {
		t.Fatal(err)
	}
	_, _, err := NewHubCache(cache).Resolve(sources.SubjectModel, "meta-llama/Llama-2-7b-hf", "main")
	if !errors.Is(err, fs.ErrPermission) {
		t.Errorf("Resolve() with an unreadable ref: %v; want a permission error", err)
	}
}

func TestHubCacheResolveRefOutside(t *testing.T) {
	t.Parallel()
	cache, outside := fakeCache(t)
	writeFile(t, filepath.Dir(outside), "sha.txt", shaMain)
	symlink(t, cache, "models--meta-llama--Llama-2-7b-hf/refs/linked", filepath.Join(filepath.Dir(outside), "sha.txt"))
	_, _, err := NewHubCache(cache).Resolve(sources.SubjectModel, "meta-llama/Llama-2-7b-hf", "linked")
	if !errors.Is(err, sources.ErrMalformed) || !strings.Contains(err.Error(), "outside") {
		t.Errorf("Resolve() with a ref linked outside: %v; want a malformed error saying outside", err)
	}
}

func TestHubCacheFiles(t *testing.T) {
	t.Parallel()
	cache, _ := fakeCache(t)
	real, err := filepath.EvalSymlinks(cache)
	if err != nil {
		t.Fatal(err)
	}
	c := NewHubCache(cache)
	llama := filepath.Join(cache, "models--meta-llama--Llama-2-7b-hf")
	realLlama := filepath.Join(real, "models--meta-llama--Llama-2-7b-hf")
	snap := filepath.Join(llama, "snapshots", shaMain)
	all := []CachedFile{
		{Path: "README.md", Abs: filepath.Join(snap, "README.md"), Size: 10},
		{Path: "alias.json", Abs: filepath.Join(realLlama, "blobs", blobConfig), Size: 22, Blob: blobConfig},
		{Path: "config.json", Abs: filepath.Join(realLlama, "blobs", blobConfig), Size: 22, Blob: blobConfig},
		{Path: "gone.txt", Abs: filepath.Join(snap, "gone.txt"), Outside: true},
		{Path: "leak.txt", Abs: filepath.Join(snap, "leak.txt"), Outside: true},
		{Path: "model.safetensors", Abs: filepath.Join(realLlama, "blobs", blobWeights), Size: 100, Blob: blobWeights},
		{Path: "original/params.json", Abs: filepath.Join(realLlama, "blobs", blobParams), Size: 12, Blob: blobParams},
		{Path: "pytorch_model.bin", Abs: filepath.Join(llama, "blobs", blobMissing), Blob: blobMissing, Missing: true},
	}
	tests := []struct {
		name          string
		kind          sources.SubjectKind
		id, sha       string
		max           int
		want          []CachedFile
		wantTruncated int
		wantErr       error
	}{
		{name: "all", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", sha: shaMain, want: all},
		{name: "upper case sha", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", sha: strings.ToUpper(shaMain), max: 100, want: all},
		{name: "bounded", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", sha: shaMain, max: 3, want: all[:3], wantTruncated: len(all) - 3},
		{name: "bound equal to count", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", sha: shaMain, max: len(all), want: all},
		{name: "plain file", kind: sources.SubjectModel, id: "gpt2", sha: shaBare, want: []CachedFile{
			{Path: "config.json", Abs: filepath.Join(cache, "models--gpt2", "snapshots", shaBare, "config.json"), Size: 2},
		}},
		{name: "dataset", kind: sources.SubjectDataset, id: "tatsu-lab/alpaca", sha: shaData, want: []CachedFile{
			{Path: "README.md", Abs: filepath.Join(real, "datasets--tatsu-lab--alpaca", "blobs", blobConfig), Size: 12, Blob: blobConfig},
		}},
		{name: "dots and dashes", kind: sources.SubjectModel, id: "org.name/model.v1.5-x", sha: shaDotted, want: []CachedFile{
			{Path: "config.json", Abs: filepath.Join(real, "models--org.name--model.v1.5-x", "blobs", blobConfig), Size: 2, Blob: blobConfig},
		}},
		{name: "absent snapshot", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", sha: shaPR, wantErr: fs.ErrNotExist},
		{name: "absent repository", kind: sources.SubjectModel, id: "google/gemma-7b", sha: shaMain, wantErr: fs.ErrNotExist},
		{name: "not a sha", kind: sources.SubjectModel, id: "meta-llama/Llama-2-7b-hf", sha: "main", wantErr: fs.ErrInvalid},
		{name: "invalid id", kind: sources.SubjectModel, id: "a/b/c", sha: shaMain, wantErr: fs.ErrInvalid},
		{name: "repository kind", kind: sources.SubjectRepository, id: "a/b", sha: shaMain, wantErr: sources.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, truncated, err := c.Files(tt.kind, tt.id, tt.sha, tt.max)
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("Files() error = %v, want one wrapping %v", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("Files(): %v", err)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Files() mismatch (-want +got):\n%s", diff)
			}
			if truncated != tt.wantTruncated {
				t.Errorf("Files() truncated = %d, want %d", truncated, tt.wantTruncated)
			}
		})
	}
}

// TestHubCacheFilesThroughLinkedCache reads a cache reached through a
// symbolic link, as when ~/.cache/huggingface points to another disk.
func TestHubCacheFilesThroughLinkedCache(t *testing.T) {
	t.Parallel()
	cache, _ := fakeCache(t)
	linked := filepath.Join(t.TempDir(), "linked")
	if err := os.Symlink(cache, linked); err != nil {
		t.Skipf("symbolic links unavailable: %v", err)
	}
	c := NewHubCache(linked)
	files, _, err := c.Files(sources.SubjectModel, "meta-llama/Llama-2-7b-hf", shaMain, 0)
	if err != nil {
		t.Fatal(err)
	}
	byPath := map[string]CachedFile{}
	for _, f := range files {
		byPath[f.Path] = f
	}
	if f := byPath["model.safetensors"]; f.Outside || f.Blob != blobWeights || f.Size != 100 {
		t.Errorf("model.safetensors through a linked cache = %+v; want blob %s of 100 bytes", f, blobWeights)
	}
	if f := byPath["pytorch_model.bin"]; !f.Missing || f.Blob != blobMissing {
		t.Errorf("pytorch_model.bin through a linked cache = %+v; want missing blob %s", f, blobMissing)
	}
	data, _, err := c.ReadFile(sources.SubjectModel, "meta-llama/Llama-2-7b-hf", shaMain, "config.json", 0)
	if err != nil || string(data) != `{"model_type":"llama"}` {
		t.Errorf("ReadFile(config.json) through a linked cache = %q, %v", data, err)
	}
}

func TestHubCacheReadFile(t *testing.T) {
	t.Parallel()
	cache, _ := fakeCache(t)
	real, err := filepath.EvalSymlinks(cache)
	if err != nil {
		t.Fatal(err)
	}
	c := NewHubCache(cache)
	realLlama := filepath.Join(real, "models--meta-llama--Llama-2-7b-hf")
	const id = "meta-llama/Llama-2-7b-hf"
	tests := []struct {
		name      string
		kind      sources.SubjectKind
		id, sha   string
		path      string
		max       int64
		want      string
		wantAbs   string
		wantErr   error  // matched with errors.Is
		errSays   string // the error message contains it
		notExists bool   // the error must not wrap fs.ErrNotExist
	}{
		{name: "linked blob", kind: sources.SubjectModel, id: id, sha: shaMain, path: "config.json", want: `{"model_type":"llama"}`, wantAbs: filepath.Join(realLlama, "blobs", blobConfig)},
		{name: "absolute link", kind: sources.SubjectModel, id: id, sha: shaMain, path: "model.safetensors", max: 100, want: strings.Repeat("w", 100), wantAbs: filepath.Join(realLlama, "blobs", blobWeights)},
		{name: "sub folder", kind: sources.SubjectModel, id: id, sha: shaMain, path: "original/params.json", want: `{"dim":4096}`, wantAbs: filepath.Join(realLlama, "blobs", blobParams)},
		{name: "link to link", kind: sources.SubjectModel, id: id, sha: shaMain, path: "alias.json", want: `{"model_type":"llama"}`, wantAbs: filepath.Join(realLlama, "blobs", blobConfig)},
		{name: "plain file", kind: sources.SubjectModel, id: id, sha: shaMain, path: "README.md", want: "# Llama 2\n", wantAbs: filepath.Join(realLlama, "snapshots", shaMain, "README.md")},
		{name: "other snapshot", kind: sources.SubjectModel, id: id, sha: shaOld, path: "README.md", want: "# old\n", wantAbs: filepath.Join(realLlama, "snapshots", shaOld, "README.md")},
		{name: "dataset", kind: sources.SubjectDataset, id: "tatsu-lab/alpaca", sha: shaData, path: "README.md", want: "dataset card", wantAbs: filepath.Join(real, "datasets--tatsu-lab--alpaca", "blobs", blobConfig)},
		{name: "over the limit", kind: sources.SubjectModel, id: id, sha: shaMain, path: "model.safetensors", max: 99, errSays: "over the 99 byte limit", notExists: true},
		{name: "missing blob", kind: sources.SubjectModel, id: id, sha: shaMain, path: "pytorch_model.bin", wantErr: fs.ErrNotExist},
		{name: "absent file", kind: sources.SubjectModel, id: id, sha: shaMain, path: "tokenizer.json", wantErr: fs.ErrNotExist},
		{name: "under a file", kind: sources.SubjectModel, id: id, sha: shaMain, path: "README.md/x", wantErr: fs.ErrNotExist},
		{name: "absent snapshot", kind: sources.SubjectModel, id: id, sha: shaPR, path: "README.md", wantErr: fs.ErrNotExist},
		{name: "folder", kind: sources.SubjectModel, id: id, sha: shaMain, path: "original", wantErr: fs.ErrNotExist},
		{name: "link to folder", kind: sources.SubjectModel, id: id, sha: shaMain, path: "blobdir", wantErr: fs.ErrNotExist},
		{name: "link outside", kind: sources.SubjectModel, id: id, sha: shaMain, path: "leak.txt", wantErr: sources.ErrMalformed, errSays: "outside", notExists: true},
		{name: "dot dot", kind: sources.SubjectModel, id: id, sha: shaMain, path: "../" + shaOld + "/README.md", wantErr: fs.ErrInvalid, notExists: true},
		{name: "inner dot dot", kind: sources.SubjectModel, id: id, sha: shaMain, path: "original/../../../blobs/" + blobConfig, wantErr: fs.ErrInvalid, notExists: true},
		{name: "absolute", kind: sources.SubjectModel, id: id, sha: shaMain, path: "/etc/passwd", wantErr: fs.ErrInvalid, notExists: true},
		{name: "backslash", kind: sources.SubjectModel, id: id, sha: shaMain, path: `..\x`, wantErr: fs.ErrInvalid, notExists: true},
		{name: "empty", kind: sources.SubjectModel, id: id, sha: shaMain, path: "", wantErr: fs.ErrInvalid, notExists: true},
		{name: "dot", kind: sources.SubjectModel, id: id, sha: shaMain, path: ".", wantErr: fs.ErrInvalid, notExists: true},
		{name: "bad sha", kind: sources.SubjectModel, id: id, sha: "../../x", path: "README.md", wantErr: fs.ErrInvalid, notExists: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			data, abs, err := c.ReadFile(tt.kind, tt.id, tt.sha, tt.path, tt.max)
			if tt.wantErr != nil || tt.errSays != "" {
				if err == nil {
					t.Fatalf("ReadFile() = %q, %q; want an error", data, abs)
				}
				if tt.wantErr != nil && !errors.Is(err, tt.wantErr) {
					t.Errorf("ReadFile() error = %v, want one wrapping %v", err, tt.wantErr)
				}
				if !strings.Contains(err.Error(), tt.errSays) {
					t.Errorf("ReadFile() error = %v, want it to say %q", err, tt.errSays)
				}
				if tt.notExists && errors.Is(err, fs.ErrNotExist) {
					t.Errorf("ReadFile() error = %v wraps fs.ErrNotExist; the file exists or the path is invalid", err)
				}
				if data != nil {
					t.Errorf("ReadFile() returned %d bytes with an error", len(data))
				}
				return
			}
			if err != nil {
				t.Fatalf("ReadFile(): %v", err)
			}
			if string(data) != tt.want || abs != tt.wantAbs {
				t.Errorf("ReadFile() = %q, %q; want %q, %q", data, abs, tt.want, tt.wantAbs)
			}
		})
	}
}

func TestParseRef(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     string
		wantErr  bool
	}{
		{name: "bare", in: shaMain, want: shaMain},
		{name: "newline", in: shaMain + "\n", want: shaMain},
		{name: "crlf and spaces", in: "  " + shaMain + "\r\n", want: shaMain},
		{name: "upper case", in: strings.ToUpper(shaMain), want: shaMain},
		{name: "empty", in: "", wantErr: true},
		{name: "short", in: shaMain[:39], wantErr: true},
		{name: "long", in: shaMain + "0", wantErr: true},
		{name: "two lines", in: shaMain + "\n" + shaOld, wantErr: true},
		{name: "not hex", in: strings.Repeat("g", 40), wantErr: true},
		{name: "sha256", in: blobWeights, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := parseRef([]byte(tt.in))
			if tt.wantErr {
				if !errors.Is(err, sources.ErrMalformed) {
					t.Errorf("parseRef(%q) = %q, %v; want a malformed error", tt.in, got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("parseRef(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func FuzzParseRef(f *testing.F) {
	for _, s := range []string{shaMain, shaMain + "\n", "\t" + strings.ToUpper(shaOld) + " \r\n", "", "main", "ref: refs/heads/main\n", strings.Repeat("z", 40), "\x00\xff" + shaMain} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		sha, err := parseRef(data)
		if err != nil {
			if sha != "" {
				t.Errorf("parseRef(%q) = %q with error %v", data, sha, err)
			}
			if !errors.Is(err, sources.ErrMalformed) {
				t.Errorf("parseRef(%q) error %v does not wrap ErrMalformed", data, err)
			}
			if len(err.Error()) > 400 {
				t.Errorf("parseRef error is %d bytes long; it must quote a bounded excerpt", len(err.Error()))
			}
			return
		}
		if !isCommitSHA(sha) || sha != strings.ToLower(sha) {
			t.Errorf("parseRef(%q) = %q, not a lower-case 40-hex sha", data, sha)
		}
		if !strings.Contains(strings.ToLower(string(data)), sha) {
			t.Errorf("parseRef(%q) = %q, which the input does not hold", data, sha)
		}
	})
}

// FuzzHubCacheReadFile checks that no path, however written, reads a file
// outside the repository folder, and that Resolve never fails on a rev that
// is not a ref file.
func FuzzHubCacheReadFile(f *testing.F) {
	for _, s := range []string{"config.json", "leak.txt", "../../blobs/" + blobConfig, "original/params.json", "/etc/passwd", "original/./params.json", "a//b", "pytorch_model.bin", "blobdir/" + blobConfig, `C:\x`, "\x00"} {
		f.Add(s)
	}
	cache, _ := fakeCache(f)
	real, err := filepath.EvalSymlinks(filepath.Join(cache, "models--meta-llama--Llama-2-7b-hf"))
	if err != nil {
		f.Fatal(err)
	}
	c := NewHubCache(cache)
	f.Fuzz(func(t *testing.T, name string) {
		data, abs, err := c.ReadFile(sources.SubjectModel, "meta-llama/Llama-2-7b-hf", shaMain, name, 1<<10)
		if err == nil && !within(abs, []string{real}) {
			t.Errorf("ReadFile(%q) read %s (%d bytes), outside %s", name, abs, len(data), real)
		}
		if _, _, err := c.Resolve(sources.SubjectModel, "meta-llama/Llama-2-7b-hf", name); err != nil &&
			!errors.Is(err, fs.ErrInvalid) && !errors.Is(err, sources.ErrMalformed) {
			t.Errorf("Resolve(rev %q): unexpected error %v", name, err)
		}
	})
}
