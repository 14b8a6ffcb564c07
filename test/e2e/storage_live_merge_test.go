package e2e

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// mergeLive deletes snap2 while vol1 is attached to running guest B: its
// layer, right under the volume's head, is hidden, so the compactor has
// the agent stream it into the head (libvirt block stream) and the
// collector removes it, while the guest keeps reading its data.
func (r *storageRig) mergeLive(t *testing.T) {
	ctx := context.Background()
	head := r.vol1 + "." + r.snap2 + ".qcow2"
	layer := r.vol1 + "." + r.snap1 + ".qcow2" // the head frozen by snap2
	for _, f := range []string{head, layer} {
		if _, err := os.Stat(r.poolPath("lab-1a", f)); err != nil {
			t.Fatalf("before the merge: %v", err)
		}
	}
	if _, err := r.Client.DeleteSnapshot(ctx, &v1.DeleteSnapshotRequest{SnapshotId: r.snap2}); err != nil {
		t.Fatalf("DeleteSnapshot: %v", err)
	}
	start := time.Now()
	waitFor(t, "snap2's layer to be merged live and collected", func() bool {
		_, err := os.Stat(r.poolPath("lab-1a", layer))
		return errors.Is(err, os.ErrNotExist)
	})
	t.Logf("layer under a running guest's volume merged live and collected in %v", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(r.log.String(), "compactor: merged layers live") {
		t.Errorf("no log line for the live merge")
	}
	dev := r.guestDisk(t, r.b, r.vol1)
	for off, c := range []byte{'A', 'B'} {
		if got := r.guestSum(t, r.b, dev, off); got != patternSum(c, mib) {
			t.Errorf("MiB %d after the live merge: sha256 %s, want %s", off, got, patternSum(c, mib))
		}
	}
	out, err := exec.Command("qemu-img", "info", "-U", "--output=json", r.poolPath("lab-1a", head)).Output()
	var info struct {
		Backing string `json:"backing-filename"`
	}
	if err != nil || json.Unmarshal(out, &info) != nil || info.Backing != r.snap1Layer {
		t.Errorf("head backing file after the live merge = %q (%v), want relative %s", info.Backing, err, r.snap1Layer)
	}
}
