package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Registry serves agentv1.Registry: remote agents register and heartbeat.
type Registry struct {
	agentv1.UnimplementedRegistryServer
	svc  *controller.Service
	dial func(addr string) (agentv1.HostClient, error)
	// HeartbeatSeconds is the interval agents are told to use.
	HeartbeatSeconds int32
}

// NewRegistry serves registrations; dial reaches an agent's Host service.
func NewRegistry(svc *controller.Service, dial func(addr string) (agentv1.HostClient, error)) *Registry {
	return &Registry{svc: svc, dial: dial, HeartbeatSeconds: 3}
}

// Register records a host and connects back to its agent.
func (r *Registry) Register(ctx context.Context, req *agentv1.RegisterRequest) (*agentv1.RegisterResponse, error) {
	c, err := r.dial(req.GetAgentAddress())
	if err != nil {
		return nil, err
	}
	id, err := r.svc.AddHost(ctx, req.GetInventory(), req.GetAgentAddress(), c)
	if err != nil {
		return nil, err
	}
	return &agentv1.RegisterResponse{HostId: id, HeartbeatIntervalSeconds: r.HeartbeatSeconds}, nil
}

// Heartbeat records liveness and observed instances.
func (r *Registry) Heartbeat(ctx context.Context, req *agentv1.HeartbeatRequest) (*agentv1.HeartbeatResponse, error) {
	if err := r.svc.Heartbeat(ctx, req.GetHostId(), req.GetInventory(), req.GetInstances()); err != nil {
		return nil, err
	}
	return &agentv1.HeartbeatResponse{}, nil
}
