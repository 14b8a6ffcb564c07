package controller

import (
	"context"

	"google.golang.org/grpc"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// SyncNetwork accepts any desired network (the fake has no data plane).
func (f *fakeAgent) SyncNetwork(context.Context, *agentv1.SyncNetworkRequest, ...grpc.CallOption) (*agentv1.SyncNetworkResponse, error) {
	return &agentv1.SyncNetworkResponse{}, nil
}
