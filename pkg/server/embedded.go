package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/agent"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/version"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// heartbeatInterval is how often embedded agents report.
const heartbeatInterval = 3 * time.Second

// startEmbeddedAgent runs one agent in this process, reachable only through
// an in-memory gRPC connection (never a network port), and registers it.
func startEmbeddedAgent(ctx context.Context, spec AgentSpec, cfg Config, hv hypervisor.Hypervisor,
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
		NATUplink: spec.NATUplink, VTEP: spec.VTEP, NetNS: spec.NetNS}, hv, log.With("host", spec.HostID))
	if err != nil {
		return err
	}
	if err := ag.Recover(ctx); err != nil {
		return fmt.Errorf("embedded agent %s: recover: %w", spec.HostID, err)
	}
	client, err := serveInMemory(ctx, ag)
	if err != nil {
		return err
	}
	inv, err := ag.Inventory(ctx)
	if err != nil {
		return fmt.Errorf("embedded agent %s: inventory: %w", spec.HostID, err)
	}
	if _, err := svc.AddHost(ctx, inv, "embedded", client); err != nil {
		return err
	}
	go heartbeats(ctx, ag, client, svc, spec.HostID, log)
	return nil
}

func serveInMemory(ctx context.Context, ag *agent.Agent) (agentv1.HostClient, error) {
	lis := bufconn.Listen(4 << 20)
	srv := grpc.NewServer(errgrpc.ServerOptions()...)
	agentv1.RegisterHostServer(srv, ag)
	go func() { _ = srv.Serve(lis) }()
	go func() { <-ctx.Done(); srv.Stop() }()
	conn, err := grpc.NewClient("passthrough:///embedded", append(errgrpc.DialOptions(),
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		return nil, fmt.Errorf("embedded agent connection: %w", err)
	}
	return agentv1.NewHostClient(conn), nil
}

func heartbeats(ctx context.Context, ag *agent.Agent, c agentv1.HostClient, svc *controller.Service, hostID string, log *slog.Logger) {
	t := time.NewTicker(heartbeatInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		inv, err := ag.Inventory(ctx)
		if err != nil {
			log.Warn("heartbeat: inventory", "host", hostID, "err", err)
			continue
		}
		list, err := c.ListInstances(ctx, &agentv1.ListInstancesRequest{})
		if err != nil {
			log.Warn("heartbeat: list instances", "host", hostID, "err", err)
			continue
		}
		if err := svc.Heartbeat(ctx, hostID, inv, list.GetInstances()); err != nil {
			log.Warn("heartbeat", "host", hostID, "err", err)
		}
	}
}
