package peer

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"os"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/storage"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

type fakeChunks []*ec2labv1.LayerChunk

func (f *fakeChunks) Recv() (*ec2labv1.LayerChunk, error) {
	if len(*f) == 0 {
		return nil, io.EOF
	}
	c := (*f)[0]
	*f = (*f)[1:]
	return c, nil
}

func sum(b string) string { h := sha256.Sum256([]byte(b)); return hex.EncodeToString(h[:]) }

func TestReceiverVerifiesAndPublishes(t *testing.T) {
	tests := []struct {
		name    string
		chunks  fakeChunks
		wantErr string
		want    map[string]string // file → contents after
	}{
		{"two chunks", fakeChunks{
			{LayerName: "snap-a.qcow2", Sha256: sum("hello world"), Size: 11, Data: []byte("hello ")},
			{LayerName: "snap-a.qcow2", Offset: 6, Data: []byte("world")}},
			"", map[string]string{"snap-a.qcow2": "hello world"}},
		{"sha mismatch", fakeChunks{{LayerName: "snap-b.qcow2", Sha256: sum("other"), Size: 5, Data: []byte("bytes")}},
			"sha256", map[string]string{"snap-b.qcow2": ""}},
		{"short file", fakeChunks{{LayerName: "snap-c.qcow2", Sha256: sum("abc"), Size: 4, Data: []byte("abc")}},
			"bytes", map[string]string{"snap-c.qcow2": ""}},
		{"path in name", fakeChunks{{LayerName: "../evil.qcow2", Sha256: sum("x"), Size: 1, Data: []byte("x")}},
			"refusing", nil},
		{"skipped, linked from a local copy", fakeChunks{{LayerName: "snap-d.qcow2", Sha256: sum("have"), Size: 4, Skipped: true}},
			"", map[string]string{"snap-d.qcow2": "have"}},
		{"skipped but not here", fakeChunks{{LayerName: "snap-e.qcow2", Sha256: sum("nope"), Size: 4, Skipped: true}},
			"not here", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			pool, err := storage.New(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(pool.Path("local.qcow2"), []byte("have"), 0o444); err != nil {
				t.Fatal(err)
			}
			r := &Receiver{Pool: pool, Have: map[string]string{sum("have"): "local.qcow2"}}
			err = r.Receive(&tc.chunks)
			if tc.wantErr == "" && err != nil || tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)) {
				t.Fatalf("receive: %v, want error containing %q", err, tc.wantErr)
			}
			for f, want := range tc.want {
				b, err := os.ReadFile(pool.Path(f))
				if want == "" && err == nil {
					t.Errorf("%s published despite the error", f)
				}
				if want != "" && string(b) != want {
					t.Errorf("%s = %q, %v; want %q", f, b, err, want)
				}
			}
			if left, _ := pool.CleanTemp(t.Context()); len(left) != 0 {
				t.Errorf("temp files left behind: %v", left)
			}
		})
	}
}
