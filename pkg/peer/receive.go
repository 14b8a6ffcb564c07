package peer

import (
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

	"github.com/ec2lab/ec2lab/pkg/crashpoint"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/storage"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// ChunkStream is the receiving end of a LayerChunk stream.
type ChunkStream interface {
	Recv() (*ec2labv1.LayerChunk, error)
}

// Receiver writes streamed files into a pool, each through a temp file,
// verified against its SHA-256 and then published read-only under its
// final name.
type Receiver struct {
	Pool *storage.Pool
	// Have maps the SHA-256 of files here to their names: what the source
	// may skip.
	Have map[string]string
	// Rename gives the name a file (source name and kind) gets here;
	// nil keeps the source's name.
	Rename func(name, kind string) string

	// Files are the final names, in stream order; Bytes the payload bytes
	// received; WrappedKey an encrypted snapshot's wrapped volume key.
	Files      []string
	Bytes      int64
	WrappedKey []byte

	cur *incoming
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

// Receive drains the stream.
func (r *Receiver) Receive(st ChunkStream) error {
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
			r.WrappedKey = k
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

func (r *Receiver) name(c *ec2labv1.LayerChunk) string {
	if r.Rename == nil {
		return c.GetLayerName()
	}
	return r.Rename(c.GetLayerName(), c.GetKind())
}

func (r *Receiver) start(c *ec2labv1.LayerChunk) error {
	r.discard = false
	final := r.name(c)
	if final == "" || final != filepath.Base(final) || strings.HasPrefix(final, ".") {
		return fmt.Errorf("refusing file name %q from the source", c.GetLayerName())
	}
	r.Files = append(r.Files, final)
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
	tmp := r.Pool.Path(".tmp-copy-" + final + "-" + hex.EncodeToString(b[:]))
	f, err := fsmode.Create(tmp, fsmode.File)
	if err != nil {
		return err
	}
	r.cur = &incoming{final: final, tmp: tmp, sum: c.GetSha256(), size: c.GetSize(), f: f, h: sha256.New()}
	return nil
}

func (r *Receiver) write(c *ec2labv1.LayerChunk) error {
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
	r.Bytes += int64(len(c.GetData()))
	crashpoint.Hit("copy-receiving") // a temp file half written
	return nil
}

// finish verifies the file being received and publishes it read-only.
func (r *Receiver) finish() error {
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
	if err := os.Chmod(in.tmp, fsmode.ReadOnly); err != nil {
		return err
	}
	if err := os.Link(in.tmp, r.Pool.Path(in.final)); err != nil {
		return fmt.Errorf("publish %s: %w", in.final, err)
	}
	crashpoint.Hit("copy-layer-published") // one layer here, the record not done
	return nil
}

// linkLocal makes final from a local file with the same bytes (the source
// skipped it because its SHA-256 was in the have list).
func (r *Receiver) linkLocal(final, sum string) error {
	name, ok := r.Have[sum]
	if !ok {
		return fmt.Errorf("source skipped layer %s that is not here", final)
	}
	if err := os.Link(r.Pool.Path(name), r.Pool.Path(final)); err != nil {
		return fmt.Errorf("link %s as %s: %w", name, final, err)
	}
	return nil
}

func (r *Receiver) localSum(name string) (string, error) {
	fi, err := os.Stat(r.Pool.Path(name))
	if err != nil {
		return "", err
	}
	return SHA256(r.Pool.Path(name), fi)
}

func (r *Receiver) abort() {
	if r.cur != nil {
		r.cur.f.Close()
		os.Remove(r.cur.tmp)
		r.cur = nil
	}
}
