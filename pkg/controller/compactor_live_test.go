package controller

import (
	"context"
	"slices"
	"testing"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestCompactorMergesLiveHeads attaches a volume with three snapshots to
// an instance and deletes snapshots: a hidden layer right under the head
// of a running instance is merged by the instance's agent (live), one of a
// stopped instance offline, and nothing happens while the instance is in
// transition or to a layer under an open snapshot layer.
func TestCompactorMergesLiveHeads(t *testing.T) {
	tests := []struct {
		name        string
		state       string
		deleted     []int // indexes of the snapshots deleted
		failStream  bool
		wantMerges  int
		wantStreams int
		onto        int // the layer the agent is asked to stream onto
		wantChain   func(head string, l []string) []string
	}{
		{"running: streamed by the agent", StateRunning, []int{2}, false, 1, 1, 1,
			func(h string, l []string) []string { return []string{h, l[1], l[0]} }},
		{"running: two hidden layers in one stream", StateRunning, []int{2, 1}, false, 1, 1, 0,
			func(h string, l []string) []string { return []string{h, l[0]} }},
		{"running, agent fails: chain unchanged", StateRunning, []int{2}, true, 0, 1, 1,
			func(h string, l []string) []string { return []string{h, l[2], l[1], l[0]} }},
		{"running: hidden layer under an open snapshot layer stays", StateRunning, []int{1}, false, 0, 0, 0,
			func(h string, l []string) []string { return []string{h, l[2], l[1], l[0]} }},
		{"stopped: merged offline", StateStopped, []int{2}, false, 1, 0, 0,
			func(h string, l []string) []string { return []string{h, l[1], l[0]} }},
		{"stopping: left alone", StateStopping, []int{2}, false, 0, 0, 0,
			func(h string, l []string) []string { return []string{h, l[2], l[1], l[0]} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
			ctx := context.Background()
			pool, _ := r.svc.Pool("lab-1a")
			ag := r.agents["lab-1a"]
			ag.stream.pool, ag.stream.fail = pool, tc.failStream
			vol, snaps := snapChain(t, r, 3)
			id := r.attachedTo(t, vol)
			r.setState(t, id, tc.state)
			v := r.volume(t, vol)
			layers := r.layers(t, snaps)
			before := rawSum(t, pool, v.Head)
			for _, i := range tc.deleted {
				if err := r.svc.DeleteSnapshot(ctxFor(acct1), snaps[i], false); err != nil {
					t.Fatal(err)
				}
			}
			if n := r.svc.compactOnce(ctx); n != tc.wantMerges {
				t.Errorf("compaction merged %d times, want %d", n, tc.wantMerges)
			}
			streams := ag.streams()
			if len(streams) != tc.wantStreams {
				t.Fatalf("agent got %d live merges, want %d: %v", len(streams), tc.wantStreams, streams)
			}
			if len(streams) > 0 {
				req := &agentv1.StreamVolumeRequest{InstanceId: id, VolumeId: v.Head, NewBacking: layers[tc.onto]}
				if got := streams[0]; got.GetInstanceId() != req.InstanceId || got.GetVolumeId() != req.VolumeId || got.GetNewBacking() != req.NewBacking {
					t.Errorf("live merge request %v, want %v", got, req)
				}
			}
			info, err := pool.Info(ctx, v.Head)
			if err != nil {
				t.Fatal(err)
			}
			if want := tc.wantChain(v.Head, layers); !slices.Equal(info.Chain, want) {
				t.Errorf("volume chain %v, want %v", info.Chain, want)
			}
			if got := rawSum(t, pool, v.Head); got != before {
				t.Errorf("the volume's data changed")
			}
		})
	}
}

// attachedTo launches an instance in lab-1a and records vol attached to it.
func (r *rig) attachedTo(t *testing.T, vol string) string {
	t.Helper()
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	if s := r.get(t, id).State; s != StateRunning {
		t.Fatalf("launch: state %s", s)
	}
	_, err := update(context.Background(), r.svc.st, prefixVolume+vol, func(v *Volume) error {
		v.State, v.Attachment = "in-use", &Attachment{InstanceID: id, Device: "/dev/sdf", Target: "vdb", State: "attached"}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}
