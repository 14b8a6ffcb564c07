package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

const (
	ownerA  = "000000000001" // the admin account of both regions: one tenant
	tenantB = "222222222222" // a tenant of lab-2 only
)

// TestCrossRegionCopyActsAsCaller (issue #17, the confused deputy): lab-2
// pulls from lab-1 with one peer key, but each copy acts for the account
// that asked. Tenant B of lab-2 cannot copy A's private snapshot or AMI
// from lab-1: it gets the NotFound an unknown ID gets (same code, same
// message), nothing is recorded and no layer reaches lab-2. Once A shares
// the AMI (launchPermission) B copies it, though not yet the snapshot on
// its own; once A shares the snapshot (createVolumePermission) B copies it
// too; the copies are B's. A's own copies work throughout. No guest boots.
func TestCrossRegionCopyActsAsCaller(t *testing.T) {
	requireHost(t)
	rig := startCopyRig(t)
	ctx := context.Background()
	b := rig.lab2.as(t, rig.tenantCreds, "tenant")
	snap, ami := rig.privateSnapshotAndImage(t)
	before := poolFiles(t, rig.pool2)

	wantRefused := func(stage string, snapCode, imageCode string) {
		t.Helper()
		_, err := b.Client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: snap})
		sameAsUnknown(t, stage+": CopySnapshot", err, snapCode, snap, func(id string) error {
			_, err := b.Client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: id})
			return err
		}, "snap-0123456789abcdef0")
		if imageCode == "" {
			return
		}
		_, err = b.Client.CopyImage(ctx, &v1.CopyImageRequest{SourceRegion: "lab-1", SourceImageId: ami, Name: "stolen"})
		sameAsUnknown(t, stage+": CopyImage", err, imageCode, ami, func(id string) error {
			_, err := b.Client.CopyImage(ctx, &v1.CopyImageRequest{SourceRegion: "lab-1", SourceImageId: id, Name: "stolen"})
			return err
		}, "ami-0123456789abcdef0")
	}
	wantRefused("private", ec2err.InvalidSnapshotNotFound, ec2err.InvalidAMIIDNotFound)
	if s := b.ownSnapshots(t); len(s) != 0 {
		t.Errorf("tenant B owns snapshots %v after refused copies", s)
	}
	if imgs := b.ownImages(t); len(imgs) != 0 {
		t.Errorf("tenant B owns images %v after refused copies", imgs)
	}
	if after := poolFiles(t, rig.pool2); !slices.Equal(after, before) {
		t.Errorf("lab-2's pool changed by refused copies: %v → %v", before, after)
	}

	if _, err := rig.lab1.Client.ModifyImageAttribute(ctx, &v1.ModifyImageAttributeRequest{ImageId: ami,
		LaunchPermission: &v1.LaunchPermissionModifications{Add: []*v1.LaunchPermission{{UserId: tenantB}}}}); err != nil {
		t.Fatalf("ModifyImageAttribute: %v", err)
	}
	res, err := b.Client.CopyImage(ctx, &v1.CopyImageRequest{SourceRegion: "lab-1", SourceImageId: ami, Name: "shared-with-b"})
	if err != nil {
		t.Fatalf("CopyImage of the AMI shared with B: %v", err)
	}
	if img := waitImage(t, b, res.GetImageId(), func() {}); img.GetOwnerId() != tenantB {
		t.Errorf("B's copy of the AMI is owned by %s, want %s", img.GetOwnerId(), tenantB)
	}
	wantRefused("AMI shared, snapshot not", ec2err.InvalidSnapshotNotFound, "")

	if _, err := rig.lab1.Client.ModifySnapshotAttribute(ctx, &v1.ModifySnapshotAttributeRequest{SnapshotId: snap,
		CreateVolumePermission: &v1.CreateVolumePermissionModifications{Add: []*v1.CreateVolumePermission{{UserId: tenantB}}}}); err != nil {
		t.Fatalf("ModifySnapshotAttribute: %v", err)
	}
	cp, err := b.Client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: snap})
	if err != nil {
		t.Fatalf("CopySnapshot of the snapshot shared with B: %v", err)
	}
	if sn := waitSnapshot(t, b, cp.GetSnapshotId()); sn.GetOwnerId() != tenantB {
		t.Errorf("B's copy of the snapshot is owned by %s, want %s", sn.GetOwnerId(), tenantB)
	}

	own, err := rig.lab2.Client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: snap})
	if err != nil {
		t.Fatalf("A's own CopySnapshot: %v", err)
	}
	if sn := waitSnapshot(t, rig.lab2, own.GetSnapshotId()); sn.GetOwnerId() != ownerA {
		t.Errorf("A's copy is owned by %s, want %s", sn.GetOwnerId(), ownerA)
	}
}

// privateSnapshotAndImage makes A's snapshot of a fresh volume in lab-1
// and an AMI over it, both private.
func (rig *copyRig) privateSnapshotAndImage(t *testing.T) (string, string) {
	t.Helper()
	ctx := context.Background()
	v, err := rig.lab1.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1})
	if err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	waitFor(t, "volume available", func() bool { return rig.lab1.describeVolume(t, v.GetVolumeId()).GetState() == "available" })
	sn, err := rig.lab1.Client.CreateSnapshot(ctx, &v1.CreateSnapshotRequest{VolumeId: v.GetVolumeId()})
	if err != nil {
		t.Fatalf("CreateSnapshot: %v", err)
	}
	waitSnapshot(t, rig.lab1, sn.GetSnapshotId())
	img, err := rig.lab1.Client.RegisterImage(ctx, &v1.RegisterImageRequest{Name: "private-a", RootDeviceName: "/dev/xvda",
		BlockDeviceMappings: []*v1.BlockDeviceMapping{{DeviceName: "/dev/xvda", Ebs: &v1.EbsBlockDevice{SnapshotId: sn.GetSnapshotId()}}}})
	if err != nil {
		t.Fatalf("RegisterImage: %v", err)
	}
	waitImage(t, rig.lab1, img.GetImageId(), func() {})
	return sn.GetSnapshotId(), img.GetImageId()
}

// sameAsUnknown checks that err has code and tells no more than the
// answer for an ID that does not exist: the same code and, but for the
// ID, the same message.
func sameAsUnknown(t *testing.T, what string, err error, code, id string, try func(string) error, unknown string) {
	t.Helper()
	e, ok := ec2err.As(errgrpc.ToNative(err))
	if !ok || e.Code != code {
		t.Fatalf("%s: %v, want %s", what, err, code)
	}
	u, ok := ec2err.As(errgrpc.ToNative(try(unknown)))
	if !ok || u.Code != code || strings.ReplaceAll(u.Message, unknown, id) != e.Message {
		t.Errorf("%s: %q, but an unknown ID gets %v: the answer reveals the resource exists", what, e.Message, u)
	}
}

// as is r seen through another credentials profile.
func (r *region) as(t *testing.T, creds, profile string) *region {
	t.Helper()
	k, _, err := auth.ReadCredentialsFile(creds, profile)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(r.GRPC, append(auth.SigningDialOptions(k), grpc.WithTransportCredentials(r.transport(t)))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &region{GRPC: r.GRPC, HTTP: r.HTTP, DataDir: r.DataDir, Credentials: creds, CA: r.CA, Key: k, log: r.log, Client: v1.NewComputeClient(conn)}
}

func (r *region) ownSnapshots(t *testing.T) []*v1.Snapshot {
	t.Helper()
	out, err := r.Client.DescribeSnapshots(context.Background(), &v1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
	if err != nil {
		t.Fatalf("DescribeSnapshots: %v", err)
	}
	return out.GetSnapshots()
}

func (r *region) ownImages(t *testing.T) []*v1.Image {
	t.Helper()
	out, err := r.Client.DescribeImages(context.Background(), &v1.DescribeImagesRequest{Owners: []string{"self"}})
	if err != nil {
		t.Fatalf("DescribeImages: %v", err)
	}
	return out.GetImages()
}
