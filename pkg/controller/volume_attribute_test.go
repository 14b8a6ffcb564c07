package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestVolumeAttributes: autoEnableIO is false until set, then answered as
// set; productCodes answers no codes; bad requests change nothing.
func TestVolumeAttributes(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	v := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 1})
	foreign := r.availableVolume(t, acct2, VolumeRequest{SizeGiB: 1})
	autoIO := func() bool {
		t.Helper()
		a, err := r.svc.DescribeVolumeAttribute(ctx, v.ID, "autoEnableIO", false)
		if err != nil || a.VolumeID != v.ID || a.Attribute != "autoEnableIO" {
			t.Fatalf("DescribeVolumeAttribute: %+v %v", a, err)
		}
		return a.AutoEnableIO
	}
	on, off := true, false
	if autoIO() {
		t.Error("a new volume has autoEnableIO true, want false (EC2's default)")
	}
	if err := r.svc.ModifyVolumeAttribute(ctx, v.ID, &on, true); errCode(err) != ec2err.DryRunOperation {
		t.Fatalf("dry run: %v", err)
	}
	if autoIO() {
		t.Error("a dry run set autoEnableIO")
	}
	if err := r.svc.ModifyVolumeAttribute(ctx, v.ID, &on, false); err != nil {
		t.Fatal(err)
	}
	if !autoIO() {
		t.Error("autoEnableIO false after setting it true")
	}
	if err := r.svc.ModifyVolumeAttribute(ctx, v.ID, &off, false); err != nil || autoIO() {
		t.Errorf("after setting false: %v, autoEnableIO %v", err, autoIO())
	}
	if a, err := r.svc.DescribeVolumeAttribute(ctx, v.ID, "productCodes", false); err != nil || a.Attribute != "productCodes" {
		t.Errorf("productCodes: %+v %v", a, err)
	}

	for _, tt := range []struct {
		name string
		err  error
		code string
	}{
		{"unknown attribute", func() error { _, err := r.svc.DescribeVolumeAttribute(ctx, v.ID, "size", false); return err }(), ec2err.InvalidParameterValue},
		{"describe another account's", func() error {
			_, err := r.svc.DescribeVolumeAttribute(ctx, foreign.ID, "autoEnableIO", false)
			return err
		}(), ec2err.InvalidVolumeNotFound},
		{"describe dry run", func() error { _, err := r.svc.DescribeVolumeAttribute(ctx, v.ID, "autoEnableIO", true); return err }(), ec2err.DryRunOperation},
		{"modify another account's", r.svc.ModifyVolumeAttribute(ctx, foreign.ID, &on, false), ec2err.InvalidVolumeNotFound},
		{"modify nothing", r.svc.ModifyVolumeAttribute(ctx, v.ID, nil, false), ec2err.MissingParameter},
		{"malformed", r.svc.ModifyVolumeAttribute(ctx, "vol-1", &on, false), ec2err.InvalidVolumeIDMalformed},
	} {
		if errCode(tt.err) != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, tt.err, tt.code)
		}
	}
	if r.volume(t, v.ID).AutoEnableIO || func() bool {
		got, _ := r.svc.ownedVolume(ctxFor(acct2), acct2, foreign.ID)
		return got.AutoEnableIO
	}() {
		t.Error("a refused request changed autoEnableIO")
	}
}
