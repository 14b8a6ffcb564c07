package controller_test

import (
	"context"
	"crypto/rand"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestSnapshotSharingThroughTheQueryAPI: with aws-sdk-go-v2 against a real
// controller, account 1 shares a snapshot with account 2, which then lists
// it (RestorableBy self) and creates a volume from it, but may not read its
// permissions; unshared, account 2 no longer finds it.
func TestSnapshotSharingThroughTheQueryAPI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1, rig.Acct2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	owner, other := e.sdk[rig.Acct1], e.sdk[rig.Acct2]
	snap := rig.CompletedSnapshot(t, rig.Acct1)
	createFrom := func() error {
		_, err := other.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("lab-1a"), SnapshotId: aws.String(snap)})
		return err
	}
	if err := createFrom(); sdkOutcome(err).code != ec2err.InvalidSnapshotNotFound {
		t.Fatalf("account 2 creates a volume from an unshared snapshot: %v", err)
	}

	if _, err := owner.ModifySnapshotAttribute(ctx, &ec2.ModifySnapshotAttributeInput{SnapshotId: aws.String(snap),
		CreateVolumePermission: &types.CreateVolumePermissionModifications{
			Add: []types.CreateVolumePermission{{UserId: aws.String(rig.Acct2)}}}}); err != nil {
		t.Fatal(err)
	}
	attr, err := owner.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{SnapshotId: aws.String(snap),
		Attribute: types.SnapshotAttributeNameCreateVolumePermission})
	if err != nil || len(attr.CreateVolumePermissions) != 1 || aws.ToString(attr.CreateVolumePermissions[0].UserId) != rig.Acct2 {
		t.Fatalf("owner reads the permissions: %+v %v", attr, err)
	}
	listed, err := other.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{RestorableByUserIds: []string{"self"}})
	if err != nil || len(listed.Snapshots) != 1 || aws.ToString(listed.Snapshots[0].OwnerId) != rig.Acct1 {
		t.Fatalf("account 2 lists %+v %v, want account 1's shared snapshot", listed, err)
	}
	if err := createFrom(); err != nil {
		t.Fatalf("account 2 creates a volume from the shared snapshot: %v", err)
	}
	_, err = other.DescribeSnapshotAttribute(ctx, &ec2.DescribeSnapshotAttributeInput{SnapshotId: aws.String(snap),
		Attribute: types.SnapshotAttributeNameCreateVolumePermission})
	if got := sdkOutcome(err); got.code != ec2err.AuthFailure {
		t.Errorf("account 2 reads the permissions: %+v", got)
	}

	if _, err := owner.ResetSnapshotAttribute(ctx, &ec2.ResetSnapshotAttributeInput{SnapshotId: aws.String(snap),
		Attribute: types.SnapshotAttributeNameCreateVolumePermission}); err != nil {
		t.Fatal(err)
	}
	_, err = other.DescribeSnapshots(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{snap}})
	if got := sdkOutcome(err); got.code != ec2err.InvalidSnapshotNotFound {
		t.Errorf("account 2 names the unshared snapshot: %+v", got)
	}
}

// TestVolumeOperationsThroughTheQueryAPI: encryption by default, a volume
// modification, status checks and autoEnableIO, with aws-sdk-go-v2 against
// a real controller.
func TestVolumeOperationsThroughTheQueryAPI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := e.sdk[rig.Acct1]
	master := make([]byte, controller.MasterKeyLen)
	if _, err := rand.Read(master); err != nil {
		t.Fatal(err)
	}
	if err := rig.Svc.SetMasterKey(master); err != nil {
		t.Fatal(err)
	}

	on, err := c.EnableEbsEncryptionByDefault(ctx, &ec2.EnableEbsEncryptionByDefaultInput{})
	if err != nil || !aws.ToBool(on.EbsEncryptionByDefault) {
		t.Fatalf("enable: %+v %v", on, err)
	}
	v, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("lab-1a"), Size: aws.Int32(1)})
	if err != nil || !aws.ToBool(v.Encrypted) {
		t.Fatalf("a volume made with encryption by default: %+v %v, want encrypted", v, err)
	}
	key, err := c.GetEbsDefaultKmsKeyId(ctx, &ec2.GetEbsDefaultKmsKeyIdInput{})
	if err != nil || aws.ToString(key.KmsKeyId) != "alias/aws/ebs" {
		t.Errorf("default key: %+v %v", key, err)
	}
	if _, err := c.ModifyEbsDefaultKmsKeyId(ctx, &ec2.ModifyEbsDefaultKmsKeyIdInput{KmsKeyId: aws.String("alias/mine")}); sdkOutcome(err).code != ec2err.UnsupportedOperation {
		t.Errorf("modify the default key: %v", err)
	}

	st, err := c.DescribeVolumeStatus(ctx, &ec2.DescribeVolumeStatusInput{VolumeIds: []string{rig.Volume}})
	if err != nil || len(st.VolumeStatuses) != 1 || st.VolumeStatuses[0].VolumeStatus.Status != types.VolumeStatusInfoStatusOk {
		t.Fatalf("status of the available volume: %+v %v", st, err)
	}
	if d := st.VolumeStatuses[0].VolumeStatus.Details; len(d) != 2 || d[0].Name != types.VolumeStatusNameIoEnabled ||
		aws.ToString(d[0].Status) != "passed" || aws.ToString(d[1].Status) != "not-applicable" {
		t.Errorf("details %+v, want io-enabled passed and io-performance not-applicable (gp3)", d)
	}

	if _, err := c.ModifyVolume(ctx, &ec2.ModifyVolumeInput{VolumeId: aws.String(rig.Volume), VolumeType: types.VolumeTypeGp2}); err != nil {
		t.Fatal(err)
	}
	mods, err := c.DescribeVolumesModifications(ctx, &ec2.DescribeVolumesModificationsInput{VolumeIds: []string{rig.Volume}})
	if err != nil || len(mods.VolumesModifications) != 1 {
		t.Fatalf("modifications: %+v %v", mods, err)
	}
	if m := mods.VolumesModifications[0]; m.ModificationState != types.VolumeModificationStateCompleted ||
		m.OriginalVolumeType != types.VolumeTypeGp3 || m.TargetVolumeType != types.VolumeTypeGp2 || m.EndTime == nil {
		t.Errorf("modification %+v, want completed gp3 → gp2 with an end time", m)
	}

	if _, err := c.ModifyVolumeAttribute(ctx, &ec2.ModifyVolumeAttributeInput{VolumeId: aws.String(rig.Volume),
		AutoEnableIO: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	a, err := c.DescribeVolumeAttribute(ctx, &ec2.DescribeVolumeAttributeInput{VolumeId: aws.String(rig.Volume),
		Attribute: types.VolumeAttributeNameAutoEnableIO})
	if err != nil || a.AutoEnableIO == nil || !aws.ToBool(a.AutoEnableIO.Value) {
		t.Errorf("autoEnableIO: %+v %v, want true", a, err)
	}
}
