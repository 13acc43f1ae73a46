package checkout

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzGitMetadata feeds arbitrary bytes to the readers of a checkout's Git
// config and HEAD: they must not panic, and a commit they return is a
// full SHA.
func FuzzGitMetadata(f *testing.F) {
	f.Add([]byte("[remote \"origin\"]\n\turl = https://github.com/acme/trainer.git\n"), []byte("ref: refs/heads/main\n"))
	f.Add([]byte("[core]\nbare = false\n[remote \"origin\"]\nurl=\"git@github.com:a/b.git\"\n"), []byte(headSHA))
	f.Add([]byte("[remote \"origin\"\n"), []byte("ref: refs/../../x"))
	f.Add([]byte{0xff, '[', '\n', '='}, []byte("ref:"))
	f.Fuzz(func(t *testing.T, config, headFile []byte) {
		_ = remoteURL(config, "origin")
		_ = httpsRemote(string(config))
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "HEAD"), headFile, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "packed-refs"), config, 0o644); err != nil {
			t.Fatal(err)
		}
		if got := head(dir); got != "" && !isCommit(got) {
			t.Errorf("head = %q, not a commit", got)
		}
	})
}
