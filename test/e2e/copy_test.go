package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// copyRig is two peer regions: lab-2 pulls from lab-1's peer API over
// mutual TLS (each region its own CA) with the peer key lab-1 made for it,
// acting for the account that asked (the admin account 000000000001 in
// both regions, and tenant 222222222222 of lab-2).
type copyRig struct {
	lab1, lab2     *region
	pool1, pool2   string
	prefix         string
	vol            string   // the lab-1 volume snapshotted
	snaps, layers  []string // lab-1 snapshots and their layer files, oldest first
	copy4, copy5   string   // their copies in lab-2
	rawSum5        string   // sha256 of snapshot 5's data, read in lab-1
	copied4, moved int64    // bytes each copy moved
	dir2, cfg2     string   // lab-2's data dir and config, for restarts
	encVol2        string   // lab-2 volume of the encrypted copy
	tenantCreds    string   // lab-2's credentials file with profile "tenant" (account 222222222222)
}

func TestCopySnapshotAndImageAcrossRegions(t *testing.T) {
	requireHost(t)
	rig := startCopyRig(t)
	rig.snapshotChain(t)
	rig.copySnapshots(t)
	rig.compareData(t)
	rig.copyEncrypting(t)
	rig.deleteSource(t)
	rig.copyErrors(t)
	rig.copyEncryptedThroughCrash(t)
	inst := rig.copyImageAndLaunch(t)
	rig.liveSnapshotThroughCrash(t, inst)
	if _, err := rig.lab2.Client.TerminateInstances(context.Background(), &v1.InstanceIdsRequest{InstanceIds: []string{inst}}); err != nil {
		t.Errorf("TerminateInstances: %v", err)
	}
	rig.lab2.waitState(t, "terminated", inst) // removeDomains cleans up after a failure
}

func startCopyRig(t *testing.T) *copyRig {
	dir := hvtest.ScratchDir(t)
	rig := &copyRig{prefix: fmt.Sprintf("e2ecp%04x-", rand.Intn(1<<16))}
	t.Cleanup(func() { removeDomains(t, rig.prefix) })
	rig.pool1, rig.pool2 = filepath.Join(dir, "r1/pools/lab-1a"), filepath.Join(dir, "r2/pools/lab-2a")
	// each region its own CA; lab-1's peer API trusts lab-2's, lab-2 verifies lab-1 with lab-1's
	ca1, ca2 := filepath.Join(dir, "ca1"), filepath.Join(dir, "ca2")
	ec2dCA(t, ca1)
	ec2dCA(t, ca2)
	peerAPI := freePort(t)
	cfg1 := fmt.Sprintf(`region: lab-1
gc_grace: 3s
availability_zones:
  - {name: lab-1a, pool: %[1]s/r1/pools/lab-1a}
peer_api:
  listen: %[3]s
  tls: {ca: %[1]s/ca2/ca.pem, cert: %[1]s/ca1/ec2d.pem, key: %[1]s/ca1/ec2d-key.pem}
embedded_agents:
  - {host_id: h-1, availability_zone: lab-1a, domain_prefix: %[2]s1-, local_pool: %[1]s/r1/local, state_dir: %[1]s/r1/agent}
`, dir, rig.prefix, peerAPI)
	peerCreds := filepath.Join(dir, "peer-credentials")
	ec2dKeys(t, filepath.Join(dir, "r1"), "--peer", "lab-2", "--profile", "lab-2", "--credentials", peerCreds)
	rig.lab1 = startRegion(t, filepath.Join(dir, "r1"), "--config", writeFile(t, dir, "r1.yaml", cfg1))
	cfg2 := fmt.Sprintf(`region: lab-2
availability_zones:
  - {name: lab-2a, pool: %[1]s/r2/pools/lab-2a}
peers:
  - name: lab-1
    endpoint: "http://%[3]s"
    grpc_endpoint: "%[4]s"
    credentials_file: %[5]s
    profile: lab-2
    tls: {ca: %[1]s/ca1/ca.pem, cert: %[1]s/ca2/ec2d.pem, key: %[1]s/ca2/ec2d-key.pem}
embedded_agents:
  - {host_id: h-2, availability_zone: lab-2a, domain_prefix: %[2]s2-, local_pool: %[1]s/r2/local, state_dir: %[1]s/r2/agent}
`, dir, rig.prefix, rig.lab1.HTTP, peerAPI, peerCreds)
	rig.dir2, rig.cfg2 = filepath.Join(dir, "r2"), writeFile(t, dir, "r2.yaml", cfg2)
	rig.tenantCreds = filepath.Join(dir, "tenant-credentials")
	ec2dKeys(t, rig.dir2, "--account", "222222222222", "--profile", "tenant", "--credentials", rig.tenantCreds, "--region", "lab-2")
	rig.lab2 = startRegion(t, rig.dir2, "--config", rig.cfg2)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("lab-1 log tail:\n%s\nlab-2 log tail:\n%s", tail(rig.lab1.log.String(), 3000), tail(rig.lab2.log.String(), 3000))
		}
	})
	return rig
}

// ec2dCA makes a dev CA in dir with a certificate for ec2d (127.0.0.1).
func ec2dCA(t *testing.T, dir string) {
	t.Helper()
	if out, err := exec.Command(filepath.Join(binaries(t), "ec2d"), "ca", "init", "--dir", dir).CombinedOutput(); err != nil {
		t.Fatalf("ec2d ca init: %v\n%s", err, out)
	}
}

// ec2dKeys runs `ec2d keys create` on a stopped region's data dir.
func ec2dKeys(t *testing.T, dataDir string, args ...string) {
	t.Helper()
	out, err := exec.Command(filepath.Join(binaries(t), "ec2d"), append([]string{"keys", "create", "--data-dir", dataDir}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("ec2d keys create %v: %v\n%s", args, err, out)
	}
	if err := os.Chmod(dataDir, 0o711); err != nil { // made 0700; QEMU must reach the pools inside
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, dir, name, body string) string {
	t.Helper()
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// snapshotChain makes five snapshots of a detached lab-1 volume, writing
// 4 MiB of a distinct pattern into its head before each.
func (rig *copyRig) snapshotChain(t *testing.T) {
	ctx := context.Background()
	v, err := rig.lab1.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1})
	if err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	rig.vol = v.GetVolumeId()
	waitFor(t, "volume available", func() bool { return rig.lab1.describeVolume(t, rig.vol).GetState() == "available" })
	for i := 1; i <= 5; i++ {
		head := writableHead(t, rig.pool1, rig.vol)
		run(t, "qemu-io", "-f", "qcow2", "-c", fmt.Sprintf("write -P 0x%02x %dM 4M", 0x10+i, 8*i), filepath.Join(rig.pool1, head))
		sn, err := rig.lab1.Client.CreateSnapshot(ctx, &v1.CreateSnapshotRequest{VolumeId: rig.vol})
		if err != nil {
			t.Fatalf("CreateSnapshot %d: %v", i, err)
		}
		waitSnapshot(t, rig.lab1, sn.GetSnapshotId())
		rig.snaps, rig.layers = append(rig.snaps, sn.GetSnapshotId()), append(rig.layers, head)
	}
	rig.rawSum5 = rawSum(t, filepath.Join(rig.pool1, rig.layers[4]))
}

// copySnapshots copies snapshot 4, then 5: the second copy moves only the
// one layer lab-2 lacks.
func (rig *copyRig) copySnapshots(t *testing.T) {
	rig.copy4, rig.copied4 = rig.copyTo2(t, rig.snaps[3])
	var chain4 int64
	for _, l := range rig.layers[:4] {
		chain4 += fileSize(t, filepath.Join(rig.pool1, l))
	}
	if rig.copied4 != chain4 {
		t.Errorf("copy of snapshot 4 moved %d bytes, want its whole chain: %d", rig.copied4, chain4)
	}
	rig.copy5, rig.moved = rig.copyTo2(t, rig.snaps[4])
	last := fileSize(t, filepath.Join(rig.pool1, rig.layers[4]))
	if rig.moved != last {
		t.Errorf("incremental copy of snapshot 5 moved %d bytes, want only its last layer: %d (chain of 4: %d)", rig.moved, last, chain4)
	}
	t.Logf("copy of snapshot 4 moved %d bytes; copy of snapshot 5 moved %d bytes (last layer %d)", rig.copied4, rig.moved, last)
	for _, l := range rig.layers {
		if _, err := os.Stat(filepath.Join(rig.pool2, l)); err != nil {
			t.Errorf("layer %s not in lab-2's pool under its own name: %v", l, err)
		}
	}
}

var copiedRE = regexp.MustCompile(`msg="snapshot copied" snapshot=(snap-[0-9a-f]+) .*copied_bytes=(\d+)`)

// copyTo2 copies a lab-1 snapshot to lab-2, waits for it and returns the
// copy's ID and the bytes lab-2 logged as moved.
func (rig *copyRig) copyTo2(t *testing.T, src string) (string, int64) {
	t.Helper()
	res, err := rig.lab2.Client.CopySnapshot(context.Background(), &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: src})
	if err != nil {
		t.Fatalf("CopySnapshot %s: %v", src, err)
	}
	id := res.GetSnapshotId()
	sn := waitSnapshot(t, rig.lab2, id)
	if sn.GetVolumeSize() != 1 {
		t.Errorf("copy %s: volume size %d, want 1", id, sn.GetVolumeSize())
	}
	for _, m := range copiedRE.FindAllStringSubmatch(rig.lab2.log.String(), -1) {
		if m[1] == id {
			n, _ := strconv.ParseInt(m[2], 10, 64)
			return id, n
		}
	}
	t.Fatalf("lab-2 logged no copied bytes for %s", id)
	return "", 0
}

// compareData makes a volume from the copy of snapshot 5 in lab-2 and
// compares it with snapshot 5 in lab-1 (and, as a control, with 4).
func (rig *copyRig) compareData(t *testing.T) {
	ctx := context.Background()
	v, err := rig.lab2.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-2a", SnapshotId: rig.copy5})
	if err != nil {
		t.Fatalf("CreateVolume from copy: %v", err)
	}
	waitFor(t, "volume from copy available", func() bool {
		return rig.lab2.describeVolume(t, v.GetVolumeId()).GetState() == "available"
	})
	head2 := filepath.Join(rig.pool2, writableHead(t, rig.pool2, v.GetVolumeId()))
	if out, err := exec.Command("qemu-img", "compare", "-U", filepath.Join(rig.pool1, rig.layers[4]), head2).CombinedOutput(); err != nil {
		t.Errorf("volume from the copy differs from snapshot 5: %v\n%s", err, out)
	}
	if err := exec.Command("qemu-img", "compare", "-U", filepath.Join(rig.pool1, rig.layers[3]), head2).Run(); err == nil {
		t.Errorf("control: snapshot 4 compares equal to the copy of snapshot 5")
	}
	rig.layers = append(rig.layers, head2)
}

// deleteSource deletes lab-1's snapshots and volume, waits for lab-1's
// collector to remove the layer files, and reads the copy again.
func (rig *copyRig) deleteSource(t *testing.T) {
	ctx := context.Background()
	for _, id := range rig.snaps {
		if _, err := rig.lab1.Client.DeleteSnapshot(ctx, &v1.DeleteSnapshotRequest{SnapshotId: id}); err != nil {
			t.Fatalf("DeleteSnapshot %s: %v", id, err)
		}
	}
	if _, err := rig.lab1.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: rig.vol}); err != nil {
		t.Fatalf("DeleteVolume: %v", err)
	}
	waitFor(t, "lab-1 to collect the source layers", func() bool {
		m, _ := filepath.Glob(filepath.Join(rig.pool1, rig.vol+".*"))
		return len(m) == 0
	})
	head2 := rig.layers[len(rig.layers)-1]
	if out, err := exec.Command("qemu-img", "check", "-U", head2).CombinedOutput(); err != nil {
		t.Errorf("copy after source deletion: qemu-img check: %v\n%s", err, out)
	}
	if got := rawSum(t, head2); got != rig.rawSum5 {
		t.Errorf("copy after source deletion reads sha256 %s, snapshot 5 read %s", got, rig.rawSum5)
	}
	if sn := waitSnapshot(t, rig.lab2, rig.copy5); sn.GetState() != "completed" {
		t.Errorf("copy state %s after source deletion", sn.GetState())
	}
}

func (rig *copyRig) copyErrors(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct{ region, snap, code string }{
		{"lab-9", rig.snaps[0], "InvalidParameterValue"},
		{"lab-1", rig.snaps[0], "InvalidSnapshot.NotFound"}, // deleted above
	} {
		_, err := rig.lab2.Client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: c.region, SourceSnapshotId: c.snap})
		if got := errCodeOf(err); got != c.code {
			t.Errorf("CopySnapshot from %s of %s: error %v, want %s", c.region, c.snap, err, c.code)
		}
	}
}

// copyImageAndLaunch copies the tiny AMI to lab-2, boots the copy there
// and returns the instance.
func (rig *copyRig) copyImageAndLaunch(t *testing.T) string {
	ctx := context.Background()
	imgs, err := rig.lab1.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
	if err != nil || len(imgs.GetImages()) != 1 {
		t.Fatalf("DescribeImages tiny in lab-1: %v %v", imgs, err)
	}
	res, err := rig.lab2.Client.CopyImage(ctx, &v1.CopyImageRequest{SourceRegion: "lab-1",
		SourceImageId: imgs.GetImages()[0].GetImageId(), Name: "tiny-from-lab-1"})
	if err != nil {
		t.Fatalf("CopyImage: %v", err)
	}
	img := waitImage(t, rig.lab2, res.GetImageId(), func() {})
	if len(img.GetBlockDeviceMappings()) == 0 || img.GetBootMode() != imgs.GetImages()[0].GetBootMode() {
		t.Errorf("copied image %v does not match the source %v", img, imgs.GetImages()[0])
	}
	run2, err := rig.lab2.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: img.GetImageId(), InstanceType: "t3.nano", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatalf("RunInstances of the copy: %v", err)
	}
	id := run2.GetInstances()[0].GetInstanceId()
	rig.lab2.waitState(t, "running", id)
	rig.lab2.waitConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id)
	return id
}

func waitSnapshot(t *testing.T, r *region, id string) *v1.Snapshot {
	t.Helper()
	var sn *v1.Snapshot
	waitFor(t, "snapshot "+id+" completed", func() bool {
		out, err := r.Client.DescribeSnapshots(context.Background(), &v1.DescribeSnapshotsRequest{SnapshotIds: []string{id}})
		if err != nil || len(out.GetSnapshots()) != 1 {
			t.Fatalf("DescribeSnapshots %s: %v %v", id, out, err)
		}
		sn = out.GetSnapshots()[0]
		if sn.GetState() == "error" {
			t.Fatalf("snapshot %s: error %s", id, sn.GetStateMessage())
		}
		return sn.GetState() == "completed"
	})
	return sn
}

// writableHead finds a volume's head: its one writable file in the pool.
func writableHead(t *testing.T, pool, vol string) string {
	t.Helper()
	m, _ := filepath.Glob(filepath.Join(pool, vol+".*.qcow2"))
	var heads []string
	for _, f := range m {
		if fi, err := os.Stat(f); err == nil && fi.Mode().Perm()&0o200 != 0 {
			heads = append(heads, filepath.Base(f))
		}
	}
	if len(heads) != 1 {
		t.Fatalf("volume %s: want one writable head in %s, found %v (of %v)", vol, pool, heads, m)
	}
	return heads[0]
}

// rawSum is the sha256 of a chain's contents as raw bytes.
func rawSum(t *testing.T, path string) string {
	t.Helper()
	raw := filepath.Join(t.TempDir(), "disk.raw")
	run(t, "qemu-img", "convert", "-U", "-O", "raw", path, raw)
	f, err := os.Open(raw)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

func fileSize(t *testing.T, path string) int64 {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

func run(t *testing.T, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
}
