package e2e

import (
	"context"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// volumesAcrossZones: a guest in lab-1a writes a pattern to a volume and
// snapshots it live, then overwrites it; a volume made from the snapshot
// in lab-1b (whose pool lacks the layer, so it is replicated first) shows
// a guest in lab-1b exactly the data up to the snapshot point. A second
// snapshot replicates only its new layer; the first stays as it was.
// Attaching the lab-1a volume to the lab-1b guest is a ZoneMismatch.
func volumesAcrossZones(t *testing.T, r *region, l *regionLab, inA, inB string) {
	ctx := context.Background()
	v, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1})
	if err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	vol := v.GetVolumeId()
	r.waitVolume(t, vol, "available")
	_, err = r.Client.AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: vol, InstanceId: inB, Device: "/dev/sdg"})
	if got := errCodeOf(err); got != "InvalidVolume.ZoneMismatch" {
		t.Errorf("attach a lab-1a volume to a lab-1b instance: %v, want InvalidVolume.ZoneMismatch", err)
	}
	r.attach(t, vol, inA, "/dev/sdf")
	dev := r.guestDisk(t, inA, vol)
	r.writePattern(t, inA, dev, 'A', 0)
	snap1 := r.snapshot(t, vol, "across zones 1")
	r.writePattern(t, inA, dev, 'B', 0)

	fromSnapshotInB(t, r, inB, snap1, "/dev/sdg", 'A')
	layer1 := vol + ".0.qcow2" // the head a first snapshot freezes
	if a, b := fileSum(t, filepath.Join(l.pools["lab-1a"], layer1)), fileSum(t, filepath.Join(l.pools["lab-1b"], layer1)); a != b {
		t.Errorf("replicated layer %s: sha256 %s in lab-1b, %s in lab-1a", layer1, b, a)
	}
	ino := inode(t, filepath.Join(l.pools["lab-1b"], layer1))

	snap2 := r.snapshot(t, vol, "across zones 2")
	fromSnapshotInB(t, r, inB, snap2, "/dev/sdh", 'B')
	if inode(t, filepath.Join(l.pools["lab-1b"], layer1)) != ino {
		t.Errorf("the second cross-zone volume copied %s again: only the new layer should move", layer1)
	}
}

// fromSnapshotInB makes a lab-1b volume of snap, attaches it to inB and
// checks the guest reads want at MiB 0.
func fromSnapshotInB(t *testing.T, r *region, inB, snap, device string, want byte) {
	t.Helper()
	nv, err := r.Client.CreateVolume(context.Background(), &v1.CreateVolumeRequest{AvailabilityZone: "lab-1b", SnapshotId: snap})
	if err != nil {
		t.Fatalf("CreateVolume in lab-1b from %s: %v", snap, err)
	}
	r.waitVolume(t, nv.GetVolumeId(), "available")
	r.attach(t, nv.GetVolumeId(), inB, device)
	dev := r.guestDisk(t, inB, nv.GetVolumeId())
	if got := r.guestSum(t, inB, dev, 0); got != patternSum(want, mib) {
		t.Errorf("lab-1b guest reads the volume of %s as sha256 %s, want %q's %s", snap, got, want, patternSum(want, mib))
	}
}

func fileSum(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%x", sha256.Sum256(b))
}

func inode(t *testing.T, path string) uint64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Sys().(*syscall.Stat_t).Ino
}
