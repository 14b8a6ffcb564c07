package peer

import (
	"os"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/storage"
)

// File is one pool file a copy streams from the source region.
type File struct {
	Name    string // file name in the pool, kept by the destination
	Backing string // backing file name as stored in the header ("" for the base)
	Kind    string // layer, kernel or initrd
	Path    string
	Size    int64
	SHA256  string
}

// PoolFile describes the file name of pool for sending.
func PoolFile(pool *storage.Pool, name, kind string) (File, error) {
	path := pool.Path(name)
	fi, err := os.Stat(path)
	if err != nil {
		return File{}, err
	}
	sum, err := SHA256(path, fi)
	if err != nil {
		return File{}, err
	}
	return File{Name: name, Kind: kind, Path: path, Size: fi.Size(), SHA256: sum}, nil
}

// sumCache remembers the SHA-256 of immutable pool files by path, size and
// modification time, so incremental copies do not rehash whole pools.
var sumCache sync.Map

type cachedSum struct {
	size  int64
	mtime time.Time
	sum   string
}

// SHA256 is the file's SHA-256, from the cache while its size and
// modification time are unchanged.
func SHA256(path string, fi os.FileInfo) (string, error) {
	if v, ok := sumCache.Load(path); ok {
		c := v.(cachedSum)
		if c.size == fi.Size() && c.mtime.Equal(fi.ModTime()) {
			return c.sum, nil
		}
	}
	sum, err := storage.FileSHA256(path)
	if err != nil {
		return "", err
	}
	sumCache.Store(path, cachedSum{fi.Size(), fi.ModTime(), sum})
	return sum, nil
}
