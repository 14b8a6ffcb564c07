package controller

import (
	"context"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// snapshotFor stores a completed snapshot of owner in lab-1a.
func (r *rig) snapshotFor(t *testing.T, owner string, sizeGiB int32) Snapshot {
	t.Helper()
	snap := Snapshot{ID: ids.New(ids.Snapshot), Owner: owner, VolumeID: "vol-ffffffff", AZ: "lab-1a", State: "completed",
		Progress: "100%", SizeGiB: sizeGiB}
	snap.Layer = snap.ID + ".qcow2"
	if err := put(context.Background(), r.svc.st, prefixSnapshot+snap.ID, snap); err != nil {
		t.Fatal(err)
	}
	return snap
}

// TestRegisterImageFromSnapshots: EC2's RegisterImage with block device
// mappings over the caller's snapshots makes an AMI without copying; bad
// requests are refused with EC2's codes and record nothing; instances
// launch from it with the mapped devices.
func TestRegisterImageFromSnapshots(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	root, data, foreign := r.snapshotFor(t, acct1, 1), r.snapshotFor(t, acct1, 4), r.snapshotFor(t, acct2, 1)
	no := false
	dev := func(name, snap string, size int32) RegisterDevice {
		return RegisterDevice{DeviceName: name, SnapshotID: snap, SizeGiB: size}
	}
	for _, bad := range []struct {
		name string
		req  RegisterRequest
		code string
	}{
		{"nothing to register", RegisterRequest{Name: "xyz"}, "MissingParameter"},
		{"location and snapshots", RegisterRequest{Name: "xyz", Location: "/tmp", Devices: []RegisterDevice{dev("/dev/xvda", root.ID, 0)}}, "InvalidParameterCombination"},
		{"another account's snapshot", RegisterRequest{Name: "xyz", Devices: []RegisterDevice{dev("/dev/xvda", foreign.ID, 0)}}, "InvalidSnapshot.NotFound"},
		{"no root mapping", RegisterRequest{Name: "xyz", Devices: []RegisterDevice{dev("/dev/xvdb", data.ID, 0)}}, "InvalidParameterValue"},
		{"smaller than the snapshot", RegisterRequest{Name: "xyz", Devices: []RegisterDevice{dev("/dev/xvda", data.ID, 2)}}, "InvalidParameterValue"},
		{"bad boot mode", RegisterRequest{Name: "xyz", BootMode: "coreboot", Devices: []RegisterDevice{dev("/dev/xvda", root.ID, 0)}}, "InvalidParameterValue"},
		{"bad architecture", RegisterRequest{Name: "xyz", Architecture: "mips", Devices: []RegisterDevice{dev("/dev/xvda", root.ID, 0)}}, "InvalidParameterValue"},
	} {
		if _, err := r.svc.RegisterImage(ctx, bad.req); errCode(err) != bad.code {
			t.Errorf("%s: %v, want %s", bad.name, err, bad.code)
		}
	}
	if imgs, _, _ := r.svc.DescribeImages(ctx, nil, []string{"self"}, nil, nil, Page{}); len(imgs) != 1 {
		t.Fatalf("refused requests recorded images: %v", imgs)
	}

	data2 := dev("/dev/xvdb", data.ID, 8)
	data2.DeleteOnTermination = &no
	img, err := r.svc.RegisterImage(ctx, RegisterRequest{Name: "from-snaps", BootMode: "uefi-preferred",
		Devices: []RegisterDevice{dev("/dev/xvda", root.ID, 2), data2}})
	if err != nil {
		t.Fatal(err)
	}
	if img.BootMode != "uefi" || img.RootDeviceName != "/dev/xvda" || img.AZ != "lab-1a" || len(img.Devices) != 2 ||
		img.Devices[0].SnapshotID != root.ID || img.Devices[0].SizeGiB != 2 || !img.Devices[0].DeleteOnTermination ||
		img.Devices[1].SizeGiB != 8 || img.Devices[1].DeleteOnTermination {
		t.Fatalf("registered image %+v", img)
	}
	if _, err := r.svc.RegisterImage(ctx, RegisterRequest{Name: "from-snaps", Devices: []RegisterDevice{dev("/dev/xvda", root.ID, 0)}}); errCode(err) != "InvalidAMIName.Duplicate" {
		t.Errorf("second image named from-snaps: %v", err)
	}

	res, err := r.svc.RunInstances(ctx, RunRequest{ImageID: img.ID, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1a"})
	if err != nil {
		t.Fatal(err)
	}
	in := r.get(t, res.Instances[0].ID)
	if len(in.BlockDevices) != 2 {
		t.Fatalf("instance block devices %+v, want the image's two", in.BlockDevices)
	}
	for i, bd := range in.BlockDevices {
		v := r.volume(t, bd.VolumeID)
		if v.SnapshotID != img.Devices[i].SnapshotID || v.SizeGiB != img.Devices[i].SizeGiB {
			t.Errorf("device %d: volume %+v, want an overlay of %s of %d GiB", i, v, img.Devices[i].SnapshotID, img.Devices[i].SizeGiB)
		}
	}
}
