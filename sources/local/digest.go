package local

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
)

// digestReader returns "sha256:HEX" of everything r yields.
func digestReader(r io.Reader) (string, error) {
	h := sha256.New()
	if _, err := io.Copy(h, r); err != nil {
		return "", err
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
}
