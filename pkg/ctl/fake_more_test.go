package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Catalog, key pair, snapshot and state-change answers of fakeCompute.

func (f *fakeCompute) DescribeInstanceTypes(context.Context, *pb.DescribeInstanceTypesRequest) (*pb.DescribeInstanceTypesResponse, error) {
	return &pb.DescribeInstanceTypesResponse{InstanceTypes: []*pb.InstanceTypeInfo{
		{InstanceType: "t3.micro", Family: "general", Vcpus: 2, MemoryMib: 1024, Burstable: true,
			BaselinePercent: 10, Architectures: []string{"x86_64"}, Hypervisor: "kvm", CurrentGeneration: true},
		{InstanceType: "g4dn.xlarge", Family: "accelerated", Vcpus: 4, MemoryMib: 16384,
			InstanceStoreGb: 125, InstanceStoreDisks: 1, InstanceStoreType: "ssd", Gpus: 1, GpuName: "T4",
			Architectures: []string{"x86_64"}, Hypervisor: "kvm", CurrentGeneration: true},
	}}, nil
}

func (f *fakeCompute) DescribeRegions(context.Context, *pb.DescribeRegionsRequest) (*pb.DescribeRegionsResponse, error) {
	return &pb.DescribeRegionsResponse{Regions: []*pb.Region{{RegionName: "lab-1", Endpoint: "127.0.0.1:7700"}}}, nil
}

func (f *fakeCompute) DescribeAvailabilityZones(context.Context, *pb.DescribeAvailabilityZonesRequest) (*pb.DescribeAvailabilityZonesResponse, error) {
	return &pb.DescribeAvailabilityZonesResponse{AvailabilityZones: []*pb.AvailabilityZone{
		{ZoneName: "lab-1a", ZoneId: "lab1-az1", State: "available", RegionName: "lab-1", ZoneType: "availability-zone",
			NetworkBorderGroup: "lab-1", GroupName: "lab-1-zg-1", OptInStatus: "opt-in-not-required"}}}, nil
}

func (f *fakeCompute) DescribeKeyPairs(context.Context, *pb.DescribeKeyPairsRequest) (*pb.DescribeKeyPairsResponse, error) {
	return &pb.DescribeKeyPairsResponse{KeyPairs: []*pb.KeyPair{{KeyName: "lab", KeyPairId: "key-0123456789abcdef0",
		KeyType: "ed25519", KeyFingerprint: "SHA256:abc", CreateTime: t0, Tags: []*pb.Tag{{Key: "team", Value: "a"}}}}}, nil
}

func (f *fakeCompute) DescribeSnapshots(_ context.Context, req *pb.DescribeSnapshotsRequest) (*pb.DescribeSnapshotsResponse, error) {
	f.keep(req)
	return &pb.DescribeSnapshotsResponse{Snapshots: []*pb.Snapshot{{SnapshotId: "snap-0ccccccccccccccc3",
		VolumeId: "vol-0bbbbbbbbbbbbbbb2", State: "completed", StartTime: t0, CompletionTime: tLater, Progress: "100%",
		OwnerId: "000000000001", Description: "nightly", VolumeSize: 2, StoredBytes: 4096}}}, nil
}

func (f *fakeCompute) StopInstances(_ context.Context, req *pb.StopInstancesRequest) (*pb.InstanceStateChanges, error) {
	var out pb.InstanceStateChanges
	for _, id := range req.InstanceIds {
		out.Instances = append(out.Instances, &pb.InstanceStateChange{InstanceId: id,
			PreviousState: &pb.InstanceState{Code: 16, Name: "running"},
			CurrentState:  &pb.InstanceState{Code: 64, Name: "stopping"}})
	}
	return &out, nil
}

func (f *fakeCompute) AttachVolume(_ context.Context, req *pb.AttachVolumeRequest) (*pb.VolumeAttachment, error) {
	return &pb.VolumeAttachment{VolumeId: req.VolumeId, InstanceId: req.InstanceId, Device: req.Device,
		State: "attaching", AttachTime: t0}, nil
}
