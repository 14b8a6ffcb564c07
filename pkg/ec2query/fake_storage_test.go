package ec2query

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// The fake Compute's volume modifications, status checks and attributes,
// snapshot sharing and EBS encryption by default (storage_ops_test.go,
// testdata/storage_ops.py assert these answers).

// foreignSnapshot belongs to another account: the snapshot attribute
// actions answer AuthFailure for it.
const foreignSnapshot = "snap-0000000000000f00d"

func (f *fakeCompute) DescribeVolumesModifications(ctx context.Context, r *ec2labv1.DescribeVolumesModificationsRequest) (*ec2labv1.DescribeVolumesModificationsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeVolumesModificationsResponse{VolumesModifications: []*ec2labv1.VolumeModification{{
		VolumeId: fakeVolume, ModificationState: "completed", OriginalSize: 8, TargetSize: 16,
		OriginalVolumeType: "gp2", TargetVolumeType: "gp3", OriginalIops: 100, TargetIops: 3000,
		OriginalThroughput: 250, TargetThroughput: 125, Progress: 100, StartTime: fakeTime, EndTime: fakeTime,
	}, {
		VolumeId: fakeRootVol, ModificationState: "failed", StatusMessage: "resize failed: no space left",
		OriginalSize: 8, TargetSize: 100, OriginalVolumeType: "gp3", TargetVolumeType: "gp3", OriginalIops: 3000,
		TargetIops: 3000, OriginalThroughput: 125, TargetThroughput: 125, StartTime: fakeTime, EndTime: fakeTime,
	}}, NextToken: "next-page"}, nil
}

func (f *fakeCompute) DescribeVolumeStatus(ctx context.Context, r *ec2labv1.DescribeVolumeStatusRequest) (*ec2labv1.DescribeVolumeStatusResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeVolumeStatusResponse{VolumeStatuses: []*ec2labv1.VolumeStatusItem{{
		VolumeId: fakeVolume, AvailabilityZone: fakeZone, Status: "ok",
		Details: []*ec2labv1.VolumeStatusDetail{{Name: "io-enabled", Status: "passed"},
			{Name: "io-performance", Status: "insufficient-data"}},
		AttachmentStatuses: []*ec2labv1.VolumeStatusAttachmentStatus{{InstanceId: fakeInstance, IoPerformance: "insufficient-data"}},
	}, {
		VolumeId: fakeRootVol, AvailabilityZone: fakeZone, Status: "impaired",
		Details: []*ec2labv1.VolumeStatusDetail{{Name: "io-enabled", Status: "failed"}},
	}}}, nil
}

func (f *fakeCompute) DescribeVolumeAttribute(ctx context.Context, r *ec2labv1.DescribeVolumeAttributeRequest) (*ec2labv1.VolumeAttribute, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	out := &ec2labv1.VolumeAttribute{VolumeId: r.GetVolumeId(), Attribute: r.GetAttribute()}
	if r.GetAttribute() == "autoEnableIO" {
		out.AutoEnableIo = &ec2labv1.AttributeBooleanValue{Value: true}
	}
	return out, nil
}

func (f *fakeCompute) ModifyVolumeAttribute(ctx context.Context, r *ec2labv1.ModifyVolumeAttributeRequest) (*ec2labv1.ModifyVolumeAttributeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.ModifyVolumeAttributeResponse{}, nil
}

func notSnapshotOwner(id string) error {
	return ec2err.New(ec2err.AuthFailure, "Not authorized for snapshot:%s", id)
}

func (f *fakeCompute) DescribeSnapshotAttribute(ctx context.Context, r *ec2labv1.DescribeSnapshotAttributeRequest) (*ec2labv1.SnapshotAttribute, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetSnapshotId() == foreignSnapshot {
		return nil, notSnapshotOwner(r.GetSnapshotId())
	}
	out := &ec2labv1.SnapshotAttribute{SnapshotId: r.GetSnapshotId(), Attribute: r.GetAttribute()}
	if r.GetAttribute() == "createVolumePermission" {
		out.CreateVolumePermissions = []*ec2labv1.CreateVolumePermission{{Group: "all"}, {UserId: "222222222222"}}
	}
	return out, nil
}

func (f *fakeCompute) ModifySnapshotAttribute(ctx context.Context, r *ec2labv1.ModifySnapshotAttributeRequest) (*ec2labv1.ModifySnapshotAttributeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetSnapshotId() == foreignSnapshot {
		return nil, notSnapshotOwner(r.GetSnapshotId())
	}
	return &ec2labv1.ModifySnapshotAttributeResponse{}, nil
}

func (f *fakeCompute) ResetSnapshotAttribute(ctx context.Context, r *ec2labv1.ResetSnapshotAttributeRequest) (*ec2labv1.ResetSnapshotAttributeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.ResetSnapshotAttributeResponse{}, nil
}

func (f *fakeCompute) GetEbsEncryptionByDefault(ctx context.Context, r *ec2labv1.GetEbsEncryptionByDefaultRequest) (*ec2labv1.EbsEncryptionByDefault, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.EbsEncryptionByDefault{EbsEncryptionByDefault: true}, nil
}

func (f *fakeCompute) EnableEbsEncryptionByDefault(ctx context.Context, r *ec2labv1.EnableEbsEncryptionByDefaultRequest) (*ec2labv1.EbsEncryptionByDefault, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.EbsEncryptionByDefault{EbsEncryptionByDefault: true}, nil
}

func (f *fakeCompute) DisableEbsEncryptionByDefault(ctx context.Context, r *ec2labv1.DisableEbsEncryptionByDefaultRequest) (*ec2labv1.EbsEncryptionByDefault, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.EbsEncryptionByDefault{}, nil
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) GetEbsDefaultKmsKeyId(ctx context.Context, r *ec2labv1.GetEbsDefaultKmsKeyIdRequest) (*ec2labv1.EbsDefaultKmsKeyId, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.EbsDefaultKmsKeyId{KmsKeyId: "alias/aws/ebs"}, nil
}

func noKMS() error {
	return ec2err.New(ec2err.UnsupportedOperation, "The default KMS key cannot be changed: ec2lab has no KMS")
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) ModifyEbsDefaultKmsKeyId(ctx context.Context, r *ec2labv1.ModifyEbsDefaultKmsKeyIdRequest) (*ec2labv1.EbsDefaultKmsKeyId, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return nil, noKMS()
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) ResetEbsDefaultKmsKeyId(ctx context.Context, r *ec2labv1.ResetEbsDefaultKmsKeyIdRequest) (*ec2labv1.EbsDefaultKmsKeyId, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return nil, noKMS()
}
