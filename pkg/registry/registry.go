// Package registry owns how hosts join a region: the agentv1.Registry
// service that every agent (a remote ec2-agent or one embedded in ec2d)
// registers and heartbeats with, and the dialer that reaches an agent back.
package registry

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Dialer reaches the Host service of the agent that registered with addr.
type Dialer func(addr string) (agentv1.HostClient, error)

// Server serves agentv1.Registry.
type Server struct {
	agentv1.UnimplementedRegistryServer
	svc  *controller.Service
	dial Dialer
	// HeartbeatSeconds is the interval agents are told to use.
	HeartbeatSeconds int32
}

// New serves registrations; dial reaches an agent's Host service.
func New(svc *controller.Service, dial Dialer) *Server {
	return &Server{svc: svc, dial: dial, HeartbeatSeconds: 3}
}

// Register records a host and connects back to its agent.
func (r *Server) Register(ctx context.Context, req *agentv1.RegisterRequest) (*agentv1.RegisterResponse, error) {
	c, err := r.dial(req.GetAgentAddress())
	if err != nil {
		return nil, err
	}
	id, err := r.svc.AddHost(ctx, hostgrpc.InventoryFrom(req.GetInventory()), req.GetAgentAddress(), hostgrpc.New(c))
	if err != nil {
		return nil, err
	}
	return &agentv1.RegisterResponse{HostId: id, HeartbeatIntervalSeconds: r.HeartbeatSeconds}, nil
}

// Heartbeat records liveness and observed instances.
func (r *Server) Heartbeat(ctx context.Context, req *agentv1.HeartbeatRequest) (*agentv1.HeartbeatResponse, error) {
	var inv *host.Inventory
	if req.GetInventory() != nil {
		i := hostgrpc.InventoryFrom(req.GetInventory())
		inv = &i
	}
	if err := r.svc.Heartbeat(ctx, req.GetHostId(), inv, hostgrpc.StatusesFrom(req.GetInstances())); err != nil {
		return nil, err
	}
	return &agentv1.HeartbeatResponse{}, nil
}
