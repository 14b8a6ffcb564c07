package ctl

import (
	"bytes"
	"context"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// fakeCompute is a hand-written in-memory Compute server for the CLI
// tests. Instance states can be scripted per DescribeInstances call.
type fakeCompute struct {
	pb.UnimplementedComputeServer
	mu           sync.Mutex
	reservations []*pb.Reservation
	volumes      []*pb.Volume
	pageSize     int                 // DescribeInstances reservations per page (0: all)
	stateScript  map[string][]string // instance ID -> states for successive describes
	notFoundOnce bool                // first DescribeInstances answers InvalidInstanceID.NotFound
	describes    int
	lastRun      *pb.RunInstancesRequest
	lastReq      proto.Message   // the last request of the VPC and subnet calls
	templateReqs []proto.Message // launch template requests (fake_templates_test.go)
	lastMD       metadata.MD
	lastDescribe *pb.DescribeInstancesRequest
	consoleIn    bytes.Buffer
	net          netReads        // fake_netread_test.go
	sgRequests   []proto.Message // security group rule requests (fake_secgroups_test.go)
	// lastModify and statusScript serve cmd_instance_attrs_test.go: the
	// last ModifyInstanceAttribute, and the instance check status of
	// successive DescribeInstanceStatus calls (the last one repeats).
	lastModify   *pb.ModifyInstanceAttributeRequest
	statusScript []string
}

var t0 = timestamppb.New(time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC))

func sampleInstance(id, state string, code int32) *pb.Instance {
	return &pb.Instance{InstanceId: id, ImageId: "ami-0123456789abcdef0",
		State: &pb.InstanceState{Code: code, Name: state}, InstanceType: "t3.micro", KeyName: "lab",
		LaunchTime: t0, Placement: &pb.Placement{AvailabilityZone: "lab-1a", HostId: "host-1", Tenancy: "default"},
		Architecture: "x86_64", RootDeviceName: "/dev/sda1", RootDeviceType: "ebs",
		BlockDeviceMappings: []*pb.InstanceBlockDeviceMapping{{DeviceName: "/dev/sda1",
			VolumeId: "vol-0aaaaaaaaaaaaaaa1", Status: "attached", AttachTime: t0, DeleteOnTermination: true}},
		Tags: []*pb.Tag{{Key: "Name", Value: "web"}}, ClientToken: "tok", PrivateIpAddress: "10.0.0.5",
		PrivateDnsName: "ip-10-0-0-5.lab-1.compute.internal", OwnerId: "000000000001",
		ReservationId: "r-0123456789abcdef0", Hypervisor: "kvm", VirtualizationType: "hvm", DomainType: "qemu",
		MetadataOptions: sampleMetadataOptions(), SubnetId: "subnet-0123456789abcdef0", VpcId: "vpc-0123456789abcdef0",
		SecurityGroups:    []*pb.GroupIdentifier{{GroupId: "sg-0123456789abcdef0", GroupName: "default"}},
		NetworkInterfaces: []*pb.NetworkInterface{sampleENI(id)}}
}

func newFakeCompute() *fakeCompute {
	return &fakeCompute{
		reservations: []*pb.Reservation{
			{ReservationId: "r-0123456789abcdef0", OwnerId: "000000000001", Instances: []*pb.Instance{
				sampleInstance("i-0123456789abcdef0", "running", 16)}},
			{ReservationId: "r-0fedcba9876543210", OwnerId: "000000000001", Instances: []*pb.Instance{
				sampleInstance("i-0fedcba9876543210", "stopped", 80)}},
		},
		volumes: []*pb.Volume{
			{VolumeId: "vol-0aaaaaaaaaaaaaaa1", Size: 8, AvailabilityZone: "lab-1a", State: "in-use",
				CreateTime: t0, VolumeType: "gp3", Iops: 3000, Throughput: 125,
				Attachments: []*pb.VolumeAttachment{{VolumeId: "vol-0aaaaaaaaaaaaaaa1",
					InstanceId: "i-0123456789abcdef0", Device: "/dev/sda1", State: "attached",
					AttachTime: t0, DeleteOnTermination: true}}},
			{VolumeId: "vol-0bbbbbbbbbbbbbbb2", Size: 2, AvailabilityZone: "lab-1a", State: "available",
				CreateTime: t0, VolumeType: "gp2", Iops: 100, SnapshotId: "snap-0ccccccccccccccc3",
				Tags: []*pb.Tag{{Key: "Name", Value: "data"}}, Attachments: nil},
		},
	}
}

func (f *fakeCompute) DescribeInstances(ctx context.Context, req *pb.DescribeInstancesRequest) (*pb.DescribeInstancesResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastMD, _ = metadata.FromIncomingContext(ctx)
	f.lastDescribe = req
	f.describes++
	if f.notFoundOnce && f.describes == 1 {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance ID '%s' does not exist", strings.Join(req.InstanceIds, ",")))
	}
	var out []*pb.Reservation
	for _, r := range f.reservations {
		if res := f.filterReservation(r, req); res != nil {
			out = append(out, res)
		}
	}
	if len(req.InstanceIds) > 0 && len(out) == 0 {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance ID '%s' does not exist", req.InstanceIds[0]))
	}
	return f.page(out, req.NextToken), nil
}

func (f *fakeCompute) filterReservation(r *pb.Reservation, req *pb.DescribeInstancesRequest) *pb.Reservation {
	var keep []*pb.Instance
	for _, in := range r.Instances {
		if len(req.InstanceIds) > 0 && !contains(req.InstanceIds, in.InstanceId) {
			continue
		}
		if script := f.stateScript[in.InstanceId]; len(script) > 0 {
			st := script[min(f.describes-1, len(script)-1)]
			in = sampleInstance(in.InstanceId, st, 0)
		}
		if !matchesFilters(in, req.Filters) {
			continue
		}
		keep = append(keep, in)
	}
	if len(keep) == 0 {
		return nil
	}
	return &pb.Reservation{ReservationId: r.ReservationId, OwnerId: r.OwnerId, Instances: keep}
}

func matchesFilters(in *pb.Instance, filters []*pb.Filter) bool {
	for _, flt := range filters {
		if flt.Name == "instance-state-name" && !contains(flt.Values, in.State.Name) {
			return false
		}
	}
	return true
}

func (f *fakeCompute) page(all []*pb.Reservation, token string) *pb.DescribeInstancesResponse {
	if f.pageSize == 0 {
		return &pb.DescribeInstancesResponse{Reservations: all}
	}
	start := 0
	if token != "" {
		start = int(token[0] - '0')
	}
	end := min(start+f.pageSize, len(all))
	resp := &pb.DescribeInstancesResponse{Reservations: all[start:end]}
	if end < len(all) {
		resp.NextToken = string(rune('0' + end))
	}
	return resp
}

func (f *fakeCompute) RunInstances(_ context.Context, req *pb.RunInstancesRequest) (*pb.Reservation, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastRun = req
	if req.DryRun {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.DryRunOperation, "Request would have succeeded, but DryRun flag is set."))
	}
	in := sampleInstance("i-0123456789abcdef0", "pending", 0)
	in.LaunchTime = t0
	return &pb.Reservation{ReservationId: "r-0123456789abcdef0", OwnerId: "000000000001", Instances: []*pb.Instance{in}}, nil
}

func (f *fakeCompute) DescribeVolumes(context.Context, *pb.DescribeVolumesRequest) (*pb.DescribeVolumesResponse, error) {
	return &pb.DescribeVolumesResponse{Volumes: f.volumes}, nil
}

func (f *fakeCompute) GetConsoleOutput(_ context.Context, req *pb.GetConsoleOutputRequest) (*pb.GetConsoleOutputResponse, error) {
	return &pb.GetConsoleOutputResponse{InstanceId: req.InstanceId, Timestamp: t0,
		Output: []byte("Booting Linux\r\nlogin: ")}, nil
}

func (f *fakeCompute) CreateKeyPair(_ context.Context, req *pb.CreateKeyPairRequest) (*pb.KeyPair, error) {
	return &pb.KeyPair{KeyName: req.KeyName, KeyPairId: "key-0123456789abcdef0", KeyType: "ed25519",
		KeyFingerprint: "SHA256:abc", KeyMaterial: testPEM}, nil
}

func (f *fakeCompute) DescribeImages(context.Context, *pb.DescribeImagesRequest) (*pb.DescribeImagesResponse, error) {
	return &pb.DescribeImagesResponse{Images: []*pb.Image{{ImageId: "ami-0123456789abcdef0", Name: "tiny", State: "available",
		SourceInstanceId: "i-0123456789abcdef0", LastLaunchedTime: tLater, DeregistrationProtection: "disabled"}}}, nil
}

func (f *fakeCompute) StreamConsole(s grpc.BidiStreamingServer[pb.ConsoleInput, pb.ConsoleChunk]) error {
	first, err := s.Recv()
	if err != nil {
		return err
	}
	if err := s.Send(&pb.ConsoleChunk{Data: []byte("console of " + first.InstanceId + "\n")}); err != nil {
		return err
	}
	for {
		in, err := s.Recv()
		if err != nil {
			return nil
		}
		f.mu.Lock()
		f.consoleIn.Write(in.Data)
		f.mu.Unlock()
		if err := s.Send(&pb.ConsoleChunk{Data: in.Data}); err != nil {
			return err
		}
	}
}

const testPEM = "-----BEGIN OPENSSH PRIVATE KEY-----\nAAAA\n-----END OPENSSH PRIVATE KEY-----\n"

func contains(list []string, s string) bool {
	for _, e := range list {
		if e == s {
			return true
		}
	}
	return false
}

// harness runs ec2ctl in-process against a fakeCompute over bufconn.
type harness struct {
	t    *testing.T
	fake *fakeCompute
	// groups is the fake behind the AutoScaling service.
	groups *fakeGroups
	lis    *bufconn.Listener
	env    map[string]string
	sleep  int
	tty    bool
	stdin  string
	in     io.Reader   // when set, replaces stdin
	out    *syncBuffer // when set, receives stdout
}

// syncBuffer is a bytes.Buffer safe to read while a command writes it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func newHarness(t *testing.T) *harness {
	t.Helper()
	creds, ca := testTLS(t)
	h := &harness{t: t, fake: newFakeCompute(), lis: bufconn.Listen(1 << 20),
		env: map[string]string{"HOME": t.TempDir(), "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "sekrit-value", "AWS_CA_BUNDLE": ca}}
	srv := grpc.NewServer(append(errgrpc.ServerOptions(), creds)...) // as ec2d: TLS, native EC2 errors become statuses
	pb.RegisterComputeServer(srv, h.fake)
	h.groups = newFakeGroups()
	pb.RegisterAutoScalingServer(srv, api.NewAutoScaling(h.groups))
	go func() { _ = srv.Serve(h.lis) }()
	t.Cleanup(srv.Stop)
	return h
}

// run executes one ec2ctl command line and returns stdout, stderr and the
// exit code.
func (h *harness) run(args ...string) (string, string, int) {
	h.t.Helper()
	var errOut bytes.Buffer
	out := h.out
	if out == nil {
		out = &syncBuffer{}
	}
	in := h.in
	if in == nil {
		in = strings.NewReader(h.stdin)
	}
	root := NewRootCommand(
		WithIO(in, out, &errOut),
		WithTTY(h.tty),
		WithEnv(func(k string) string { return h.env[k] }),
		WithDialer(func(ctx context.Context, _ string) (net.Conn, error) { return h.lis.DialContext(ctx) }),
		WithSleep(func(context.Context, time.Duration) error { h.sleep++; return nil }),
	)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	code := Run(ctx, root, args)
	return out.String(), errOut.String(), code
}
