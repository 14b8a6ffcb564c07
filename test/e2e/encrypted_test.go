package e2e

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// encMarker is the text the guest writes to the encrypted volume.
const encMarker = "EC2LAB-PLAINTEXT-MARKER-5f2c9d"

// TestEncryptedVolume: an Encrypted volume is LUKS-encrypted on disk. The
// guest writes a known pattern and reads it back, while the volume's file
// holds no trace of it; the volume key is never in ec2d's log or in the
// store in plaintext. Live and offline snapshots are encrypted (the new
// head too), and volumes made from them (encrypted overlays on chains of
// encrypted layers) show the guest the data as of each snapshot.
func TestEncryptedVolume(t *testing.T) {
	requireHost(t)
	prefix := fmt.Sprintf("e2ee%04x-", rand.Intn(1<<16))
	dir := hvtest.ScratchDir(t)
	t.Cleanup(func() { removeDomains(t, prefix) })
	r := startRegion(t, dir, "--domain-prefix", prefix)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ec2d log tail:\n%s", tail(r.log.String(), 5000))
		}
	})
	ctx := context.Background()
	inst := r.runOne(t, &v1.BlockDeviceMapping{DeviceName: "/dev/xvda", Ebs: &v1.EbsBlockDevice{Encrypted: true}})
	root := r.rootVolume(t, inst)
	if !r.describeVolume(t, root).GetEncrypted() {
		t.Errorf("root volume %s of a launch with Ebs.Encrypted says encrypted=false", root)
	}
	checkLUKS(t, filepath.Join(dir, "pools", "lab-1a", root+".0.qcow2"))
	r.guestRun(t, inst, "echo "+encMarker+" > /enc-root-marker && sync")

	v, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1, Encrypted: true})
	if err != nil {
		t.Fatalf("CreateVolume Encrypted: %v", err)
	}
	vol := v.GetVolumeId()
	if got := r.waitVolume(t, vol, "available"); !got.GetEncrypted() {
		t.Errorf("DescribeVolumes says encrypted=false")
	}
	r.attach(t, vol, inst, "/dev/sdf")
	dev := r.guestDisk(t, inst, vol)
	r.writePattern(t, inst, dev, 'Z', 0)
	r.guestRun(t, inst, "echo "+encMarker+" | dd of=/dev/"+dev+" bs=512 seek=4096 conv=fsync 2>/dev/null && sync")
	if got := r.guestSum(t, inst, dev, 0); got != patternSum('Z', mib) {
		t.Errorf("guest reads back sha256 %s, want %s", got, patternSum('Z', mib))
	}
	if out := r.guestRun(t, inst, "dd if=/dev/"+dev+" bs=512 skip=4096 count=1 2>/dev/null | head -n 1"); !strings.Contains(out, encMarker) {
		t.Errorf("guest reads back %q, want the marker", out)
	}

	head := filepath.Join(dir, "pools", "lab-1a", vol+".0.qcow2")
	raw, err := os.ReadFile(head)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < mib {
		t.Fatalf("volume file is %d bytes: the guest's writes did not reach it", len(raw))
	}
	if bytes.Contains(raw, []byte(encMarker)) {
		t.Errorf("the volume file %s holds the guest's marker text", head)
	}
	checkCiphertext(t, head, bytes.Repeat([]byte{'Z'}, 4096))
	r.checkKeyNotLeaked(t, dir, vol)

	t.Run("snapshots are encrypted, live and offline", func(t *testing.T) {
		live := r.snapshot(t, vol, "enc-live") // attached to a running guest
		if !r.describeSnapshot(t, live).GetEncrypted() {
			t.Errorf("live snapshot of an encrypted volume is not encrypted")
		}
		newHead := filepath.Join(dir, "pools", "lab-1a", vol+"."+live+".qcow2")
		r.writePattern(t, inst, dev, 'Y', 1) // lands in the new head
		if got := r.guestSum(t, inst, dev, 1); got != patternSum('Y', mib) {
			t.Errorf("after the live snapshot the guest reads sha256 %s, want %s", got, patternSum('Y', mib))
		}
		checkCiphertext(t, newHead, bytes.Repeat([]byte{'Y'}, 4096))
		if _, err := r.Client.DetachVolume(ctx, &v1.DetachVolumeRequest{VolumeId: vol}); err != nil {
			t.Fatalf("DetachVolume: %v", err)
		}
		r.waitVolume(t, vol, "available")
		offline := r.snapshot(t, vol, "enc-offline")
		if !r.describeSnapshot(t, offline).GetEncrypted() {
			t.Errorf("offline snapshot of an encrypted volume is not encrypted")
		}
		// Volumes of each snapshot: encrypted overlays on a chain of
		// encrypted layers, each with the data as of its snapshot.
		for i, tc := range []struct {
			snap, device string
			second       byte
		}{{live, "/dev/sdg", 0}, {offline, "/dev/sdh", 'Y'}} {
			nv, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", SnapshotId: tc.snap})
			if err != nil {
				t.Fatalf("CreateVolume from snapshot: %v", err)
			}
			if got := r.waitVolume(t, nv.GetVolumeId(), "available"); !got.GetEncrypted() {
				t.Errorf("volume from an encrypted snapshot is not encrypted")
			}
			r.attach(t, nv.GetVolumeId(), inst, tc.device)
			ndev := r.guestDisk(t, inst, nv.GetVolumeId())
			if got := r.guestSum(t, inst, ndev, 0); got != patternSum('Z', mib) {
				t.Errorf("volume %d from snapshot: first MiB sha256 %s, want %s", i, got, patternSum('Z', mib))
			}
			if got := r.guestSum(t, inst, ndev, 1); got != patternSum(tc.second, mib) {
				t.Errorf("volume %d from snapshot: second MiB sha256 %s, want %s", i, got, patternSum(tc.second, mib))
			}
		}
		r.checkKeyNotLeaked(t, dir, vol)
	})

	t.Run("an image of the encrypted root launches encrypted", func(t *testing.T) {
		res, err := r.Client.CreateImage(ctx, &v1.CreateImageRequest{InstanceId: inst, Name: "enc-root", NoReboot: true})
		if err != nil {
			t.Fatalf("CreateImage: %v", err)
		}
		img := waitImage(t, r, res.GetImageId(), func() {})
		snap := img.GetBlockDeviceMappings()[0].GetEbs().GetSnapshotId()
		if !r.describeSnapshot(t, snap).GetEncrypted() {
			t.Errorf("the image's root snapshot %s is not encrypted", snap)
		}
		run, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: img.GetImageId(), InstanceType: "t3.nano", MinCount: 1, MaxCount: 1})
		if err != nil {
			t.Fatalf("RunInstances of the encrypted image: %v", err)
		}
		id := run.GetInstances()[0].GetInstanceId()
		r.waitState(t, "running", id)
		r.waitConsole(t, id, "ec2lab: ready")
		if out := r.guestRun(t, id, "cat /enc-root-marker"); !strings.Contains(out, encMarker) {
			t.Errorf("instance of the encrypted image reads %q from its root, want the marker", out)
		}
		nroot := r.rootVolume(t, id)
		if !r.describeVolume(t, nroot).GetEncrypted() {
			t.Errorf("root volume %s of the encrypted image says encrypted=false", nroot)
		}
		checkLUKS(t, filepath.Join(dir, "pools", "lab-1a", nroot+".0.qcow2"))
		if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}); err != nil {
			t.Errorf("TerminateInstances: %v", err)
		}
		r.waitState(t, "terminated", id)
	})

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{inst}}); err != nil {
		t.Errorf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", inst)
}

// checkLUKS fails t unless path is a qcow2 with a LUKS header.
func checkLUKS(t *testing.T, path string) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(raw, []byte("LUKS\xba\xbe")) {
		t.Errorf("no LUKS header in %s", path)
	}
}

// rootVolume is the EBS volume an instance boots from.
func (r *region) rootVolume(t *testing.T, id string) string {
	t.Helper()
	out, err := r.Client.DescribeInstances(context.Background(), &v1.DescribeInstancesRequest{InstanceIds: []string{id}})
	if err != nil || len(out.GetReservations()) != 1 {
		t.Fatalf("DescribeInstances %s: %v %v", id, out, err)
	}
	in := out.GetReservations()[0].GetInstances()[0]
	for _, m := range in.GetBlockDeviceMappings() {
		if m.GetDeviceName() == in.GetRootDeviceName() {
			return m.GetVolumeId()
		}
	}
	t.Fatalf("instance %s has no root volume in %v", id, in.GetBlockDeviceMappings())
	return ""
}

// checkCiphertext fails t unless path is a LUKS-encrypted qcow2 holding
// at least 1 MiB of written data and none of plain.
func checkCiphertext(t *testing.T, path string, plain []byte) {
	t.Helper()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < mib {
		t.Fatalf("%s is %d bytes: the guest's writes did not reach it", path, len(raw))
	}
	if bytes.Contains(raw, plain) {
		t.Errorf("%s holds the guest's plaintext", path)
	}
	if !bytes.Contains(raw, []byte("LUKS\xba\xbe")) {
		t.Errorf("no LUKS header in %s", path)
	}
}

// runOne boots one t3.nano guest of the tiny AMI with the given block
// device mappings and waits for its shell.
func (r *region) runOne(t *testing.T, bdms ...*v1.BlockDeviceMapping) string {
	t.Helper()
	ctx := context.Background()
	var ami string
	waitFor(t, "the tiny AMI to be available", func() bool {
		imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"},
			Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
		if err != nil || len(imgs.GetImages()) != 1 || imgs.GetImages()[0].GetState() != "available" {
			return false
		}
		ami = imgs.GetImages()[0].GetImageId()
		return true
	})
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1,
		BlockDeviceMappings: bdms})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	id := res.GetInstances()[0].GetInstanceId()
	r.waitState(t, "running", id)
	r.waitConsole(t, id, "ec2lab: ready")
	return id
}

// checkKeyNotLeaked unseals the volume's key (sealed blob from state.db,
// master key from DATA_DIR/master.key) and looks for it, raw, hex and
// base64, in ec2d's log and the store file.
func (r *region) checkKeyNotLeaked(t *testing.T, dir, vol string) {
	t.Helper()
	if st, err := os.Stat(filepath.Join(dir, "master.key")); err != nil || st.Mode().Perm() != 0o600 {
		t.Errorf("master.key mode %v (%v), want 0600", st.Mode().Perm(), err)
	}
	key := storedKey(t, dir, vol)
	db, err := os.ReadFile(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string][]byte{
		"raw": key, "hex": []byte(hex.EncodeToString(key)), "HEX": []byte(strings.ToUpper(hex.EncodeToString(key))),
		"base64": []byte(base64.StdEncoding.EncodeToString(key)), "base64url": []byte(base64.RawURLEncoding.EncodeToString(key)),
	}
	for name, b := range forms {
		if bytes.Contains(r.log.Bytes(), b) {
			t.Errorf("the volume key (%s) is in ec2d's log", name)
		}
		if bytes.Contains(db, b) {
			t.Errorf("the volume key (%s) is in state.db", name)
		}
	}
}

// storedKey is the volume key of record id (a volume or snapshot) as the
// region in dir holds it: the sealed blob from state.db opened with
// DATA_DIR/master.key.
func storedKey(t *testing.T, dir, id string) []byte {
	t.Helper()
	master, err := os.ReadFile(filepath.Join(dir, "master.key"))
	if err != nil {
		t.Fatalf("master key: %v", err)
	}
	db, err := os.ReadFile(filepath.Join(dir, "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`"id":"` + id + `"[^}]*?"key_cipher":"([A-Za-z0-9+/=]+)"`).FindSubmatch(db)
	if m == nil {
		t.Fatalf("no sealed key of %s in state.db", id)
	}
	sealed, err := base64.StdEncoding.DecodeString(string(m[1]))
	if err != nil {
		t.Fatal(err)
	}
	key, err := controller.UnsealKey(master, sealed)
	if err != nil {
		t.Fatalf("unseal %s's key with master.key: %v", id, err)
	}
	return key
}
