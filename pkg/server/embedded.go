package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/agent"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/registry"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/version"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// embeddedAddrPrefix starts the agent address an embedded agent registers
// with; the in-memory registry's dialer resolves it.
const embeddedAddrPrefix = "embedded:"

// embeddedRegistry is an agentv1.Registry served in memory to the agents
// embedded in this process: they register and heartbeat through the same
// registry.Server (and the same agent code, agent.RunHeartbeats) as remote
// ec2-agent processes, only without a network port.
type embeddedRegistry struct {
	mu     sync.Mutex
	hosts  map[string]*grpc.ClientConn // agent address → its Host service
	client agentv1.RegistryClient
}

func newEmbeddedRegistry(ctx context.Context, svc *controller.Service) (*embeddedRegistry, error) {
	er := &embeddedRegistry{hosts: map[string]*grpc.ClientConn{}}
	reg := registry.New(svc, er.dial)
	reg.HeartbeatSeconds = heartbeatSeconds(svc.Config().HeartbeatTimeout.Duration)
	conn, err := serveInMemory(ctx, func(s *grpc.Server) { agentv1.RegisterRegistryServer(s, reg) })
	if err != nil {
		return nil, fmt.Errorf("embedded registry: %w", err)
	}
	er.client = agentv1.NewRegistryClient(conn)
	return er, nil
}

// dial returns a new client (so the controller sees a new agent connection
// on each registration) over the embedded agent's in-memory connection.
func (er *embeddedRegistry) dial(addr string) (agentv1.HostClient, error) {
	er.mu.Lock()
	defer er.mu.Unlock()
	conn, ok := er.hosts[addr]
	if !ok {
		return nil, fmt.Errorf("no embedded agent at %q", addr)
	}
	return agentv1.NewHostClient(conn), nil
}

// start runs one agent in this process, reachable only in memory (never a
// network port), registers it and keeps it heartbeating; it returns once
// the controller knows the host.
func (er *embeddedRegistry) start(ctx context.Context, spec AgentSpec, cfg Config, hv hypervisor.Hypervisor,
	dec virttype.Decision, svc *controller.Service, log *slog.Logger) error {
	shared, ok := svc.Pool(spec.AZ)
	if !ok {
		return fmt.Errorf("embedded agent %s: zone %s has no pool", spec.HostID, spec.AZ)
	}
	local, err := storage.New(spec.LocalPool)
	if err != nil {
		return fmt.Errorf("embedded agent %s: %w", spec.HostID, err)
	}
	ag, err := agent.New(agent.Config{HostID: spec.HostID, Region: cfg.Region, AZ: spec.AZ, DomainPrefix: spec.DomainPrefix,
		DomainType: dec, SharedPool: shared, LocalPool: local, StateDir: spec.StateDir, Version: version.Version,
		NATUplink: spec.NATUplink, PublicUplink: spec.PublicUplink, VTEP: spec.VTEP, NetNS: spec.NetNS}, hv, log.With("host", spec.HostID))
	if err != nil {
		return err
	}
	if err := ag.Recover(ctx); err != nil {
		return fmt.Errorf("embedded agent %s: recover: %w", spec.HostID, err)
	}
	conn, err := serveInMemory(ctx, func(s *grpc.Server) { agentv1.RegisterHostServer(s, ag) })
	if err != nil {
		return fmt.Errorf("embedded agent %s: %w", spec.HostID, err)
	}
	addr := embeddedAddrPrefix + spec.HostID
	er.mu.Lock()
	er.hosts[addr] = conn
	er.mu.Unlock()
	go func() { _ = ag.RunHeartbeats(ctx, er.client, addr, heartbeatInterval) }()
	return waitForHost(ctx, svc, spec.HostID)
}

// waitForHost returns once the controller has a healthy host of that ID.
func waitForHost(ctx context.Context, svc *controller.Service, id string) error {
	deadline := time.Now().Add(time.Minute)
	for {
		hs, err := svc.Hosts(ctx)
		if err != nil {
			return err
		}
		for _, h := range hs {
			if h.ID == id && h.Healthy {
				return nil
			}
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("embedded agent %s did not register within a minute", id)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// heartbeatInterval is how often embedded agents report unless the
// registry says otherwise.
const heartbeatInterval = 3 * time.Second

// serveInMemory serves the services register adds on an in-memory
// listener, with errgrpc's interceptors on both ends as for remote agents,
// until ctx ends, and returns a connection to it.
func serveInMemory(ctx context.Context, register func(*grpc.Server)) (*grpc.ClientConn, error) {
	lis := bufconn.Listen(4 << 20)
	srv := grpc.NewServer(errgrpc.ServerOptions()...)
	register(srv)
	go func() { _ = srv.Serve(lis) }()
	go func() { <-ctx.Done(); srv.Stop() }()
	return grpc.NewClient("passthrough:///embedded", append(errgrpc.DialOptions(),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
}
