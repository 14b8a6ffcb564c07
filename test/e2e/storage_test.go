package e2e

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

const mib = 1 << 20

// storageRig is a two-zone region with two running guests in lab-1a, shared
// by every block-storage assertion.
type storageRig struct {
	*region
	prefix string
	ami    string
	a, b   string // instance IDs
	// Filled as the story goes on.
	vol1, volSnap, volB string // data volume, volume from snap1, volume in lab-1b
	snap1, snap2        string
	snap1Layer          string
}

// TestBlockStorage tells the EBS story on real guests: create and attach a
// volume, write to it in the guest, snapshot it live, build a volume from
// the snapshot on the other guest, move the volume between guests, grow it
// online, check every error code, describe with filters and pages, and
// watch the garbage collector remove only layers nothing needs.
func TestBlockStorage(t *testing.T) {
	requireHost(t)
	rig := startStorageRig(t)
	steps := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"create, attach, write in the guest", rig.createAttachWrite},
		{"live snapshot holds the data up to its point", rig.liveSnapshot},
		{"incremental snapshot stores only the change", rig.incremental},
		{"detach and attach to the other instance", rig.moveVolume},
		{"grow online", rig.growOnline},
		{"error codes and bad input changes nothing", rig.errorCodes},
		{"describe filters and pages", rig.describe},
		{"delete volume and snapshot, collect layers", rig.deleteAndCollect},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.fn) {
			t.Fatalf("step %q failed; later steps depend on it\nec2d log tail:\n%s", s.name, tail(rig.log.String(), 5000))
		}
	}
}

// startStorageRig starts ec2d on a two-zone config (gc_grace 3s) and boots
// two t3.nano guests in lab-1a.
func startStorageRig(t *testing.T) *storageRig {
	dir := hvtest.ScratchDir(t)
	prefix := fmt.Sprintf("e2es%04x-", rand.Intn(1<<16))
	cfg := fmt.Sprintf(`region: lab-1
gc_grace: 3s
availability_zones:
  - {name: lab-1a, id: lab-1-az1, pool: %[1]s/pools/lab-1a}
  - {name: lab-1b, id: lab-1-az2, pool: %[1]s/pools/lab-1b}
embedded_agents:
  - {host_id: h-a, availability_zone: lab-1a, domain_prefix: %[2]sa-, local_pool: %[1]s/local-a, state_dir: %[1]s/agent-a}
  - {host_id: h-b, availability_zone: lab-1b, domain_prefix: %[2]sb-, local_pool: %[1]s/local-b, state_dir: %[1]s/agent-b}
`, dir, prefix)
	path := filepath.Join(dir, "region.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeDomains(t, prefix) }) // runs last: whatever terminate left
	r := startRegion(t, dir, "--config", path)
	rig := &storageRig{region: r, prefix: prefix}
	t.Cleanup(func() {
		if t.Failed() {
			log := filepath.Join(os.TempDir(), "ec2lab-storage-e2e.log")
			_ = os.WriteFile(log, r.log.Bytes(), 0o644)
			t.Logf("ec2d log: %s", log)
		}
	})
	ctx := context.Background()
	waitFor(t, "the tiny AMI to be available", func() bool {
		imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"},
			Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
		if err != nil || len(imgs.GetImages()) != 1 || imgs.GetImages()[0].GetState() != "available" {
			return false
		}
		rig.ami = imgs.GetImages()[0].GetImageId()
		return true
	})
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: rig.ami, InstanceType: "t3.nano",
		MinCount: 2, MaxCount: 2, Placement: &v1.Placement{AvailabilityZone: "lab-1a"}})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	rig.a, rig.b = res.GetInstances()[0].GetInstanceId(), res.GetInstances()[1].GetInstanceId()
	t.Cleanup(func() { rig.terminate(t) })
	start := time.Now()
	r.waitState(t, "running", rig.a, rig.b)
	r.waitConsole(t, rig.a, "ec2lab: ready")
	r.waitConsole(t, rig.b, "ec2lab: ready")
	t.Logf("two guests ready in %v", time.Since(start).Round(time.Millisecond))
	return rig
}

// terminate ends both guests and checks libvirt keeps none of them.
func (r *storageRig) terminate(t *testing.T) {
	ctx := context.Background()
	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{r.a, r.b}}); err != nil {
		t.Errorf("TerminateInstances: %v", err)
		return
	}
	r.waitState(t, "terminated", r.a, r.b)
	if doms := virshDomains(t, r.prefix); len(doms) != 0 {
		t.Errorf("domains left after terminate: %v", doms)
	}
}

// pattern is n bytes of c; its sha256 is what the guest must print.
func patternSum(c byte, n int) string {
	sum := sha256.Sum256(bytes.Repeat([]byte{c}, n))
	return hex.EncodeToString(sum[:])
}

func (r *storageRig) createAttachWrite(t *testing.T) {
	ctx := context.Background()
	v, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1, VolumeType: "gp3",
		TagSpecifications: []*v1.TagSpecification{{ResourceType: "volume", Tags: []*v1.Tag{{Key: "Name", Value: "data"}}}}})
	if err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	if v.GetState() != "creating" || v.GetSize() != 1 || v.GetIops() != 3000 || v.GetThroughput() != 125 {
		t.Errorf("CreateVolume answered %v, want creating, 1 GiB, gp3 defaults 3000 IOPS / 125 MiB/s", v)
	}
	r.vol1 = v.GetVolumeId()
	start := time.Now()
	r.waitVolume(t, r.vol1, "available")
	t.Logf("volume available in %v", time.Since(start).Round(time.Millisecond))
	if _, err := os.Stat(r.poolPath("lab-1a", r.head(t, r.vol1))); err != nil {
		t.Errorf("no head file in the pool: %v", err)
	}
	r.attach(t, r.vol1, r.a, "/dev/sdf")
	dev := r.guestDisk(t, r.a, r.vol1)
	r.writePattern(t, r.a, dev, 'A', 0)
	if got := r.guestSum(t, r.a, dev, 0); got != patternSum('A', mib) {
		t.Errorf("guest reads back sha256 %s, want %s", got, patternSum('A', mib))
	}
}

func (r *storageRig) liveSnapshot(t *testing.T) {
	ctx := context.Background()
	start := time.Now()
	r.snap1 = r.snapshot(t, r.vol1, "snap1")
	t.Logf("live snapshot completed in %v", time.Since(start).Round(time.Millisecond))
	sn := r.describeSnapshot(t, r.snap1)
	if sn.GetVolumeId() != r.vol1 || sn.GetVolumeSize() != 1 || sn.GetProgress() != "100%" {
		t.Errorf("snapshot %v", sn)
	}
	r.snap1Layer = r.vol1 + ".0.qcow2" // the head before the first snapshot
	devA := r.guestDisk(t, r.a, r.vol1)
	r.writePattern(t, r.a, devA, 'B', 1) // after the snapshot point
	v, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", SnapshotId: r.snap1})
	if err != nil {
		t.Fatalf("CreateVolume from snapshot: %v", err)
	}
	if v.GetSize() != 1 || v.GetSnapshotId() != r.snap1 {
		t.Errorf("volume from snapshot: %v", v)
	}
	r.volSnap = v.GetVolumeId()
	r.waitVolume(t, r.volSnap, "available")
	r.attach(t, r.volSnap, r.b, "/dev/sdf")
	dev := r.guestDisk(t, r.b, r.volSnap)
	if got := r.guestSum(t, r.b, dev, 0); got != patternSum('A', mib) {
		t.Errorf("first MiB from the snapshot: sha256 %s, want the pattern written before it (%s)", got, patternSum('A', mib))
	}
	if got := r.guestSum(t, r.b, dev, 1); got != patternSum(0, mib) {
		t.Errorf("second MiB from the snapshot: sha256 %s, want zeros (the write after the snapshot must be absent)", got)
	}
	if got := r.guestSum(t, r.a, devA, 1); got != patternSum('B', mib) {
		t.Errorf("the live volume lost the write after the snapshot: %s", got)
	}
}

func (r *storageRig) incremental(t *testing.T) {
	r.snap2 = r.snapshot(t, r.vol1, "snap2")
	s1, s2 := r.describeSnapshot(t, r.snap1), r.describeSnapshot(t, r.snap2)
	t.Logf("stored bytes: snap1 %d, snap2 %d (volume 1 GiB)", s1.GetStoredBytes(), s2.GetStoredBytes())
	// snap2 holds the 1 MiB written since snap1, plus qcow2 metadata.
	if b := s2.GetStoredBytes(); b < mib || b > 4*mib {
		t.Errorf("snap2 stores %d bytes, want about 1 MiB (only the change)", b)
	}
	if b := s1.GetStoredBytes(); b < mib || b > 4*mib {
		t.Errorf("snap1 stores %d bytes, want about 1 MiB (the data written, not the 1 GiB size)", b)
	}
}

func (r *storageRig) moveVolume(t *testing.T) {
	ctx := context.Background()
	att, err := r.Client.DetachVolume(ctx, &v1.DetachVolumeRequest{VolumeId: r.vol1})
	if err != nil {
		t.Fatalf("DetachVolume: %v", err)
	}
	if att.GetInstanceId() != r.a || att.GetDevice() != "/dev/sdf" {
		t.Errorf("DetachVolume answered %v", att)
	}
	r.waitVolume(t, r.vol1, "available")
	waitFor(t, "disk to leave guest A", func() bool {
		return r.findGuestDisk(t, r.a, r.vol1) == ""
	})
	_, err = r.Client.AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: r.vol1, InstanceId: r.b, Device: "/dev/sdf"})
	if ec2err.Code(errgrpc.ToNative(err)) != "InvalidParameterValue" {
		t.Errorf("attach at a device already used: %v, want InvalidParameterValue", err)
	}
	if v := r.describeVolume(t, r.vol1); v.GetState() != "available" {
		t.Errorf("a rejected attach left the volume %s", v.GetState())
	}
	r.attach(t, r.vol1, r.b, "/dev/sdg")
	dev := r.guestDisk(t, r.b, r.vol1)
	if got := r.guestSum(t, r.b, dev, 0); got != patternSum('A', mib) {
		t.Errorf("first MiB on the other instance: %s", got)
	}
	if got := r.guestSum(t, r.b, dev, 1); got != patternSum('B', mib) {
		t.Errorf("second MiB on the other instance: %s", got)
	}
}

func (r *storageRig) growOnline(t *testing.T) {
	ctx := context.Background()
	m, err := r.Client.ModifyVolume(ctx, &v1.ModifyVolumeRequest{VolumeId: r.vol1, Size: 2})
	if err != nil {
		t.Fatalf("ModifyVolume: %v", err)
	}
	if m.GetOriginalSize() != 1 || m.GetTargetSize() != 2 {
		t.Errorf("modification %v", m)
	}
	dev := r.guestDisk(t, r.b, r.vol1)
	want := fmt.Sprint(2 << 30 / 512)
	waitFor(t, "guest to see 2 GiB", func() bool {
		return strings.TrimSpace(r.guestRun(t, r.b, "cat /sys/block/"+dev+"/size")) == want
	})
	if v := r.describeVolume(t, r.vol1); v.GetSize() != 2 || v.GetState() != "in-use" {
		t.Errorf("after grow: %v", v)
	}
	if got := r.guestSum(t, r.b, dev, 0); got != patternSum('A', mib) {
		t.Errorf("data changed by the grow: %s", got)
	}
}

// poolPath is a file of an AZ's pool.
func (r *storageRig) poolPath(az, name string) string {
	return filepath.Join(r.DataDir, "pools", az, name)
}

// qemuImgCheck runs qemu-img check on a pool file.
func qemuImgCheck(t *testing.T, path string) {
	t.Helper()
	if out, err := exec.Command("qemu-img", "check", "-q", path).CombinedOutput(); err != nil {
		t.Errorf("qemu-img check %s: %v\n%s", path, err, out)
	}
}

// removeDomains destroys and undefines libvirt domains named with prefix.
func removeDomains(t *testing.T, prefix string) {
	for _, d := range virshDomains(t, prefix) {
		t.Logf("removing leftover domain %s", d)
		_ = exec.Command("virsh", "-c", "qemu:///system", "destroy", d).Run()
		_ = exec.Command("virsh", "-c", "qemu:///system", "undefine", d).Run()
	}
}
