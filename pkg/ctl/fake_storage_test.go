package ctl

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// The fake's volume modifications, status checks and attributes, snapshot
// sharing and EBS encryption by default; each call is kept in lastReq.
// Errors are native: the harness's gRPC server turns them into statuses,
// as ec2d does, and the Query API handler of the AWS CLI tests reads them.

// foreignSnapshot belongs to another account: the fake answers AuthFailure.
const foreignSnapshot = "snap-0000000000000f00d"

func (f *fakeCompute) keep(m proto.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastReq = proto.Clone(m)
}

func (f *fakeCompute) DescribeVolumesModifications(_ context.Context, req *pb.DescribeVolumesModificationsRequest) (*pb.DescribeVolumesModificationsResponse, error) {
	f.keep(req)
	return &pb.DescribeVolumesModificationsResponse{VolumesModifications: []*pb.VolumeModification{{
		VolumeId: "vol-0bbbbbbbbbbbbbbb2", ModificationState: "completed", OriginalSize: 2, TargetSize: 4,
		OriginalVolumeType: "gp2", TargetVolumeType: "gp3", OriginalIops: 100, TargetIops: 3000,
		OriginalThroughput: 250, TargetThroughput: 125, Progress: 100, StartTime: t0, EndTime: t0,
	}}}, nil
}

func (f *fakeCompute) DescribeVolumeStatus(_ context.Context, req *pb.DescribeVolumeStatusRequest) (*pb.DescribeVolumeStatusResponse, error) {
	f.keep(req)
	return &pb.DescribeVolumeStatusResponse{VolumeStatuses: []*pb.VolumeStatusItem{{
		VolumeId: "vol-0aaaaaaaaaaaaaaa1", AvailabilityZone: "lab-1a", Status: "ok",
		Details:            []*pb.VolumeStatusDetail{{Name: "io-enabled", Status: "passed"}, {Name: "io-performance", Status: "insufficient-data"}},
		AttachmentStatuses: []*pb.VolumeStatusAttachmentStatus{{InstanceId: "i-0123456789abcdef0", IoPerformance: "insufficient-data"}},
	}, {
		VolumeId: "vol-0bbbbbbbbbbbbbbb2", AvailabilityZone: "lab-1a", Status: "ok",
		Details: []*pb.VolumeStatusDetail{{Name: "io-enabled", Status: "passed"}},
	}}}, nil
}

func (f *fakeCompute) DescribeVolumeAttribute(_ context.Context, req *pb.DescribeVolumeAttributeRequest) (*pb.VolumeAttribute, error) {
	f.keep(req)
	out := &pb.VolumeAttribute{VolumeId: req.GetVolumeId(), Attribute: req.GetAttribute()}
	if req.GetAttribute() == "autoEnableIO" {
		out.AutoEnableIo = &pb.AttributeBooleanValue{}
	}
	return out, nil
}

func (f *fakeCompute) ModifyVolumeAttribute(_ context.Context, req *pb.ModifyVolumeAttributeRequest) (*pb.ModifyVolumeAttributeResponse, error) {
	f.keep(req)
	return &pb.ModifyVolumeAttributeResponse{}, nil
}

func (f *fakeCompute) DescribeSnapshotAttribute(_ context.Context, req *pb.DescribeSnapshotAttributeRequest) (*pb.SnapshotAttribute, error) {
	f.keep(req)
	if req.GetSnapshotId() == foreignSnapshot {
		return nil, ec2err.New(ec2err.AuthFailure, "Not authorized for snapshot:%s", req.GetSnapshotId())
	}
	out := &pb.SnapshotAttribute{SnapshotId: req.GetSnapshotId(), Attribute: req.GetAttribute()}
	if req.GetAttribute() == "createVolumePermission" {
		out.CreateVolumePermissions = []*pb.CreateVolumePermission{{Group: "all"}, {UserId: "222222222222"}}
	}
	return out, nil
}

func (f *fakeCompute) ModifySnapshotAttribute(_ context.Context, req *pb.ModifySnapshotAttributeRequest) (*pb.ModifySnapshotAttributeResponse, error) {
	f.keep(req)
	if req.GetSnapshotId() == foreignSnapshot {
		return nil, ec2err.New(ec2err.AuthFailure, "Not authorized for snapshot:%s", req.GetSnapshotId())
	}
	return &pb.ModifySnapshotAttributeResponse{}, nil
}

func (f *fakeCompute) ResetSnapshotAttribute(_ context.Context, req *pb.ResetSnapshotAttributeRequest) (*pb.ResetSnapshotAttributeResponse, error) {
	f.keep(req)
	return &pb.ResetSnapshotAttributeResponse{}, nil
}

func (f *fakeCompute) GetEbsEncryptionByDefault(_ context.Context, req *pb.GetEbsEncryptionByDefaultRequest) (*pb.EbsEncryptionByDefault, error) {
	f.keep(req)
	return &pb.EbsEncryptionByDefault{}, nil
}

func (f *fakeCompute) EnableEbsEncryptionByDefault(_ context.Context, req *pb.EnableEbsEncryptionByDefaultRequest) (*pb.EbsEncryptionByDefault, error) {
	f.keep(req)
	return &pb.EbsEncryptionByDefault{EbsEncryptionByDefault: true}, nil
}

func (f *fakeCompute) DisableEbsEncryptionByDefault(_ context.Context, req *pb.DisableEbsEncryptionByDefaultRequest) (*pb.EbsEncryptionByDefault, error) {
	f.keep(req)
	return &pb.EbsEncryptionByDefault{}, nil
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) GetEbsDefaultKmsKeyId(_ context.Context, req *pb.GetEbsDefaultKmsKeyIdRequest) (*pb.EbsDefaultKmsKeyId, error) {
	f.keep(req)
	return &pb.EbsDefaultKmsKeyId{KmsKeyId: "alias/aws/ebs"}, nil
}

func noKMS() error {
	return ec2err.New(ec2err.UnsupportedOperation, "The default KMS key cannot be changed: ec2lab has no KMS")
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) ModifyEbsDefaultKmsKeyId(_ context.Context, req *pb.ModifyEbsDefaultKmsKeyIdRequest) (*pb.EbsDefaultKmsKeyId, error) {
	f.keep(req)
	return nil, noKMS()
}

//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (f *fakeCompute) ResetEbsDefaultKmsKeyId(_ context.Context, req *pb.ResetEbsDefaultKmsKeyIdRequest) (*pb.EbsDefaultKmsKeyId, error) {
	f.keep(req)
	return nil, noKMS()
}
