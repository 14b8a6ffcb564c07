package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestEbsEncryptionByDefault: the setting is per account, off until
// enabled, refused where the region cannot encrypt; while on, every new
// volume of the account is encrypted (its own key, or the key of an
// encrypted snapshot) and so is a snapshot copy; turned off, new volumes
// are plain again and those made meanwhile stay encrypted.
func TestEbsEncryptionByDefault(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	get := func(acct string) bool {
		t.Helper()
		on, err := r.svc.GetEbsEncryptionByDefault(ctxFor(acct), false)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	if get(acct1) {
		t.Fatal("encryption by default is on before anyone enabled it")
	}
	if _, err := r.svc.SetEbsEncryptionByDefault(ctx, true, false); errCode(err) != ec2err.UnsupportedOperation || get(acct1) {
		t.Fatalf("enable without a master key: %v, want UnsupportedOperation and nothing changed", err)
	}
	if err := r.svc.SetMasterKey(randKey(t)); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.SetEbsEncryptionByDefault(ctx, true, true); errCode(err) != ec2err.DryRunOperation || get(acct1) {
		t.Fatalf("dry run: %v, on %v", err, get(acct1))
	}
	if on, err := r.svc.SetEbsEncryptionByDefault(ctx, true, false); err != nil || !on || !get(acct1) {
		t.Fatalf("enable: %v %v", on, err)
	}
	if get(acct2) {
		t.Error("enabling for account 1 turned it on for account 2")
	}

	plainSnap := r.snapshotFor(t, acct1, 1)
	encSnap := r.snapshotFor(t, acct1, 1)
	encKey, err := r.svc.newSealedKey()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := update(ctx, r.svc.st, prefixSnapshot+encSnap.ID, func(sn *Snapshot) error {
		sn.Encrypted, sn.KeyCipher = true, encKey
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	newVolume := func(acct string, req VolumeRequest) Volume {
		t.Helper()
		req.AZ = "lab-1a"
		v, err := r.svc.CreateVolume(ctxFor(acct), req)
		if err != nil {
			t.Fatal(err)
		}
		return r.svcVolume(t, acct, v.ID)
	}
	blank := newVolume(acct1, VolumeRequest{SizeGiB: 1})
	fromPlain := newVolume(acct1, VolumeRequest{SnapshotID: plainSnap.ID})
	fromEnc := newVolume(acct1, VolumeRequest{SnapshotID: encSnap.ID})
	other := newVolume(acct2, VolumeRequest{SizeGiB: 1})
	for name, v := range map[string]Volume{"blank": blank, "of a plain snapshot": fromPlain, "of an encrypted snapshot": fromEnc} {
		if !v.Encrypted || len(v.KeyCipher) == 0 {
			t.Errorf("volume %s: encrypted %v, key %d bytes; want encrypted with a key", name, v.Encrypted, len(v.KeyCipher))
		}
	}
	if string(fromEnc.KeyCipher) != string(encKey) || string(blank.KeyCipher) == string(fromPlain.KeyCipher) {
		t.Error("keys: a volume of an encrypted snapshot must have its key, others their own")
	}
	if other.Encrypted {
		t.Error("account 2's volume is encrypted by account 1's setting")
	}

	in := r.launched(t, RunRequest{Devices: []DeviceOverride{{DeviceName: "/dev/sdf", SizeGiB: 1}}})
	for _, bd := range in.BlockDevices {
		if v := r.svcVolume(t, acct1, bd.VolumeID); !v.Encrypted || len(v.KeyCipher) == 0 {
			t.Errorf("launch volume %s (%s) is not encrypted", bd.VolumeID, bd.DeviceName)
		}
	}
	cp, err := r.svc.CopySnapshot(ctx, CopySnapshotRequest{SourceSnapshotID: plainSnap.ID})
	if err != nil || !cp.Encrypted || len(cp.KeyCipher) == 0 {
		t.Errorf("copy of a plain snapshot: encrypted %v key %d bytes (%v), want encrypted", cp.Encrypted, len(cp.KeyCipher), err)
	}

	if on, err := r.svc.SetEbsEncryptionByDefault(ctx, false, false); err != nil || on || get(acct1) {
		t.Fatalf("disable: %v %v", on, err)
	}
	if v := newVolume(acct1, VolumeRequest{SizeGiB: 1}); v.Encrypted {
		t.Error("a volume made after disabling is encrypted")
	}
	if v := r.svcVolume(t, acct1, blank.ID); !v.Encrypted {
		t.Error("disabling decrypted a volume made while enabled")
	}
	if v := newVolume(acct1, VolumeRequest{SizeGiB: 1, Encrypted: true}); !v.Encrypted {
		t.Error("Encrypted=true is ignored while encryption by default is off")
	}
}

func (r *rig) svcVolume(t *testing.T, acct, id string) Volume {
	t.Helper()
	v, err := r.svc.ownedVolume(ctxFor(acct), acct, id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestEbsDefaultKMSKeyID: the default key is the region's own, named as
// EC2's managed key; there is no KMS to choose or reset another.
func TestEbsDefaultKMSKeyID(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	if _, err := r.svc.GetEbsDefaultKMSKeyID(ctx, false); errCode(err) != ec2err.UnsupportedOperation {
		t.Errorf("without a master key: %v, want UnsupportedOperation", err)
	}
	if err := r.svc.SetMasterKey(randKey(t)); err != nil {
		t.Fatal(err)
	}
	if id, err := r.svc.GetEbsDefaultKMSKeyID(ctx, false); err != nil || id != "alias/aws/ebs" {
		t.Errorf("GetEbsDefaultKMSKeyID = %q, %v; want alias/aws/ebs", id, err)
	}
	if _, err := r.svc.GetEbsDefaultKMSKeyID(ctx, true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("dry run: %v", err)
	}
	if _, err := r.svc.ModifyEbsDefaultKMSKeyID(ctx); errCode(err) != ec2err.UnsupportedOperation {
		t.Errorf("modify: %v, want UnsupportedOperation", err)
	}
	if _, err := r.svc.ResetEbsDefaultKMSKeyID(ctx); errCode(err) != ec2err.UnsupportedOperation {
		t.Errorf("reset: %v, want UnsupportedOperation", err)
	}
}

// TestCreateVolumeRetryWithDefaults: a retry of a CreateVolume with a
// client token, given exactly as the first call (no type: the default),
// answers the same volume instead of IdempotentParameterMismatch.
func TestCreateVolumeRetryWithDefaults(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	req := VolumeRequest{AZ: "lab-1a", SizeGiB: 1, ClientToken: "retry-me"}
	first, err := r.svc.CreateVolume(ctxFor(acct1), req)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.svc.CreateVolume(ctxFor(acct1), req)
	if err != nil || again.ID != first.ID {
		t.Fatalf("retry: %s %v, want %s", again.ID, err, first.ID)
	}
	req.SizeGiB = 2
	if _, err := r.svc.CreateVolume(ctxFor(acct1), req); errCode(err) != ec2err.IdempotentParameterMismatch {
		t.Errorf("other parameters under the same token: %v, want IdempotentParameterMismatch", err)
	}
}
