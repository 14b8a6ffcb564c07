package controller

import (
	"context"
	"testing"
)

// TestInstanceViewCoresAndBootMode: an instance is described with the cores
// of its current type (one socket of single-threaded cores, as its domain is
// built) and the firmware of the image it launched from.
func TestInstanceViewCoresAndBootMode(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	img := r.image(t, r.ami)
	img.BootMode = "uefi"
	if err := put(context.Background(), r.svc.st, prefixImage+img.ID, img); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, MinCount: 1, MaxCount: 1,
		AZ: "lab-1a", InstanceType: "t3.medium"})
	if err != nil {
		t.Fatal(err)
	}
	const wantBoot = "uefi"
	in := res.Instances[0]
	if in.Cores != 2 || in.BootMode != img.BootMode || in.GuestBootMode() != wantBoot {
		t.Fatalf("RunInstances: cores %d boot %q/%q, want 2 (t3.medium) and %q/%q", in.Cores, in.BootMode, in.GuestBootMode(), img.BootMode, wantBoot)
	}
	r.drive(in.ID)
	r.stopped(t, in.ID)
	if err := r.svc.ModifyInstanceAttribute(ctxFor(acct1), InstanceAttributeChange{InstanceID: in.ID, InstanceType: new("t3.xlarge")}); err != nil {
		t.Fatal(err)
	}
	got, _, err := r.svc.DescribeInstances(ctxFor(acct1), []string{in.ID}, nil, Page{})
	if err != nil || len(got) != 1 {
		t.Fatalf("DescribeInstances: %v %v", got, err)
	}
	if got[0].Cores != 4 || got[0].GuestBootMode() != wantBoot {
		t.Errorf("after the type change: cores %d boot %q, want 4 (t3.xlarge) and %q", got[0].Cores, got[0].GuestBootMode(), wantBoot)
	}
	if stored := r.get(t, in.ID); stored.Cores != 0 {
		t.Errorf("cores stored in the record (%d): they are derived from the type", stored.Cores)
	}
}

func TestGuestBootMode(t *testing.T) {
	for image, want := range map[string]string{"": "", "bios": "legacy-bios", "uefi": "uefi", "direct-kernel": "legacy-bios"} {
		if got := (Instance{BootMode: image}).GuestBootMode(); got != want {
			t.Errorf("image boot mode %q: guest boots %q, want %q", image, got, want)
		}
	}
}
