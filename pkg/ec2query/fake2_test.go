package ec2query

import (
	"context"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Catalog, key pair, tag, volume, snapshot and image answers of fakeCompute.

func (f *fakeCompute) DescribeInstanceTypes(ctx context.Context, r *ec2labv1.DescribeInstanceTypesRequest) (*ec2labv1.DescribeInstanceTypesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeInstanceTypesResponse{InstanceTypes: []*ec2labv1.InstanceTypeInfo{
		{InstanceType: "t3.micro", Vcpus: 2, MemoryMib: 1024, Burstable: true, Architectures: []string{"x86_64"},
			Hypervisor: "kvm", CurrentGeneration: true},
		{InstanceType: "g4dn.xlarge", Vcpus: 4, MemoryMib: 16384, InstanceStoreGb: 125, InstanceStoreDisks: 1,
			InstanceStoreType: "ssd", Gpus: 1, GpuName: "T4", Architectures: []string{"x86_64"}, CurrentGeneration: true},
	}}, nil
}

func (f *fakeCompute) DescribeRegions(ctx context.Context, r *ec2labv1.DescribeRegionsRequest) (*ec2labv1.DescribeRegionsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeRegionsResponse{Regions: []*ec2labv1.Region{
		{RegionName: "lab-1", Endpoint: "127.0.0.1:8787", OptInStatus: "opt-in-not-required"}}}, nil
}

func (f *fakeCompute) DescribeAvailabilityZones(ctx context.Context, r *ec2labv1.DescribeAvailabilityZonesRequest) (*ec2labv1.DescribeAvailabilityZonesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeAvailabilityZonesResponse{AvailabilityZones: []*ec2labv1.AvailabilityZone{
		{ZoneName: fakeZone, ZoneId: "lab1-az1", State: "available", RegionName: "lab-1", ZoneType: "availability-zone",
			Messages: []string{"all good"}, NetworkBorderGroup: "lab-1", GroupName: "lab-1-zg-1", OptInStatus: "opt-in-not-required"}}}, nil
}

func cannedKeyPair() *ec2labv1.KeyPair {
	return &ec2labv1.KeyPair{KeyName: "lab", KeyPairId: fakeKeyPairID, KeyFingerprint: "ab:cd:ef", KeyType: "ed25519",
		KeyMaterial: "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n",
		PublicKey:   "ssh-ed25519 AAAA lab", CreateTime: fakeTime, Tags: []*ec2labv1.Tag{{Key: "team", Value: "infra"}}}
}

func (f *fakeCompute) CreateKeyPair(ctx context.Context, r *ec2labv1.CreateKeyPairRequest) (*ec2labv1.KeyPair, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return cannedKeyPair(), nil
}

func (f *fakeCompute) ImportKeyPair(ctx context.Context, r *ec2labv1.ImportKeyPairRequest) (*ec2labv1.KeyPair, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	k := cannedKeyPair()
	k.KeyMaterial = ""
	return k, nil
}

func (f *fakeCompute) DescribeKeyPairs(ctx context.Context, r *ec2labv1.DescribeKeyPairsRequest) (*ec2labv1.DescribeKeyPairsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	k := cannedKeyPair()
	k.KeyMaterial = ""
	return &ec2labv1.DescribeKeyPairsResponse{KeyPairs: []*ec2labv1.KeyPair{k}}, nil
}

func (f *fakeCompute) DeleteKeyPair(ctx context.Context, r *ec2labv1.DeleteKeyPairRequest) (*ec2labv1.DeleteKeyPairResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DeleteKeyPairResponse{}, nil
}

func (f *fakeCompute) CreateTags(ctx context.Context, r *ec2labv1.CreateTagsRequest) (*ec2labv1.CreateTagsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.CreateTagsResponse{}, nil
}

func (f *fakeCompute) DeleteTags(ctx context.Context, r *ec2labv1.DeleteTagsRequest) (*ec2labv1.DeleteTagsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DeleteTagsResponse{}, nil
}

func (f *fakeCompute) DescribeTags(ctx context.Context, r *ec2labv1.DescribeTagsRequest) (*ec2labv1.DescribeTagsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeTagsResponse{Tags: []*ec2labv1.TagDescription{
		{ResourceId: fakeInstance, ResourceType: "instance", Key: "Name", Value: "web-1"}}}, nil
}

func cannedVolume() *ec2labv1.Volume {
	return &ec2labv1.Volume{VolumeId: fakeVolume, Size: 8, AvailabilityZone: fakeZone, State: "in-use",
		CreateTime: fakeTime, VolumeType: "gp3", Iops: 3000, Throughput: 125, OwnerId: fakeAccount,
		Attachments: []*ec2labv1.VolumeAttachment{{VolumeId: fakeVolume, InstanceId: fakeInstance, Device: "/dev/vdb",
			State: "attached", AttachTime: fakeTime}},
		Tags: []*ec2labv1.Tag{{Key: "Name", Value: "data"}}}
}

func (f *fakeCompute) CreateVolume(ctx context.Context, r *ec2labv1.CreateVolumeRequest) (*ec2labv1.Volume, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	v := cannedVolume()
	v.State, v.Attachments = "creating", nil
	return v, nil
}

func (f *fakeCompute) DescribeVolumes(ctx context.Context, r *ec2labv1.DescribeVolumesRequest) (*ec2labv1.DescribeVolumesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeVolumesResponse{Volumes: []*ec2labv1.Volume{cannedVolume()}}, nil
}

func (f *fakeCompute) AttachVolume(ctx context.Context, r *ec2labv1.AttachVolumeRequest) (*ec2labv1.VolumeAttachment, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.VolumeAttachment{VolumeId: r.GetVolumeId(), InstanceId: r.GetInstanceId(), Device: r.GetDevice(),
		State: "attaching", AttachTime: fakeTime}, nil
}

func (f *fakeCompute) DetachVolume(ctx context.Context, r *ec2labv1.DetachVolumeRequest) (*ec2labv1.VolumeAttachment, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.VolumeAttachment{VolumeId: r.GetVolumeId(), InstanceId: fakeInstance, Device: "/dev/vdb",
		State: "detaching", AttachTime: fakeTime}, nil
}

func (f *fakeCompute) ModifyVolume(ctx context.Context, r *ec2labv1.ModifyVolumeRequest) (*ec2labv1.VolumeModification, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.VolumeModification{VolumeId: r.GetVolumeId(), ModificationState: "modifying", TargetSize: r.GetSize(),
		OriginalSize: 8, TargetVolumeType: "gp3", OriginalVolumeType: "gp3", Progress: 0, StartTime: fakeTime}, nil
}

func (f *fakeCompute) DeleteVolume(ctx context.Context, r *ec2labv1.DeleteVolumeRequest) (*ec2labv1.DeleteVolumeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DeleteVolumeResponse{}, nil
}

func cannedSnapshot() *ec2labv1.Snapshot {
	return &ec2labv1.Snapshot{SnapshotId: fakeSnapshot, VolumeId: fakeVolume, State: "completed", StartTime: fakeTime,
		CompletionTime: fakeLater, Progress: "100%", OwnerId: fakeAccount, Description: "nightly", VolumeSize: 8}
}

func (f *fakeCompute) CreateSnapshot(ctx context.Context, r *ec2labv1.CreateSnapshotRequest) (*ec2labv1.Snapshot, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	s := cannedSnapshot()
	s.State, s.Progress, s.CompletionTime = "pending", "0%", nil
	return s, nil
}

func (f *fakeCompute) DescribeSnapshots(ctx context.Context, r *ec2labv1.DescribeSnapshotsRequest) (*ec2labv1.DescribeSnapshotsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeSnapshotsResponse{Snapshots: []*ec2labv1.Snapshot{cannedSnapshot()}}, nil
}

func (f *fakeCompute) CopySnapshot(ctx context.Context, r *ec2labv1.CopySnapshotRequest) (*ec2labv1.CopySnapshotResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.CopySnapshotResponse{SnapshotId: "snap-0fedcba9876543210"}, nil
}

func (f *fakeCompute) DeleteSnapshot(ctx context.Context, r *ec2labv1.DeleteSnapshotRequest) (*ec2labv1.DeleteSnapshotResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DeleteSnapshotResponse{}, nil
}

func (f *fakeCompute) RegisterImage(ctx context.Context, r *ec2labv1.RegisterImageRequest) (*ec2labv1.RegisterImageResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.RegisterImageResponse{ImageId: fakeImage}, nil
}

func (f *fakeCompute) CreateImage(ctx context.Context, r *ec2labv1.CreateImageRequest) (*ec2labv1.CreateImageResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.CreateImageResponse{ImageId: fakeImage}, nil
}

func (f *fakeCompute) DescribeImages(ctx context.Context, r *ec2labv1.DescribeImagesRequest) (*ec2labv1.DescribeImagesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeImagesResponse{Images: []*ec2labv1.Image{{ImageId: fakeImage, Name: "tiny-linux",
		State: "available", OwnerId: fakeAccount, Architecture: "x86_64", BootMode: "bios", RootDeviceName: "/dev/vda",
		RootDeviceType: "ebs", VirtualizationType: "hvm", CreationDate: fakeTime,
		BlockDeviceMappings: []*ec2labv1.BlockDeviceMapping{
			{DeviceName: "/dev/vda", Ebs: &ec2labv1.EbsBlockDevice{SnapshotId: fakeSnapshot, VolumeSize: 1,
				VolumeType: "gp3", DeleteOnTermination: new(true)}},
			{DeviceName: "/dev/vdc", NoDevice: true}},
		Tags: []*ec2labv1.Tag{{Key: "os", Value: "linux"}}, SourceInstanceId: fakeInstance, LastLaunchedTime: fakeLater,
		DeregistrationProtection: "disabled"}}}, nil
}

func (f *fakeCompute) DeregisterImage(ctx context.Context, r *ec2labv1.DeregisterImageRequest) (*ec2labv1.DeregisterImageResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DeregisterImageResponse{}, nil
}

// fakeVpc is the caller's default VPC in the fake.
const fakeVpc = "vpc-0123456789abcdef0"

func (f *fakeCompute) DescribeVpcs(ctx context.Context, r *ec2labv1.DescribeVpcsRequest) (*ec2labv1.DescribeVpcsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeVpcsResponse{Vpcs: []*ec2labv1.Vpc{{VpcId: fakeVpc, OwnerId: fakeAccount,
		CidrBlock: "172.31.0.0/16", State: "available", IsDefault: true}}}, nil
}

func (f *fakeCompute) DescribeAccountAttributes(ctx context.Context, r *ec2labv1.DescribeAccountAttributesRequest) (*ec2labv1.DescribeAccountAttributesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeAccountAttributesResponse{AccountAttributes: []*ec2labv1.AccountAttribute{
		{AttributeName: "supported-platforms", AttributeValues: []string{"VPC"}},
		{AttributeName: "default-vpc", AttributeValues: []string{"vpc-0123456789abcdef0"}},
		{AttributeName: "max-instances", AttributeValues: []string{"256"}}}}, nil
}
