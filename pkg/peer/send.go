package peer

import (
	"errors"
	"fmt"
	"io"
	"os"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// chunkSize is the payload of one streamed LayerChunk.
const chunkSize = 1 << 20

// Sender is the sending end of a LayerChunk stream.
type Sender interface {
	Send(*ec2labv1.LayerChunk) error
}

// Send streams files in order. A file whose SHA-256 is in have is sent as
// a header marked Skipped: the receiver links its own copy.
func Send(stream Sender, files []File, have map[string]bool) error {
	for _, f := range files {
		head := &ec2labv1.LayerChunk{LayerName: f.Name, Sha256: f.SHA256, Size: f.Size, BackingName: f.Backing, Kind: f.Kind}
		if have[f.SHA256] {
			head.Skipped = true
			if err := stream.Send(head); err != nil {
				return err
			}
			continue
		}
		if err := sendFile(stream, f, head); err != nil {
			return err
		}
	}
	return nil
}

// SendKey sends an encrypted snapshot's wrapped volume key ahead of its
// layers.
func SendKey(stream Sender, wrapped []byte) error {
	return stream.Send(&ec2labv1.LayerChunk{WrappedKey: wrapped})
}

// sendFile streams one file; head (offset 0) carries its metadata.
func sendFile(stream Sender, f File, head *ec2labv1.LayerChunk) error {
	in, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("layer %s: %w", f.Name, err)
	}
	defer in.Close()
	buf := make([]byte, chunkSize)
	var off int64
	for first := true; ; first = false {
		n, err := io.ReadFull(in, buf)
		if n > 0 || first {
			c := &ec2labv1.LayerChunk{LayerName: f.Name, Offset: off, Data: buf[:n]}
			if first {
				head.Data = buf[:n]
				c = head
			}
			if serr := stream.Send(c); serr != nil {
				return serr
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer %s: %w", f.Name, err)
		}
	}
}
