package controller

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// tuneRecorder is a fake agent that also records SetIOTune and
// ResizeVolume calls.
type tuneRecorder struct {
	*fakeAgent
	calls []string
}

func (f *tuneRecorder) SetIOTune(_ context.Context, in *agentv1.SetIOTuneRequest, _ ...grpc.CallOption) (*agentv1.SetIOTuneResponse, error) {
	f.calls = append(f.calls, fmt.Sprintf("iotune %s/%s %d iops %d B/s", in.GetInstanceId(), in.GetTarget(),
		in.GetIotune().GetTotalIopsSec(), in.GetIotune().GetTotalBytesSec()))
	return &agentv1.SetIOTuneResponse{}, nil
}

func (f *tuneRecorder) ResizeVolume(_ context.Context, in *agentv1.ResizeVolumeRequest, _ ...grpc.CallOption) (*agentv1.VolumeInfo, error) {
	f.calls = append(f.calls, fmt.Sprintf("resize %s %d GiB live=%q", in.GetVolumeId(), in.GetSizeBytes()>>30, in.GetInstanceId()))
	return &agentv1.VolumeInfo{}, nil
}

// TestModifyVolumeOfStoppedInstance: new IOPS and throughput of a volume
// attached to a stopped instance reach its domain's definition (so the next
// start has them), and a resize then is not a live one.
func TestModifyVolumeOfStoppedInstance(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	rec := &tuneRecorder{fakeAgent: r.agents["lab-1a"]}
	r.svc.mu.Lock()
	r.svc.agents[r.get(t, id).HostID] = hostgrpc.New(rec)
	r.svc.mu.Unlock()

	v, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 10, Type: "gp3"})
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.createVolume(context.Background(), r.volume(t, v.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := update(context.Background(), r.svc.st, prefixVolume+v.ID, func(v *Volume) error {
		v.State, v.Attachment = "in-use", &Attachment{InstanceID: id, Device: "/dev/sdf", Target: "vdb", State: "attached"}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r.setState(t, id, StateStopped)

	if _, err := r.svc.ModifyVolume(ctx, v.ID, 20, "", 6000, 250, false); err != nil {
		t.Fatal(err)
	}
	want := []string{
		fmt.Sprintf("resize %s 20 GiB live=\"\"", r.volume(t, v.ID).Head),
		fmt.Sprintf("iotune %s/vdb 6000 iops %d B/s", id, 250<<20),
	}
	if !slices.Equal(rec.calls, want) {
		t.Errorf("agent calls %q, want %q", rec.calls, want)
	}
}
