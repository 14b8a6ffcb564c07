package controller

import (
	"context"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/storage"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// fakeStream is what the fake agent knows of live merges: the pool whose
// files it rewrites as QEMU would (nil: it has none), whether the next
// merges fail, and the requests it got.
type fakeStream struct {
	pool *storage.Pool
	fail bool
	reqs []*agentv1.StreamVolumeRequest
}

// StreamVolume merges offline what the real agent streams live: the data
// and the resulting chain are the same.
func (f *fakeAgent) StreamVolume(ctx context.Context, in *agentv1.StreamVolumeRequest, _ ...grpc.CallOption) (*agentv1.VolumeInfo, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.stream.reqs = append(f.stream.reqs, in)
	if f.stream.fail || f.stream.pool == nil {
		return nil, errFake
	}
	if err := f.stream.pool.Reparent(ctx, in.GetVolumeId(), in.GetNewBacking()); err != nil {
		return nil, err
	}
	info, err := f.stream.pool.Info(ctx, in.GetVolumeId())
	if err != nil {
		return nil, err
	}
	return &agentv1.VolumeInfo{VolumeId: in.GetVolumeId(), Chain: info.Chain}, nil
}

func (f *fakeAgent) streams() []*agentv1.StreamVolumeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.stream.reqs
}
