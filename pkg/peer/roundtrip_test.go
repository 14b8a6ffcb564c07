package peer

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/storage"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// pipe is a LayerChunk stream in memory: what Send sends, Receive reads.
// Like gRPC's Send it copies the message, whose buffer Send reuses.
type pipe struct{ chunks []*ec2labv1.LayerChunk }

func (p *pipe) Send(c *ec2labv1.LayerChunk) error {
	p.chunks = append(p.chunks, proto.Clone(c).(*ec2labv1.LayerChunk))
	return nil
}

func (p *pipe) Recv() (*ec2labv1.LayerChunk, error) {
	if len(p.chunks) == 0 {
		return nil, io.EOF
	}
	c := p.chunks[0]
	p.chunks = p.chunks[1:]
	return c, nil
}

// TestSendReceive: the source's Send and the destination's Receiver agree:
// a multi-chunk layer arrives byte for byte, read-only; a layer the
// destination has is skipped and linked; the wrapped key comes first; an
// empty file is still a file; kinds reach Rename.
func TestSendReceive(t *testing.T) {
	src, err := storage.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	dst, err := storage.New(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 2*chunkSize+12345)
	_, _ = rand.Read(big)
	contents := map[string][]byte{"base.qcow2": []byte("the base layer"), "mid.qcow2": big, "empty.qcow2": nil}
	for name, b := range contents {
		if err := os.WriteFile(src.Path(name), b, 0o444); err != nil {
			t.Fatal(err)
		}
	}
	// the destination already has the base, under another name
	if err := os.WriteFile(dst.Path("local-base.qcow2"), contents["base.qcow2"], 0o444); err != nil {
		t.Fatal(err)
	}
	var files []File
	for _, name := range []string{"base.qcow2", "mid.qcow2", "empty.qcow2"} {
		f, err := PoolFile(src, name, "layer")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	fi, _ := os.Stat(dst.Path("local-base.qcow2"))
	baseSum, err := SHA256(dst.Path("local-base.qcow2"), fi)
	if err != nil {
		t.Fatal(err)
	}
	p := &pipe{}
	if err := SendKey(p, []byte("wrapped")); err != nil {
		t.Fatal(err)
	}
	if err := Send(p, files, map[string]bool{baseSum: true}); err != nil {
		t.Fatal(err)
	}
	sent := 0
	for _, c := range p.chunks {
		sent += len(c.GetData())
	}
	var kinds []string
	r := &Receiver{Pool: dst, Have: map[string]string{baseSum: "local-base.qcow2"},
		Rename: func(name, kind string) string { kinds = append(kinds, kind); return name }}
	if err := r.Receive(p); err != nil {
		t.Fatal(err)
	}
	if string(r.WrappedKey) != "wrapped" || r.Bytes != int64(len(big)) || sent != len(big) {
		t.Errorf("key %q, received %d bytes, sent %d; want the key and %d bytes (the base skipped)", r.WrappedKey, r.Bytes, sent, len(big))
	}
	if len(r.Files) != 3 || len(kinds) != 3 || kinds[0] != "layer" {
		t.Errorf("files %v, kinds %v", r.Files, kinds)
	}
	for name, want := range contents {
		got, err := os.ReadFile(dst.Path(name))
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %d bytes, %v; want %d bytes", name, len(got), err, len(want))
		}
		if fi, err := os.Stat(dst.Path(name)); err != nil || fi.Mode().Perm()&0o222 != 0 {
			t.Errorf("%s is writable: %v", name, fi.Mode())
		}
	}
}
