package controller

import (
	"context"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestCopySourceActsForCaller: what a cross-region copy may read in the
// source region is what the account that asked for it may read here
// (auth.ActAs makes the source act for that account): its own snapshot or
// image, one shared with it or with all, the snapshot of an image it may
// launch. One not shared with it, shared
// with someone else, or not there at all answers the same NotFound.
func TestCopySourceActsForCaller(t *testing.T) {
	tests := []struct {
		name     string
		caller   string
		snapTo   []VolumePermission // createVolumePermission the owner adds
		imageTo  []LaunchPermission // launchPermission the owner adds
		unknown  bool               // the caller names IDs that do not exist
		readable bool
	}{
		{name: "owner", caller: acct1, readable: true},
		{name: "not shared", caller: acct2},
		{name: "shared with the caller", caller: acct2, snapTo: []VolumePermission{grantee(acct2)},
			imageTo: []LaunchPermission{user(acct2)}, readable: true},
		{name: "image shared with the caller: its snapshot comes along", caller: acct2, imageTo: []LaunchPermission{user(acct2)}, readable: true},
		{name: "shared with all", caller: acct2, snapTo: []VolumePermission{public}, imageTo: []LaunchPermission{everyone}, readable: true},
		{name: "shared with another account", caller: acct2, snapTo: []VolumePermission{grantee(acct3)}, imageTo: []LaunchPermission{user(acct3)}},
		{name: "unknown IDs", caller: acct1, unknown: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
			snap := r.snapshotFor(t, acct1, 1)
			img := Image{ID: ids.New(ids.Image), Owner: acct1, Name: "private", State: "available", AZ: "lab-1a",
				Devices: []ImageDevice{{DeviceName: "/dev/xvda", SnapshotID: snap.ID, SizeGiB: 1}}}
			if err := put(context.Background(), r.svc.st, prefixImage+img.ID, img); err != nil {
				t.Fatal(err)
			}
			if len(tt.snapTo) > 0 {
				if err := r.shareSnapshot(acct1, snap.ID, tt.snapTo...); err != nil {
					t.Fatal(err)
				}
			}
			if len(tt.imageTo) > 0 {
				if err := r.modify(t, acct1, ImageAttributeChange{ImageID: img.ID, Add: tt.imageTo}); err != nil {
					t.Fatal(err)
				}
			}
			snapID, imgID := snap.ID, img.ID
			if tt.unknown {
				snapID, imgID = ids.New(ids.Snapshot), ids.New(ids.Image)
			}
			ctx := ctxFor(tt.caller)
			_, snapErr := r.svc.copySource(ctx, snapID)
			_, imgErr := r.svc.ImageFiles(ctx, imgID)
			snapWant, imgWant := ec2err.InvalidSnapshotNotFound, ec2err.InvalidAMIIDNotFound
			if tt.readable {
				snapWant, imgWant = "", ""
			}
			if got := errCode(snapErr); got != snapWant {
				t.Errorf("snapshot as %s: %q (%v), want %q", tt.caller, got, snapErr, snapWant)
			}
			if got := errCode(imgErr); got != imgWant {
				t.Errorf("image files as %s: %q (%v), want %q", tt.caller, got, imgErr, imgWant)
			}
		})
	}
}
