// Package static embeds Gatehouse's CSS, scripts and vendored libraries into the binary.
package static

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"sync"
)

// FS holds the static files, served under /static/.
//
//go:embed app.css app.js vendor
var FS embed.FS

var (
	versionsOnce sync.Once
	versions     map[string]string
)

// URL returns the path of a static file with a content hash, so browsers may cache it for good.
func URL(name string) string {
	versionsOnce.Do(func() {
		versions = map[string]string{}
		fs.WalkDir(FS, ".", func(p string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				b, _ := FS.ReadFile(p)
				sum := sha256.Sum256(b)
				versions[p] = hex.EncodeToString(sum[:4])
			}
			return nil
		})
	})
	return "/static/" + name + "?v=" + versions[name]
}
