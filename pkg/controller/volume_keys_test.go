package controller

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/store"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

func randKey(t *testing.T) []byte {
	t.Helper()
	k := make([]byte, MasterKeyLen)
	if _, err := rand.Read(k); err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealUnsealKey(t *testing.T) {
	master, other, key := randKey(t), randKey(t), randKey(t)
	sealed, err := SealKey(master, key)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(sealed, key) {
		t.Fatal("sealed blob contains the plaintext key")
	}
	again, _ := SealKey(master, key)
	if bytes.Equal(sealed, again) {
		t.Error("two seals of one key are identical (nonce reused)")
	}
	tampered := append([]byte(nil), sealed...)
	tampered[len(tampered)-1] ^= 1
	tests := []struct {
		name    string
		master  []byte
		sealed  []byte
		wantErr bool
	}{
		{"right master key", master, sealed, false},
		{"wrong master key", other, sealed, true},
		{"tampered blob", master, tampered, true},
		{"truncated blob", master, sealed[:10], true},
		{"short master key", master[:16], sealed, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := UnsealKey(tc.master, tc.sealed)
			if tc.wantErr {
				if err == nil {
					t.Fatalf("unsealed %x, want an error", got)
				}
				return
			}
			if err != nil || !bytes.Equal(got, key) {
				t.Fatalf("UnsealKey = %x, %v; want %x", got, err, key)
			}
		})
	}
	if _, err := UnsealKey(other, sealed); !errors.Is(err, ErrUnseal) {
		t.Errorf("wrong master key: err = %v, want ErrUnseal", err)
	}
}

// keyAgent records the keys the controller hands to CreateVolume.
type keyAgent struct {
	*fakeAgent
	keys map[string][]byte
}

func (k *keyAgent) CreateVolume(ctx context.Context, in *agentv1.CreateVolumeRequest, o ...grpc.CallOption) (*agentv1.VolumeInfo, error) {
	k.keys[in.GetVolumeId()] = in.GetEncryptionKey()
	return k.fakeAgent.CreateVolume(ctx, in, o...)
}

func TestEncryptedVolumeKeys(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	req := VolumeRequest{AZ: "lab-1a", SizeGiB: 1, Encrypted: true}
	if _, err := r.svc.CreateVolume(ctx, req); errCode(err) != "UnsupportedOperation" {
		t.Fatalf("without a master key: err = %v, want UnsupportedOperation", err)
	}
	master := randKey(t)
	if err := r.svc.SetMasterKey(master); err != nil {
		t.Fatal(err)
	}
	v1, err := r.svc.CreateVolume(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	v2, err := r.svc.CreateVolume(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	k1, err := UnsealKey(master, v1.KeyCipher)
	if err != nil || !v1.Encrypted || len(k1) != MasterKeyLen {
		t.Fatalf("volume 1: encrypted=%v key %d bytes, err %v", v1.Encrypted, len(k1), err)
	}
	k2, _ := UnsealKey(master, v2.KeyCipher)
	if bytes.Equal(k1, k2) {
		t.Error("two volumes share a key")
	}
	if _, err := UnsealKey(randKey(t), v1.KeyCipher); err == nil {
		t.Error("volume key unsealed with another master key")
	}
	ag := &keyAgent{fakeAgent: newFakeAgent(), keys: map[string][]byte{}}
	if err := r.svc.materialize(context.Background(), hostgrpc.New(ag), v1); err != nil {
		t.Fatal(err)
	}
	if string(ag.keys[v1.Head]) != hex.EncodeToString(k1) {
		t.Errorf("agent got key %x for %s, want the volume's key", ag.keys[v1.Head], v1.Head)
	}
	plain, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 1})
	if err != nil || plain.Encrypted || plain.KeyCipher != nil {
		t.Fatalf("plain volume: %+v, %v", plain, err)
	}

	// A volume of an encrypted snapshot is encrypted with the snapshot's key.
	snap := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct1, VolumeID: v1.ID, AZ: "lab-1a", Layer: v1.Head,
		State: "completed", SizeGiB: 1, Encrypted: true, KeyCipher: v1.KeyCipher}
	if err := put(context.Background(), r.svc.st, prefixSnapshot+snap.ID, snap); err != nil {
		t.Fatal(err)
	}
	v3, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SnapshotID: snap.ID})
	if err != nil {
		t.Fatal(err)
	}
	if k3, err := UnsealKey(master, v3.KeyCipher); !v3.Encrypted || err != nil || !bytes.Equal(k3, k1) {
		t.Errorf("volume from encrypted snapshot: encrypted=%v, key equal=%v, err %v", v3.Encrypted, bytes.Equal(k3, k1), err)
	}
	if secretUUID(v1) == secretUUID(v2) || secretUUID(plain) != "" {
		t.Errorf("secret UUIDs: %q %q %q", secretUUID(v1), secretUUID(v2), secretUUID(plain))
	}
}

// TestEncryptedLaunch: Ebs.Encrypted at launch gives each new volume its
// own key; a device from an encrypted snapshot (an encrypted AMI) is
// encrypted with the snapshot's key; without a master key an encrypted
// launch is refused and records nothing.
func TestEncryptedLaunch(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	encRoot := RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 2, MaxCount: 2,
		Devices: []DeviceOverride{{DeviceName: "/dev/xvda", Encrypted: true}}}
	n := r.count(t)
	if _, err := r.svc.RunInstances(ctx, encRoot); errCode(err) != "UnsupportedOperation" {
		t.Fatalf("encrypted launch without a master key: %v, want UnsupportedOperation", err)
	}
	if r.count(t) != n {
		t.Fatal("a refused launch recorded instances")
	}
	master := randKey(t)
	if err := r.svc.SetMasterKey(master); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctx, encRoot)
	if err != nil {
		t.Fatal(err)
	}
	var keys [][]byte
	for _, in := range res.Instances {
		v, _, err := store.GetJSON[Volume](ctx, r.svc.st, prefixVolume+in.BlockDevices[0].VolumeID)
		if err != nil {
			t.Fatal(err)
		}
		k, err := UnsealKey(master, v.KeyCipher)
		if !v.Encrypted || err != nil {
			t.Fatalf("root volume of %s: encrypted=%v, key err %v", in.ID, v.Encrypted, err)
		}
		keys = append(keys, k)
	}
	if bytes.Equal(keys[0], keys[1]) {
		t.Error("two launched volumes share a key")
	}

	// An image whose root snapshot is encrypted launches encrypted volumes
	// with the snapshot's key, even when the request does not ask.
	snapKey, err := r.svc.newSealedKey()
	if err != nil {
		t.Fatal(err)
	}
	snap := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct1, AZ: "lab-1a", Layer: "layer.qcow2",
		State: "completed", SizeGiB: 1, Encrypted: true, KeyCipher: snapKey}
	img := Image{ID: ids.New(ids.Image), Owner: acct1, Name: "enc", State: "available", Architecture: "x86_64",
		RootDeviceName: "/dev/xvda", AZ: "lab-1a",
		Devices: []ImageDevice{{DeviceName: "/dev/xvda", SnapshotID: snap.ID, SizeGiB: 1, VolumeType: "gp3", DeleteOnTermination: true}}}
	for k, v := range map[string]any{prefixSnapshot + snap.ID: snap, prefixImage + img.ID: img} {
		if err := put(context.Background(), r.svc.st, k, v); err != nil {
			t.Fatal(err)
		}
	}
	res, err = r.svc.RunInstances(ctx, RunRequest{ImageID: img.ID, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	v, _, err := store.GetJSON[Volume](ctx, r.svc.st, prefixVolume+res.Instances[0].BlockDevices[0].VolumeID)
	if err != nil {
		t.Fatal(err)
	}
	if !v.Encrypted || !bytes.Equal(v.KeyCipher, snapKey) {
		t.Errorf("volume of an encrypted AMI: encrypted=%v, snapshot's key=%v", v.Encrypted, bytes.Equal(v.KeyCipher, snapKey))
	}
}

// TestCopyEncrypting: CopySnapshot with Encrypted of a plain snapshot in
// the region records a pending copy with a new key of its own, then writes
// the chain as one LUKS layer in its zone (from the other zone's pool);
// a region without a master key refuses it.
func TestCopyEncrypting(t *testing.T) {
	hvtest.RequireTool(t, "qemu-img")
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	poolB, _ := r.svc.Pool("lab-1b")
	if err := poolB.Create(context.Background(), "src.qcow2", 16<<20, storage.CreateOptions{}); err != nil {
		t.Fatalf("qemu-img: %v", err)
	}
	src := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct1, AZ: "lab-1b", Layer: "src.qcow2", State: "completed", SizeGiB: 1}
	if err := put(context.Background(), r.svc.st, prefixSnapshot+src.ID, src); err != nil {
		t.Fatal(err)
	}
	req := CopySnapshotRequest{SourceSnapshotID: src.ID, Encrypted: true}
	if _, err := r.svc.CopySnapshot(ctx, req); errCode(err) != "UnsupportedOperation" {
		t.Fatalf("without a master key: %v, want UnsupportedOperation", err)
	}
	if err := r.svc.SetMasterKey(randKey(t)); err != nil {
		t.Fatal(err)
	}
	cp, err := r.svc.CopySnapshot(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	if cp.State != "pending" || !cp.Encrypted || cp.KeyCipher == nil {
		t.Fatalf("copy = state %s encrypted %v key %v, want a pending encrypted copy with a key", cp.State, cp.Encrypted, cp.KeyCipher != nil)
	}
	r.svc.runSnapshotCopy(context.Background(), cp.ID)
	done, _, err := store.GetJSON[Snapshot](ctx, r.svc.st, prefixSnapshot+cp.ID)
	if err != nil {
		t.Fatal(err)
	}
	poolA, _ := r.svc.Pool(done.AZ)
	info, err := poolA.Info(context.Background(), done.Layer)
	if done.State != "completed" || err != nil || !info.Encrypted || info.Backing != "" {
		t.Fatalf("copy = %+v, layer %+v (%v), want completed as one encrypted layer", done, info, err)
	}
}
