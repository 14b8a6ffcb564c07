package controller

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"path/filepath"
	"sync"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/store"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// fakeAgent is a hand-written agentv1.HostClient keeping domains and
// volume files in maps. Methods the tests do not reach panic (nil embed).
// What it implements passes the agent conformance suite the real agent
// passes (pkg/agent/agenttest; fakeagent_conformance_test.go).
type fakeAgent struct {
	agentv1.HostClient
	mu        sync.Mutex
	domains   map[string]string // instance ID → running / stopped
	volumes   map[string]int64  // volume file → virtual size
	creates   int
	failNext  int // CreateInstance fails this many more times
	reboots   []string
	stops     []string // StopInstance calls, "id" or "id/force"
	destroyed []string
	firewall  *agentv1.FirewallState // the last SetFirewall (fakeagent_fw_test.go)
	stream    fakeStream             // live merges (fakeagent_stream_test.go)
	// metadata is each instance's last metadata options, "tokens/endpoint",
	// from CreateInstance or SetMetadataOptions (metadata_options_test.go).
	metadata     map[string]string
	metadataDown bool  // SetMetadataOptions fails
	volumeErr    error // CreateVolume fails with it (a full pool, a host going away)
	attachErr    error // AttachVolume fails with it
	// created is each domain's last definition (instance_modify_test.go).
	created map[string]*agentv1.CreateInstanceRequest
}

func newFakeAgent() *fakeAgent {
	return &fakeAgent{domains: map[string]string{}, volumes: map[string]int64{}}
}

var errFake = errors.New("fake agent: injected failure")

func (f *fakeAgent) CreateInstance(_ context.Context, in *agentv1.CreateInstanceRequest, _ ...grpc.CallOption) (*agentv1.InstanceStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.failNext > 0 {
		f.failNext--
		return nil, errFake
	}
	if in.GetInstanceId() == "" {
		return nil, ec2err.New(ec2err.MissingParameter, "the request must contain the parameter InstanceId")
	}
	if _, ok := f.domains[in.GetInstanceId()]; ok { // idempotent: the domain as it is
		return &agentv1.InstanceStatus{InstanceId: in.GetInstanceId(), State: f.domains[in.GetInstanceId()], DomainType: "qemu"}, nil
	}
	for _, d := range in.GetDisks() {
		if _, ok := f.volumes[d.GetPath()]; !ok {
			return nil, errors.New("fake agent: disk " + d.GetPath() + " missing")
		}
	}
	f.setMetadata(in.GetInstanceId(), in.GetMetadataHttpTokens(), in.GetMetadataHttpEndpoint())
	f.creates++
	if f.created == nil {
		f.created = map[string]*agentv1.CreateInstanceRequest{}
	}
	f.created[in.GetInstanceId()] = in
	f.domains[in.GetInstanceId()] = "stopped"
	if in.GetStart() {
		f.domains[in.GetInstanceId()] = "running"
	}
	return &agentv1.InstanceStatus{InstanceId: in.GetInstanceId(), State: f.domains[in.GetInstanceId()], DomainType: "qemu"}, nil
}

// fakeInstanceNotFound is the agent's answer about an instance it does not have.
func fakeInstanceNotFound(id string) error {
	return ec2err.New(ec2err.InvalidInstanceIDNotFound, "the instance ID '%s' does not exist on this host", id)
}

func (f *fakeAgent) StartInstance(_ context.Context, in *agentv1.InstanceRef, _ ...grpc.CallOption) (*agentv1.InstanceStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.domains[in.GetInstanceId()]; !ok {
		return nil, fakeInstanceNotFound(in.GetInstanceId())
	}
	f.domains[in.GetInstanceId()] = "running"
	return &agentv1.InstanceStatus{InstanceId: in.GetInstanceId(), State: "running", DomainType: "qemu"}, nil
}

func (f *fakeAgent) StopInstance(_ context.Context, in *agentv1.StopInstanceRequest, _ ...grpc.CallOption) (*agentv1.InstanceStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	stop := in.GetInstanceId()
	if in.GetForce() {
		stop += "/force"
	}
	f.stops = append(f.stops, stop)
	if _, ok := f.domains[in.GetInstanceId()]; !ok {
		return nil, fakeInstanceNotFound(in.GetInstanceId())
	}
	f.domains[in.GetInstanceId()] = "stopped"
	return &agentv1.InstanceStatus{InstanceId: in.GetInstanceId(), State: "stopped"}, nil
}

func (f *fakeAgent) RebootInstance(_ context.Context, in *agentv1.InstanceRef, _ ...grpc.CallOption) (*agentv1.InstanceStatus, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reboots = append(f.reboots, in.GetInstanceId())
	switch st, ok := f.domains[in.GetInstanceId()]; {
	case !ok:
		return nil, fakeInstanceNotFound(in.GetInstanceId())
	case st != "running":
		return nil, ec2err.New(ec2err.IncorrectInstanceState, "instance %s is %s, not running", in.GetInstanceId(), st)
	}
	return &agentv1.InstanceStatus{InstanceId: in.GetInstanceId(), State: "running"}, nil
}

func (f *fakeAgent) DestroyInstance(_ context.Context, in *agentv1.InstanceRef, _ ...grpc.CallOption) (*agentv1.DestroyInstanceResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if in.GetInstanceId() == "" {
		return nil, ec2err.New(ec2err.MissingParameter, "the request must contain the parameter InstanceId")
	}
	delete(f.domains, in.GetInstanceId())
	f.destroyed = append(f.destroyed, in.GetInstanceId())
	return &agentv1.DestroyInstanceResponse{}, nil
}

func (f *fakeAgent) ListInstances(context.Context, *agentv1.ListInstancesRequest, ...grpc.CallOption) (*agentv1.ListInstancesResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := &agentv1.ListInstancesResponse{}
	for id, st := range f.domains {
		out.Instances = append(out.Instances, &agentv1.InstanceStatus{InstanceId: id, State: st})
	}
	return out, nil
}

func (f *fakeAgent) WatchEvents(context.Context, *agentv1.WatchEventsRequest, ...grpc.CallOption) (grpc.ServerStreamingClient[agentv1.InstanceEvent], error) {
	return nil, errors.New("fake agent: no event stream")
}

func (f *fakeAgent) InspectVolume(_ context.Context, in *agentv1.VolumeRef, _ ...grpc.CallOption) (*agentv1.VolumeInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	size, ok := f.volumes[in.GetVolumeId()]
	if !ok {
		return nil, ec2err.New(ec2err.InvalidVolumeNotFound, "the volume '%s' does not exist", in.GetVolumeId())
	}
	return &agentv1.VolumeInfo{VolumeId: in.GetVolumeId(), VirtualSize: size}, nil
}

func (f *fakeAgent) CreateVolume(_ context.Context, in *agentv1.CreateVolumeRequest, _ ...grpc.CallOption) (*agentv1.VolumeInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.volumeErr != nil {
		return nil, f.volumeErr
	}
	name := in.GetVolumeId()
	if _, ok := f.volumes[name]; !ok { // a retry returns the existing volume
		size := in.GetSizeBytes()
		if size == 0 {
			size = f.volumes[in.GetBackingLayer()] // an overlay is its backing's size
		}
		f.volumes[name] = size
	}
	return &agentv1.VolumeInfo{VolumeId: name, VirtualSize: f.volumes[name]}, nil
}

func (f *fakeAgent) DeleteVolume(_ context.Context, in *agentv1.VolumeRef, _ ...grpc.CallOption) (*agentv1.DeleteVolumeResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.volumes, in.GetVolumeId()) // that file only; none is no error
	return &agentv1.DeleteVolumeResponse{}, nil
}

// Test accounts.
const (
	acct1 = "111111111111"
	acct2 = "222222222222"
)

func ctxFor(acct string) context.Context {
	return auth.WithKey(context.Background(), auth.Key{AccessKeyID: "AKIA" + acct, AccountID: acct})
}

// rig is a Service over a real bbolt store with one fake host per zone.
type rig struct {
	svc    *Service
	agents map[string]*fakeAgent // zone → agent
	ami    string
}

// hostSpec sizes the fake hosts (vCPUs and MiB each).
type hostSpec struct {
	vcpus int32
	mem   int64
}

func newRig(t *testing.T, quota int, hs hostSpec) *rig {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return newRigOn(t, st, quota, hs)
}

// newRigOn is newRig over st.
func newRigOn(t *testing.T, st store.Store, quota int, hs hostSpec) *rig {
	t.Helper()
	dir := t.TempDir()
	cfg := Config{Region: "lab-1", VCPUQuota: quota, CPUOvercommit: 1, MemoryOvercommit: 1,
		AvailabilityZones: []ZoneSpec{{Name: "lab-1a", Pool: filepath.Join(dir, "a")}, {Name: "lab-1b", Pool: filepath.Join(dir, "b")}},
		InstanceTypes:     []instancetypes.Type{{Name: "lab.tiny", Family: "general", VCPUs: 1, MemoryMiB: 256, Architectures: []string{"x86_64"}}}}
	svc, err := New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{svc: svc, agents: map[string]*fakeAgent{}}
	for _, z := range []string{"lab-1a", "lab-1b"} {
		ag := newFakeAgent()
		r.agents[z] = ag
		inv := &agentv1.Inventory{HostId: "h-" + z, AvailabilityZone: z, Vcpus: hs.vcpus, MemoryMib: hs.mem, DomainType: "qemu"}
		if _, err := svc.AddHost(context.Background(), hostgrpc.InventoryFrom(inv), "fake", hostgrpc.New(ag)); err != nil {
			t.Fatal(err)
		}
	}
	r.ami = ids.New(ids.Image)
	img := Image{ID: r.ami, Owner: acct1, Name: "tiny", State: "available", Architecture: "x86_64", RootDeviceName: "/dev/xvda",
		Devices: []ImageDevice{{DeviceName: "/dev/xvda", SizeGiB: 1, VolumeType: "gp3", DeleteOnTermination: true}}, AZ: "lab-1a"}
	if err := put(context.Background(), st, prefixImage+img.ID, img); err != nil {
		t.Fatal(err)
	}
	return r
}

// run launches count lab.tiny instances for acct1 (optionally in az).
func (r *rig) run(t *testing.T, count int, az string, tags ...Tag) []string {
	t.Helper()
	res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny",
		MinCount: count, MaxCount: count, AZ: az, Tags: map[string][]Tag{"instance": tags}})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	return instanceIDs(res.Instances)
}

// setState forces an instance's state in the store.
func (r *rig) setState(t *testing.T, id, state string) {
	t.Helper()
	if _, err := update(context.Background(), r.svc.st, prefixInstance+id, func(in *Instance) error {
		in.State = state
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

func (r *rig) get(t *testing.T, id string) Instance {
	t.Helper()
	in, _, err := store.GetJSON[Instance](context.Background(), r.svc.st, prefixInstance+id)
	if err != nil {
		t.Fatal(err)
	}
	return in
}

// drive runs the instance's pending work once, as the reconciler would.
func (r *rig) drive(id string) { r.svc.driveInstance(context.Background(), id) }

// errCode is the EC2 error code of err ("" for nil).
func errCode(err error) string {
	if e, ok := ec2err.As(err); ok {
		return e.Code
	}
	if err != nil {
		return "non-EC2: " + err.Error()
	}
	return ""
}

func (f *fakeAgent) AttachVolume(_ context.Context, in *agentv1.AttachVolumeRequest, _ ...grpc.CallOption) (*agentv1.AttachVolumeResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.attachErr != nil {
		return nil, f.attachErr
	}
	if in.GetInstanceId() == "" || in.GetDisk().GetPath() == "" {
		return nil, ec2err.New(ec2err.MissingParameter, "the request must contain the parameter InstanceId and Disk.path")
	}
	if _, ok := f.domains[in.GetInstanceId()]; !ok {
		return nil, fakeInstanceNotFound(in.GetInstanceId())
	}
	return &agentv1.AttachVolumeResponse{}, nil
}
