package console_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// fakeCompute is a Compute that, like the controller, answers each account
// only its own instances: the account comes from the key in the context,
// as the console must put it there.
type fakeCompute struct {
	v1.UnimplementedComputeServer
	mu      sync.Mutex
	byAcct  map[string][]*v1.Instance
	stopped []string // instance IDs StopInstances was asked to stop
	runs    []*v1.RunInstancesRequest
	volumes []*v1.CreateVolumeRequest
	calls   []string // the security group, key pair and image calls, with their arguments
}

// record notes one call for the tests to check.
func (f *fakeCompute) record(ctx context.Context, call string) error {
	acct, err := f.account(ctx)
	if err != nil {
		return err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, acct+" "+call)
	return nil
}

func (f *fakeCompute) account(ctx context.Context) (string, error) {
	k, ok := auth.FromContext(ctx)
	if !ok {
		return "", ec2err.New(ec2err.AuthFailure, "no key in the context")
	}
	return k.AccountID, nil
}

func (f *fakeCompute) DescribeInstances(ctx context.Context, r *v1.DescribeInstancesRequest) (*v1.DescribeInstancesResponse, error) {
	acct, err := f.account(ctx)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []*v1.Instance
	for _, in := range f.byAcct[acct] {
		if len(r.GetInstanceIds()) == 0 || slices.Contains(r.GetInstanceIds(), in.GetInstanceId()) {
			out = append(out, in)
		}
	}
	return &v1.DescribeInstancesResponse{Reservations: []*v1.Reservation{{Instances: out}}}, nil
}

func (f *fakeCompute) StopInstances(ctx context.Context, r *v1.StopInstancesRequest) (*v1.InstanceStateChanges, error) {
	acct, err := f.account(ctx)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, id := range r.GetInstanceIds() {
		found := false
		for _, in := range f.byAcct[acct] {
			found = found || in.GetInstanceId() == id
		}
		if !found {
			return nil, ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance ID '%s' does not exist", id)
		}
		f.stopped = append(f.stopped, id)
	}
	return &v1.InstanceStateChanges{}, nil
}

func (f *fakeCompute) RunInstances(ctx context.Context, r *v1.RunInstancesRequest) (*v1.Reservation, error) {
	if _, err := f.account(ctx); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.runs = append(f.runs, r)
	return &v1.Reservation{Instances: []*v1.Instance{{InstanceId: "i-0launched0000000"}}}, nil
}

func (f *fakeCompute) DescribeImages(context.Context, *v1.DescribeImagesRequest) (*v1.DescribeImagesResponse, error) {
	return &v1.DescribeImagesResponse{Images: []*v1.Image{{ImageId: "ami-0tiny", Name: "tiny", State: "available", OwnerId: "222222222222"}}}, nil
}

func (f *fakeCompute) DescribeInstanceTypes(context.Context, *v1.DescribeInstanceTypesRequest) (*v1.DescribeInstanceTypesResponse, error) {
	return &v1.DescribeInstanceTypesResponse{InstanceTypes: []*v1.InstanceTypeInfo{
		{InstanceType: "t3.nano", Family: "general", Burstable: true, Vcpus: 2, MemoryMib: 512, BaselinePercent: 5},
		{InstanceType: "c5.large", Family: "compute", Vcpus: 2, MemoryMib: 4096}}}, nil
}

func (f *fakeCompute) DescribeSubnets(context.Context, *v1.DescribeSubnetsRequest) (*v1.DescribeSubnetsResponse, error) {
	return &v1.DescribeSubnetsResponse{}, nil
}

// StreamConsole echoes what it receives after a greeting naming the
// instance and the account.
func (f *fakeCompute) StreamConsole(s v1.Compute_StreamConsoleServer) error {
	first, err := s.Recv()
	if err != nil {
		return err
	}
	acct, err := f.account(s.Context())
	if err != nil {
		return err
	}
	if first.GetInstanceId() == "i-0stopped" {
		return ec2err.New(ec2err.IncorrectInstanceState, "The instance 'i-0stopped' is not running.")
	}
	if err := s.Send(&v1.ConsoleChunk{Data: []byte("console of " + first.GetInstanceId() + " for " + acct + "\n")}); err != nil {
		return err
	}
	for {
		in, err := s.Recv()
		if err != nil {
			return nil
		}
		if err := s.Send(&v1.ConsoleChunk{Data: in.GetData()}); err != nil {
			return err
		}
	}
}

func (f *fakeCompute) DescribeVolumes(ctx context.Context, _ *v1.DescribeVolumesRequest) (*v1.DescribeVolumesResponse, error) {
	acct, err := f.account(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.DescribeVolumesResponse{Volumes: []*v1.Volume{{VolumeId: "vol-0of" + acct, State: "available", Size: 1,
		AvailabilityZone: "lab-1a"}}}, nil
}

func (f *fakeCompute) DescribeAvailabilityZones(context.Context, *v1.DescribeAvailabilityZonesRequest) (*v1.DescribeAvailabilityZonesResponse, error) {
	return &v1.DescribeAvailabilityZonesResponse{AvailabilityZones: []*v1.AvailabilityZone{{ZoneName: "lab-1a"}}}, nil
}

func (f *fakeCompute) CreateVolume(ctx context.Context, r *v1.CreateVolumeRequest) (*v1.Volume, error) {
	if _, err := f.account(ctx); err != nil {
		return nil, err
	}
	if r.GetSnapshotId() != "" {
		return &v1.Volume{VolumeId: "vol-0fromsnap"}, f.record(ctx, "create-volume "+r.GetSnapshotId()+" "+r.GetAvailabilityZone())
	}
	if r.GetSize() < 1 {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "size %d is under 1 GiB", r.GetSize())
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.volumes = append(f.volumes, r)
	return &v1.Volume{VolumeId: "vol-0new"}, nil
}

func (f *fakeCompute) DescribeHosts(ctx context.Context, _ *v1.DescribeHostsRequest) (*v1.DescribeHostsResponse, error) {
	if _, err := f.account(ctx); err != nil {
		return nil, err
	}
	return &v1.DescribeHostsResponse{Hosts: []*v1.Host{{HostId: "h-lab-1a", AvailabilityZone: "lab-1a", State: "healthy", Vcpus: 8, VcpusAllocated: 2}}}, nil
}

func (f *fakeCompute) DescribeSecurityGroups(context.Context, *v1.DescribeSecurityGroupsRequest) (*v1.DescribeSecurityGroupsResponse, error) {
	return &v1.DescribeSecurityGroupsResponse{SecurityGroups: []*v1.SecurityGroup{{GroupId: "sg-1", GroupName: "default", VpcId: "vpc-1"}}}, nil
}

func (f *fakeCompute) DescribeSecurityGroupRules(context.Context, *v1.DescribeSecurityGroupRulesRequest) (*v1.DescribeSecurityGroupRulesResponse, error) {
	return &v1.DescribeSecurityGroupRulesResponse{SecurityGroupRules: []*v1.SecurityGroupRule{
		{SecurityGroupRuleId: "sgr-in", GroupId: "sg-1", IpProtocol: "-1", ReferencedGroupInfo: &v1.ReferencedSecurityGroup{GroupId: "sg-1"}},
		{SecurityGroupRuleId: "sgr-out", GroupId: "sg-1", IsEgress: true, IpProtocol: "-1", CidrIpv4: "0.0.0.0/0"}}}, nil
}

func (f *fakeCompute) DescribeVpcs(context.Context, *v1.DescribeVpcsRequest) (*v1.DescribeVpcsResponse, error) {
	return &v1.DescribeVpcsResponse{Vpcs: []*v1.Vpc{{VpcId: "vpc-1", IsDefault: true, CidrBlock: "172.31.0.0/16"}}}, nil
}

func (f *fakeCompute) AuthorizeSecurityGroupIngress(ctx context.Context, r *v1.SecurityGroupRulesRequest) (*v1.SecurityGroupRulesResponse, error) {
	p := r.GetIpPermissions()[0]
	return &v1.SecurityGroupRulesResponse{}, f.record(ctx, fmt.Sprintf("authorize-ingress %s %s %d-%d %s", r.GetGroupId(), p.GetIpProtocol(),
		p.GetFromPort(), p.GetToPort(), p.GetIpRanges()[0].GetCidrIp()))
}

func (f *fakeCompute) RevokeSecurityGroupEgress(ctx context.Context, r *v1.RevokeSecurityGroupRulesRequest) (*v1.RevokeSecurityGroupRulesResponse, error) {
	return &v1.RevokeSecurityGroupRulesResponse{}, f.record(ctx, "revoke-egress "+r.GetGroupId()+" "+strings.Join(r.GetSecurityGroupRuleIds(), ","))
}

func (f *fakeCompute) CreateKeyPair(ctx context.Context, r *v1.CreateKeyPairRequest) (*v1.KeyPair, error) {
	if r.GetKeyName() == "taken" {
		return nil, ec2err.New(ec2err.InvalidKeyPairDuplicate, "The keypair 'taken' already exists.")
	}
	return &v1.KeyPair{KeyName: r.GetKeyName(), KeyMaterial: "-----BEGIN OPENSSH PRIVATE KEY-----\nfake\n"}, f.record(ctx, "create-key-pair "+r.GetKeyName())
}

func (f *fakeCompute) CreateImage(ctx context.Context, r *v1.CreateImageRequest) (*v1.CreateImageResponse, error) {
	return &v1.CreateImageResponse{ImageId: "ami-0new"}, f.record(ctx, "create-image "+r.GetInstanceId()+" "+r.GetName())
}

func (f *fakeCompute) DescribeRegions(context.Context, *v1.DescribeRegionsRequest) (*v1.DescribeRegionsResponse, error) {
	return &v1.DescribeRegionsResponse{Regions: []*v1.Region{{RegionName: "lab-1", Endpoint: "http://lab-1"}}}, nil
}

func (f *fakeCompute) DescribeSnapshots(context.Context, *v1.DescribeSnapshotsRequest) (*v1.DescribeSnapshotsResponse, error) {
	return &v1.DescribeSnapshotsResponse{Snapshots: []*v1.Snapshot{{SnapshotId: "snap-1", VolumeId: "vol-1", State: "completed", VolumeSize: 1}}}, nil
}

func (f *fakeCompute) DeregisterImage(ctx context.Context, r *v1.DeregisterImageRequest) (*v1.DeregisterImageResponse, error) {
	return &v1.DeregisterImageResponse{}, f.record(ctx, "deregister "+r.GetImageId())
}

func (f *fakeCompute) ModifyInstanceAttribute(ctx context.Context, r *v1.ModifyInstanceAttributeRequest) (*v1.ModifyInstanceAttributeResponse, error) {
	return &v1.ModifyInstanceAttributeResponse{}, f.record(ctx, "modify-groups "+r.GetInstanceId()+" "+strings.Join(r.GetGroups(), ","))
}

func (f *fakeCompute) DescribeKeyPairs(context.Context, *v1.DescribeKeyPairsRequest) (*v1.DescribeKeyPairsResponse, error) {
	return &v1.DescribeKeyPairsResponse{KeyPairs: []*v1.KeyPair{{KeyName: "team/ops", KeyType: "ed25519"}}}, nil
}

func (f *fakeCompute) DeleteKeyPair(ctx context.Context, r *v1.DeleteKeyPairRequest) (*v1.DeleteKeyPairResponse, error) {
	return &v1.DeleteKeyPairResponse{}, f.record(ctx, "delete-key-pair "+r.GetKeyName())
}

func (f *fakeCompute) AssociateAddress(ctx context.Context, r *v1.AssociateAddressRequest) (*v1.AssociateAddressResponse, error) {
	return &v1.AssociateAddressResponse{}, f.record(ctx, "associate-address "+r.GetAllocationId()+" "+r.GetInstanceId())
}

func (f *fakeCompute) DisassociateAddress(ctx context.Context, r *v1.DisassociateAddressRequest) (*v1.DisassociateAddressResponse, error) {
	return &v1.DisassociateAddressResponse{}, f.record(ctx, "disassociate-address "+r.GetAssociationId())
}
