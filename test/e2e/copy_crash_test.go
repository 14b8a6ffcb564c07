package e2e

import (
	"bytes"
	"context"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// copyEncryptedThroughCrash copies an encrypted snapshot from lab-1 to
// lab-2 while lab-2 is killed -9 half-way through receiving a layer: after
// the restart the copy completes, no temp file is left, the copy is still
// encrypted (the layer on disk holds no plaintext) and lab-2 holds the same
// volume key sealed under its own master key.
func (rig *copyRig) copyEncryptedThroughCrash(t *testing.T) {
	ctx := context.Background()
	v, err := rig.lab1.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1, Encrypted: true})
	if err != nil {
		t.Fatalf("CreateVolume encrypted: %v", err)
	}
	vol := v.GetVolumeId()
	waitFor(t, "encrypted volume available", func() bool { return rig.lab1.describeVolume(t, vol).GetState() == "available" })
	key := storedKey(t, rig.lab1.DataDir, vol)
	layer := writableHead(t, rig.pool1, vol)
	qemuIOEncrypted(t, filepath.Join(rig.pool1, layer), key, "write -P 0x5a 0 1M")
	snap := rig.lab1.snapshot(t, vol, "encrypted source")

	rig.restartLab2(t, "copy-receiving")
	res, err := rig.lab2.Client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: snap})
	if err != nil {
		t.Fatalf("CopySnapshot encrypted: %v", err)
	}
	rig.lab2.waitKilled(t)
	if tmp, _ := filepath.Glob(filepath.Join(rig.pool2, ".tmp-*")); len(tmp) == 0 {
		t.Errorf("no half-received temp file in lab-2's pool after the crash: the crash did not hit mid-copy")
	}
	rig.restartLab2(t, "")
	cp := waitSnapshot(t, rig.lab2, res.GetSnapshotId())
	if !cp.GetEncrypted() {
		t.Errorf("the copy of an encrypted snapshot says encrypted=false")
	}
	if tmp, _ := filepath.Glob(filepath.Join(rig.pool2, ".tmp-*")); len(tmp) != 0 {
		t.Errorf("temp files left in lab-2's pool after the copy: %v", tmp)
	}
	if got := storedKey(t, rig.dir2, cp.GetSnapshotId()); !bytes.Equal(got, key) {
		t.Errorf("lab-2 holds another volume key for the copy")
	}
	checkCiphertext(t, filepath.Join(rig.pool2, layer), bytes.Repeat([]byte{0x5a}, 4096))

	nv, err := rig.lab2.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-2a", SnapshotId: cp.GetSnapshotId()})
	if err != nil {
		t.Fatalf("CreateVolume from the encrypted copy: %v", err)
	}
	rig.encVol2 = nv.GetVolumeId()
	if got := rig.lab2.waitVolume(t, rig.encVol2, "available"); !got.GetEncrypted() {
		t.Errorf("a volume of the encrypted copy is not encrypted")
	}
	rig.lab2.checkKeyNotLeaked(t, rig.dir2, rig.encVol2)
}

// liveSnapshotThroughCrash attaches the encrypted copy to lab-2's guest
// (which reads the data written in lab-1), then kills lab-2 -9 inside a
// live snapshot of it: the agent made the new head but the domain still
// writes to the old one. After the restart the snapshot completes, the
// domain writes to the new head, and a volume of the snapshot holds the
// data as of the snapshot and not the guest's later write.
func (rig *copyRig) liveSnapshotThroughCrash(t *testing.T, inst string) {
	ctx := context.Background()
	rig.lab2.attach(t, rig.encVol2, inst, "/dev/sdf")
	dev := rig.lab2.guestDisk(t, inst, rig.encVol2)
	if got := rig.lab2.guestSum(t, inst, dev, 0); got != patternSum('Z', mib) {
		t.Fatalf("lab-2's guest reads the encrypted copy as sha256 %s, want lab-1's pattern %s", got, patternSum('Z', mib))
	}
	oldHead := writableHead(t, rig.pool2, rig.encVol2)
	domain := rig.prefix + "2-" + inst

	rig.restartLab2(t, "agent-snapshot-new-head")
	sn, err := rig.lab2.Client.CreateSnapshot(ctx, &v1.CreateSnapshotRequest{VolumeId: rig.encVol2})
	if err != nil {
		t.Fatalf("CreateSnapshot: %v", err)
	}
	rig.lab2.waitKilled(t)
	newHead := rig.encVol2 + "." + sn.GetSnapshotId() + ".qcow2"
	if _, err := os.Stat(filepath.Join(rig.pool2, newHead)); err != nil {
		t.Errorf("the crash came before the new head was made: %v", err)
	}
	if !strings.Contains(domblklist(t, domain), oldHead) {
		t.Errorf("the crash came after the domain moved to the new head")
	}
	rig.restartLab2(t, "")
	waitSnapshot(t, rig.lab2, sn.GetSnapshotId())
	if got := domblklist(t, domain); !strings.Contains(got, newHead) {
		t.Errorf("after the restart the domain writes to:\n%s\nwant the new head %s", got, newHead)
	}
	rig.lab2.writePattern(t, inst, dev, 'C', 0)
	nv, err := rig.lab2.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-2a", SnapshotId: sn.GetSnapshotId()})
	if err != nil {
		t.Fatalf("CreateVolume from the snapshot: %v", err)
	}
	rig.lab2.waitVolume(t, nv.GetVolumeId(), "available")
	rig.lab2.attach(t, nv.GetVolumeId(), inst, "/dev/sdg")
	ndev := rig.lab2.guestDisk(t, inst, nv.GetVolumeId())
	if got := rig.lab2.guestSum(t, inst, ndev, 0); got != patternSum('Z', mib) {
		t.Errorf("volume of the snapshot reads sha256 %s, want the data as of the snapshot %s", got, patternSum('Z', mib))
	}
	if got := rig.lab2.guestSum(t, inst, dev, 0); got != patternSum('C', mib) {
		t.Errorf("the volume reads sha256 %s after the guest's write, want %s", got, patternSum('C', mib))
	}
}

// restartLab2 stops lab-2 and starts it again on the same data, killing
// itself at crashpoint (if not "").
func (rig *copyRig) restartLab2(t *testing.T, crashpoint string) {
	t.Helper()
	rig.lab2.stop()
	var env []string
	if crashpoint != "" {
		env = []string{"EC2LAB_CRASHPOINT=" + crashpoint}
	}
	rig.lab2 = startEC2dEnv(t, env, rig.dir2, "--all-in-one", "--config", rig.cfg2)
}

// waitKilled waits for ec2d to die by SIGKILL (a crashpoint).
func (r *region) waitKilled(t *testing.T) {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- r.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(2 * time.Minute):
		t.Fatalf("ec2d did not reach its crashpoint; log tail:\n%s", tail(r.log.String(), 3000))
	}
	if ws, ok := r.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() || ws.Signal() != syscall.SIGKILL {
		t.Fatalf("ec2d ended with %v, want SIGKILL at the crashpoint; log tail:\n%s", r.cmd.ProcessState, tail(r.log.String(), 3000))
	}
	r.conn.Close()
}

// qemuIOEncrypted runs a qemu-io command on a LUKS-encrypted qcow2 (no
// backing file) with its volume key.
func qemuIOEncrypted(t *testing.T, path string, key []byte, cmd string) {
	t.Helper()
	run(t, "qemu-io", "--object", "secret,id=sec0,data="+hex.EncodeToString(key),
		"--image-opts", "driver=qcow2,file.filename="+path+",encrypt.key-secret=sec0", "-c", cmd)
}

func domblklist(t *testing.T, domain string) string {
	t.Helper()
	out, err := exec.Command("virsh", "domblklist", domain).CombinedOutput()
	if err != nil {
		t.Fatalf("virsh domblklist %s: %v\n%s", domain, err, out)
	}
	return string(out)
}

// copyEncrypting copies plain snapshot 5 to lab-2 with Encrypted: the copy
// is one LUKS layer under a new key that lab-2 holds, with no plaintext on
// disk, and a volume made from it holds snapshot 5's data.
func (rig *copyRig) copyEncrypting(t *testing.T) {
	ctx := context.Background()
	res, err := rig.lab2.Client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: rig.snaps[4], Encrypted: true})
	if err != nil {
		t.Fatalf("CopySnapshot Encrypted: %v", err)
	}
	cp := waitSnapshot(t, rig.lab2, res.GetSnapshotId())
	if !cp.GetEncrypted() {
		t.Errorf("a copy made with Encrypted says encrypted=false")
	}
	layer := filepath.Join(rig.pool2, cp.GetSnapshotId()+".qcow2")
	checkCiphertext(t, layer, bytes.Repeat([]byte{0x15}, 4096))
	key := storedKey(t, rig.dir2, cp.GetSnapshotId())
	nv, err := rig.lab2.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-2a", SnapshotId: cp.GetSnapshotId()})
	if err != nil {
		t.Fatalf("CreateVolume from the encrypted copy: %v", err)
	}
	if got := rig.lab2.waitVolume(t, nv.GetVolumeId(), "available"); !got.GetEncrypted() {
		t.Errorf("a volume of the encrypted copy is not encrypted")
	}
	head := filepath.Join(rig.pool2, writableHead(t, rig.pool2, nv.GetVolumeId()))
	out, err := exec.Command("qemu-img", "compare", "-U", "--object", "secret,id=sec0,data="+hex.EncodeToString(key), "--image-opts",
		"driver=qcow2,file.filename="+filepath.Join(rig.pool1, rig.layers[4]),
		"driver=qcow2,file.filename="+head+",encrypt.key-secret=sec0,backing.encrypt.key-secret=sec0").CombinedOutput()
	if err != nil {
		t.Errorf("the volume of the encrypted copy differs from snapshot 5: %v\n%s", err, out)
	}
}
