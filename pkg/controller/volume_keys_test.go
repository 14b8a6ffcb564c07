package controller

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/ids"
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
	if err := r.svc.materialize(context.Background(), ag, v1); err != nil {
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
