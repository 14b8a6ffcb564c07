package controller

import (
	"context"

	"google.golang.org/grpc"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// SetFirewall records the desired firewall (the fake has no netfilter).
func (f *fakeAgent) SetFirewall(_ context.Context, in *agentv1.FirewallState, _ ...grpc.CallOption) (*agentv1.SetFirewallResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.firewall = in
	return &agentv1.SetFirewallResponse{}, nil
}

func (f *fakeAgent) lastFirewall() *agentv1.FirewallState {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.firewall
}
