package e2e

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// waitFor polls cond for up to 2 minutes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(2 * time.Minute)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

func (r *region) describeVolume(t *testing.T, id string) *v1.Volume {
	t.Helper()
	out, err := r.Client.DescribeVolumes(context.Background(), &v1.DescribeVolumesRequest{VolumeIds: []string{id}})
	if err != nil || len(out.GetVolumes()) != 1 {
		t.Fatalf("DescribeVolumes %s: %v %v", id, out, err)
	}
	return out.GetVolumes()[0]
}

func (r *region) describeSnapshot(t *testing.T, id string) *v1.Snapshot {
	t.Helper()
	out, err := r.Client.DescribeSnapshots(context.Background(), &v1.DescribeSnapshotsRequest{SnapshotIds: []string{id}})
	if err != nil || len(out.GetSnapshots()) != 1 {
		t.Fatalf("DescribeSnapshots %s: %v %v", id, out, err)
	}
	return out.GetSnapshots()[0]
}

// waitVolume polls until the volume is in state.
func (r *region) waitVolume(t *testing.T, id, state string) *v1.Volume {
	t.Helper()
	var v *v1.Volume
	waitFor(t, "volume "+id+" to be "+state, func() bool {
		v = r.describeVolume(t, id)
		return v.GetState() == state
	})
	return v
}

// snapshot creates a snapshot named name and waits for it to complete.
func (r *region) snapshot(t *testing.T, volID, name string) string {
	t.Helper()
	sn, err := r.Client.CreateSnapshot(context.Background(), &v1.CreateSnapshotRequest{VolumeId: volID, Description: name,
		TagSpecifications: []*v1.TagSpecification{{ResourceType: "snapshot", Tags: []*v1.Tag{{Key: "Name", Value: name}}}}})
	if err != nil {
		t.Fatalf("CreateSnapshot %s: %v", volID, err)
	}
	if sn.GetState() != "pending" {
		t.Errorf("CreateSnapshot answered state %s, want pending", sn.GetState())
	}
	waitFor(t, "snapshot "+sn.GetSnapshotId()+" to complete", func() bool {
		s := r.describeSnapshot(t, sn.GetSnapshotId())
		if s.GetState() == "error" {
			t.Fatalf("snapshot failed: %v", s)
		}
		return s.GetState() == "completed"
	})
	return sn.GetSnapshotId()
}

// attach attaches and checks what DescribeVolumes then says.
func (r *region) attach(t *testing.T, volID, instID, device string) {
	t.Helper()
	att, err := r.Client.AttachVolume(context.Background(), &v1.AttachVolumeRequest{VolumeId: volID, InstanceId: instID, Device: device})
	if err != nil {
		t.Fatalf("AttachVolume %s to %s: %v", volID, instID, err)
	}
	if att.GetInstanceId() != instID || att.GetDevice() != device {
		t.Errorf("AttachVolume answered %v", att)
	}
	v := r.waitVolume(t, volID, "in-use")
	if a := v.GetAttachments(); len(a) != 1 || a[0].GetInstanceId() != instID || a[0].GetState() != "attached" || a[0].GetDevice() != device {
		t.Errorf("attachments %v, want %s attached at %s", a, instID, device)
	}
}

// head is the volume's current file in its pool (the newest vol-….*.qcow2).
func (r *storageRig) head(t *testing.T, volID string) string {
	t.Helper()
	files := r.volumeFiles(t, "lab-1a", volID)
	if len(files) == 0 {
		t.Fatalf("no file of %s in the pool", volID)
	}
	return files[len(files)-1]
}

// volumeFiles lists the files named after volID in an AZ's pool.
func (r *storageRig) volumeFiles(t *testing.T, az, volID string) []string {
	t.Helper()
	m, err := filepath.Glob(r.poolPath(az, volID+".*"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range m {
		m[i] = filepath.Base(m[i])
	}
	return m
}

// findGuestDisk names the guest's block device whose serial is the volume
// ID without its dash ("vdb"), or "".
func (r *region) findGuestDisk(t *testing.T, inst, volID string) string {
	t.Helper()
	serial := strings.Replace(volID, "-", "", 1)
	out := r.guestRun(t, inst, `for d in /sys/block/vd*; do [ "$(cat $d/serial 2>/dev/null)" = `+serial+` ] && echo ${d##*/}; done; true`)
	return strings.TrimSpace(out)
}

// guestDisk waits for the volume to show up in the guest.
func (r *region) guestDisk(t *testing.T, inst, volID string) string {
	t.Helper()
	var dev string
	waitFor(t, volID+" to appear in "+inst, func() bool {
		dev = r.findGuestDisk(t, inst, volID)
		return dev != "" && !strings.Contains(dev, "\n")
	})
	return dev
}

// writePattern writes 1 MiB of byte c at MiB offset off of /dev/dev and syncs.
func (r *region) writePattern(t *testing.T, inst, dev string, c byte, off int) {
	t.Helper()
	r.guestRun(t, inst, "dd if=/dev/zero bs=65536 count=16 2>/dev/null | tr '\\000' '"+string(c)+
		"' | dd of=/dev/"+dev+" bs=65536 seek="+strconv.Itoa(16*off)+" conv=fsync 2>/dev/null && sync")
}

// guestSum is the guest's sha256 of 1 MiB at MiB offset off of /dev/dev,
// read past the guest's page cache.
func (r *region) guestSum(t *testing.T, inst, dev string, off int) string {
	t.Helper()
	out := r.guestRun(t, inst, "echo 3 >/proc/sys/vm/drop_caches; dd if=/dev/"+dev+" bs=65536 skip="+strconv.Itoa(16*off)+" count=16 2>/dev/null | sha256sum")
	f := strings.Fields(out)
	if len(f) == 0 {
		t.Fatalf("sha256sum printed nothing")
	}
	return f[0]
}
