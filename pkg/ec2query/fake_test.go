package ec2query

import (
	"context"
	"sync"
	"time"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// fakeCompute records what it receives and answers canned responses. The
// Python tests assert the same constants (testdata/*.py).
type fakeCompute struct {
	ec2labv1.UnimplementedComputeServer
	mu     sync.Mutex
	calls  []proto.Message
	caller []auth.Key
}

const (
	fakeAccount   = "123456789012"
	fakeInstance  = "i-0123456789abcdef0"
	missingID     = "i-0000000000000dead"
	fakeVolume    = "vol-0123456789abcdef0"
	fakeRootVol   = "vol-00000000000000001"
	fakeSnapshot  = "snap-0123456789abcdef0"
	fakeImage     = "ami-0123456789abcdef0"
	fakeZone      = "lab-1a"
	fakeConsole   = "Booting ec2lab guest\nlogin: "
	fakeKeyPairID = "key-0123456789abcdef0"
)

var fakeTime = timestamppb.New(time.Date(2026, 11, 26, 10, 11, 12, 345e6, time.UTC))

// fakeLater is a time after fakeTime: a snapshot's completion, an image's
// last launch.
var fakeLater = timestamppb.New(time.Date(2026, 11, 26, 10, 13, 14, 567e6, time.UTC))

// record notes a call and, as the controller does, answers a request with
// dry_run set with DryRunOperation instead of acting on it.
func (f *fakeCompute) record(ctx context.Context, m proto.Message) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, proto.Clone(m))
	k, _ := auth.FromContext(ctx)
	f.caller = append(f.caller, k)
	if fd := m.ProtoReflect().Descriptor().Fields().ByName("dry_run"); fd != nil && m.ProtoReflect().Get(fd).Bool() {
		return ec2err.New(ec2err.DryRunOperation, "Request would have succeeded, but DryRun flag is set.")
	}
	return nil
}

// received returns the requests of type T, in order.
func received[T proto.Message](f *fakeCompute) []T {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []T
	for _, c := range f.calls {
		if m, ok := c.(T); ok {
			out = append(out, m)
		}
	}
	return out
}

func (f *fakeCompute) count() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.calls)
}

func notFound(id string) error {
	return ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance ID '%s' does not exist", id)
}

func cannedInstance() *ec2labv1.Instance {
	return &ec2labv1.Instance{
		InstanceId: fakeInstance, ImageId: fakeImage, InstanceType: "t3.micro", KeyName: "lab", CpuCredits: "unlimited",
		State:      &ec2labv1.InstanceState{Code: 16, Name: "running"},
		LaunchTime: fakeTime, Placement: &ec2labv1.Placement{AvailabilityZone: fakeZone, Tenancy: "default"},
		Architecture: "x86_64", RootDeviceName: "/dev/vda", RootDeviceType: "ebs",
		BlockDeviceMappings: []*ec2labv1.InstanceBlockDeviceMapping{{DeviceName: "/dev/vda", VolumeId: fakeRootVol,
			Status: "attached", AttachTime: fakeTime, DeleteOnTermination: true}},
		Tags:        []*ec2labv1.Tag{{Key: "Name", Value: "web-1"}},
		ClientToken: "tok-1", PrivateIpAddress: "10.0.0.5", PrivateDnsName: "ip-10-0-0-5.lab-1.compute.internal",
		StateReason: &ec2labv1.StateReason{Code: "Client.UserInitiatedShutdown", Message: "none"},
		OwnerId:     fakeAccount, ReservationId: "r-0123456789abcdef0", Hypervisor: "kvm",
		VirtualizationType: "hvm", MetadataOptions: cannedMetadataOptions(),
	}
}

func cannedReservation() *ec2labv1.Reservation {
	return &ec2labv1.Reservation{ReservationId: "r-0123456789abcdef0", OwnerId: fakeAccount,
		Instances: []*ec2labv1.Instance{cannedInstance()}}
}

func (f *fakeCompute) RunInstances(ctx context.Context, r *ec2labv1.RunInstancesRequest) (*ec2labv1.Reservation, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	res := cannedReservation()
	res.Instances[0].State = &ec2labv1.InstanceState{Code: 0, Name: "pending"}
	return res, nil
}

func (f *fakeCompute) DescribeInstances(ctx context.Context, r *ec2labv1.DescribeInstancesRequest) (*ec2labv1.DescribeInstancesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	for _, id := range r.GetInstanceIds() {
		if id == missingID {
			return nil, notFound(id)
		}
	}
	return &ec2labv1.DescribeInstancesResponse{Reservations: []*ec2labv1.Reservation{cannedReservation()}}, nil
}

func stateChange() *ec2labv1.InstanceStateChanges {
	return &ec2labv1.InstanceStateChanges{Instances: []*ec2labv1.InstanceStateChange{{InstanceId: fakeInstance,
		PreviousState: &ec2labv1.InstanceState{Code: 16, Name: "running"},
		CurrentState:  &ec2labv1.InstanceState{Code: 64, Name: "stopping"}}}}
}

func (f *fakeCompute) StartInstances(ctx context.Context, r *ec2labv1.InstanceIdsRequest) (*ec2labv1.InstanceStateChanges, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return stateChange(), nil
}

func (f *fakeCompute) StopInstances(ctx context.Context, r *ec2labv1.StopInstancesRequest) (*ec2labv1.InstanceStateChanges, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return stateChange(), nil
}

func (f *fakeCompute) RebootInstances(ctx context.Context, r *ec2labv1.InstanceIdsRequest) (*ec2labv1.RebootInstancesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.RebootInstancesResponse{}, nil
}

func (f *fakeCompute) TerminateInstances(ctx context.Context, r *ec2labv1.InstanceIdsRequest) (*ec2labv1.InstanceStateChanges, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	for _, id := range r.GetInstanceIds() {
		if id == missingID {
			return nil, notFound(id)
		}
	}
	return stateChange(), nil
}

func (f *fakeCompute) GetConsoleOutput(ctx context.Context, r *ec2labv1.GetConsoleOutputRequest) (*ec2labv1.GetConsoleOutputResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.GetConsoleOutputResponse{InstanceId: r.GetInstanceId(), Timestamp: fakeTime, Output: []byte(fakeConsole)}, nil
}
