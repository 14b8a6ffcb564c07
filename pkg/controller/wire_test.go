package controller

import (
	"context"
	"net"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// wireHost serves a fake agent's methods as an agentv1.HostServer, so that
// the controller reaches it through a real gRPC connection; methods it does
// not forward answer Unimplemented, as an older agent would.
type wireHost struct {
	agentv1.UnimplementedHostServer
	c agentv1.HostClient
}

func (w wireHost) CreateInstance(ctx context.Context, in *agentv1.CreateInstanceRequest) (*agentv1.InstanceStatus, error) {
	return w.c.CreateInstance(ctx, in)
}

func (w wireHost) StartInstance(ctx context.Context, in *agentv1.InstanceRef) (*agentv1.InstanceStatus, error) {
	return w.c.StartInstance(ctx, in)
}

func (w wireHost) ListInstances(ctx context.Context, in *agentv1.ListInstancesRequest) (*agentv1.ListInstancesResponse, error) {
	return w.c.ListInstances(ctx, in)
}

func (w wireHost) CreateVolume(ctx context.Context, in *agentv1.CreateVolumeRequest) (*agentv1.VolumeInfo, error) {
	return w.c.CreateVolume(ctx, in)
}

func (w wireHost) InspectVolume(ctx context.Context, in *agentv1.VolumeRef) (*agentv1.VolumeInfo, error) {
	return w.c.InspectVolume(ctx, in)
}

func (w wireHost) AttachVolume(ctx context.Context, in *agentv1.AttachVolumeRequest) (*agentv1.AttachVolumeResponse, error) {
	return w.c.AttachVolume(ctx, in)
}

// overWire returns a client that reaches c through an in-memory gRPC
// connection with errgrpc's interceptors on both ends, as ec2d reaches
// every agent (embedded or remote).
func overWire(t testing.TB, c agentv1.HostClient) agentv1.HostClient {
	t.Helper()
	lis := bufconn.Listen(1 << 20)
	srv := grpc.NewServer(errgrpc.ServerOptions()...)
	agentv1.RegisterHostServer(srv, wireHost{c: c})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	conn, err := grpc.NewClient("passthrough:///wire", append(errgrpc.DialOptions(),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return agentv1.NewHostClient(conn)
}

// wired re-registers every host of the rig with its fake agent behind
// overWire.
func (r *rig) wired(t *testing.T) *rig {
	t.Helper()
	for z, ag := range r.agents {
		inv := &agentv1.Inventory{HostId: "h-" + z, AvailabilityZone: z, Vcpus: 8, MemoryMib: 8192, DomainType: "qemu"}
		if _, err := r.svc.AddHost(context.Background(), hostgrpc.InventoryFrom(inv), "wire", hostgrpc.New(overWire(t, ag))); err != nil {
			t.Fatal(err)
		}
	}
	return r
}
