package controller

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/crashpoint"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// sumCache remembers the SHA-256 of immutable pool files by path, size and
// modification time, so incremental copies do not rehash whole pools.
var sumCache sync.Map

type cachedSum struct {
	size  int64
	mtime time.Time
	sum   string
}

func cachedSHA256(path string, fi os.FileInfo) (string, error) {
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

// frozenLayers maps the SHA-256 of every frozen layer file in pool (every
// qcow2 file no volume writes to) to its name: what a copy need not pull.
func (s *Service) frozenLayers(ctx context.Context, az string, pool *storage.Pool) (map[string]string, error) {
	files, err := pool.Files(ctx)
	if err != nil {
		return nil, err
	}
	vols, err := store.ListJSON[Volume](ctx, s.st, prefixVolume)
	if err != nil {
		return nil, err
	}
	heads := map[string]bool{}
	for _, v := range vols {
		if v.AZ == az {
			heads[v.Head] = true
		}
	}
	have := map[string]string{}
	for _, f := range files {
		fi, err := os.Stat(pool.Path(f))
		if heads[f] || err != nil || fi.Mode().Perm()&0o222 != 0 {
			continue // writable: a head, whose bytes may still change
		}
		sum, err := cachedSHA256(pool.Path(f), fi)
		if err != nil {
			return nil, err
		}
		have[sum] = f
	}
	return have, nil
}

// chunkStream is the receiving end of GetSnapshotLayers / GetImageFiles.
type chunkStream interface {
	Recv() (*ec2labv1.LayerChunk, error)
}

// receiver writes streamed files into a pool, each through a temp file,
// verified against its SHA-256 and then published under its final name.
type receiver struct {
	pool   *storage.Pool
	have   map[string]string // sha256 → local file with those bytes
	rename func(chunk *ec2labv1.LayerChunk) string
	files  []string // final names, in stream order
	bytes  int64    // payload bytes received
	// wrappedKey is an encrypted snapshot's volume key (copy_keywrap.go).
	wrappedKey []byte
	cur        *incoming
	// discard drops the data of a file that is here already.
	discard bool
}

type incoming struct {
	final, tmp, sum string
	size            int64
	f               *os.File
	h               hash.Hash
	n               int64
}

// receive drains the stream and returns the final names of its files.
func (r *receiver) receive(st chunkStream) error {
	defer r.abort()
	for {
		c, err := st.Recv()
		if errors.Is(err, io.EOF) {
			return r.finish()
		}
		if err != nil {
			return err
		}
		if k := c.GetWrappedKey(); len(k) > 0 {
			r.wrappedKey = k
			continue
		}
		if c.GetLayerName() != "" && c.GetOffset() == 0 {
			if err := r.finish(); err != nil {
				return err
			}
			if err := r.start(c); err != nil {
				return err
			}
		}
		if len(c.GetData()) > 0 {
			if err := r.write(c); err != nil {
				return err
			}
		}
	}
}

func (r *receiver) start(c *ec2labv1.LayerChunk) error {
	r.discard = false
	final := r.rename(c)
	if final == "" || final != filepath.Base(final) || strings.HasPrefix(final, ".") {
		return fmt.Errorf("refusing file name %q from the source", c.GetLayerName())
	}
	r.files = append(r.files, final)
	if sum, err := r.localSum(final); err == nil {
		if sum != c.GetSha256() {
			return fmt.Errorf("layer %s exists here with other contents", final)
		}
		r.discard = true
		return nil // already here (a retried copy, or an earlier one)
	}
	if c.GetSkipped() {
		return r.linkLocal(final, c.GetSha256())
	}
	var b [6]byte
	_, _ = rand.Read(b[:])
	tmp := r.pool.Path(".tmp-copy-" + final + "-" + hex.EncodeToString(b[:]))
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	r.cur = &incoming{final: final, tmp: tmp, sum: c.GetSha256(), size: c.GetSize(), f: f, h: sha256.New()}
	return nil
}

func (r *receiver) write(c *ec2labv1.LayerChunk) error {
	in := r.cur
	if r.discard {
		return nil
	}
	if in == nil || c.GetOffset() != in.n {
		return fmt.Errorf("unexpected chunk of %s at offset %d", c.GetLayerName(), c.GetOffset())
	}
	if _, err := in.f.WriteAt(c.GetData(), c.GetOffset()); err != nil {
		return err
	}
	in.h.Write(c.GetData())
	in.n += int64(len(c.GetData()))
	r.bytes += int64(len(c.GetData()))
	crashpoint.Hit("copy-receiving") // a temp file half written
	return nil
}

// finish verifies the file being received and publishes it read-only.
func (r *receiver) finish() error {
	in := r.cur
	if in == nil {
		return nil
	}
	r.cur = nil
	defer os.Remove(in.tmp)
	if err := in.f.Truncate(in.size); err != nil {
		return err
	}
	if err := in.f.Close(); err != nil {
		return err
	}
	if got := hex.EncodeToString(in.h.Sum(nil)); in.n != in.size || got != in.sum {
		return fmt.Errorf("layer %s: got %d bytes sha256 %s, source says %d bytes sha256 %s", in.final, in.n, got, in.size, in.sum)
	}
	if err := os.Chmod(in.tmp, 0o444); err != nil {
		return err
	}
	if err := os.Link(in.tmp, r.pool.Path(in.final)); err != nil {
		return fmt.Errorf("publish %s: %w", in.final, err)
	}
	crashpoint.Hit("copy-layer-published") // one layer here, the record not done
	return nil
}

// linkLocal makes final from a local file with the same bytes (the source
// skipped it because its SHA-256 was in the have list).
func (r *receiver) linkLocal(final, sum string) error {
	name, ok := r.have[sum]
	if !ok {
		return fmt.Errorf("source skipped layer %s that is not here", final)
	}
	if err := os.Link(r.pool.Path(name), r.pool.Path(final)); err != nil {
		return fmt.Errorf("link %s as %s: %w", name, final, err)
	}
	return nil
}

func (r *receiver) localSum(name string) (string, error) {
	fi, err := os.Stat(r.pool.Path(name))
	if err != nil {
		return "", err
	}
	return cachedSHA256(r.pool.Path(name), fi)
}

func (r *receiver) abort() {
	if r.cur != nil {
		r.cur.f.Close()
		os.Remove(r.cur.tmp)
		r.cur = nil
	}
}

// pullCtx bounds one pull from a peer.
func pullCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(ctx, 30*time.Minute)
}
