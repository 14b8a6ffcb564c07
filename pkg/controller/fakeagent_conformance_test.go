package controller

import (
	"context"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/agent/agenttest"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestFakeAgentConformance holds fakeAgent to the contract the real agent
// passes (pkg/agent's TestAgentConformance), so the controller's tests do
// not rely on a host that cannot exist.
func TestFakeAgentConformance(t *testing.T) {
	f := newFakeAgent()
	agenttest.RunConformance(t, agenttest.Harness{
		Client: f,
		Instance: func(t *testing.T, id string) *agentv1.CreateInstanceRequest {
			root := "vol-root-" + id + ".qcow2"
			if _, err := f.CreateVolume(context.Background(), &agentv1.CreateVolumeRequest{VolumeId: root, SizeBytes: 1 << 30}); err != nil {
				t.Fatalf("root volume of %s: %v", id, err)
			}
			return &agentv1.CreateInstanceRequest{InstanceId: id, OwnerId: acct1, InstanceType: "lab.tiny", ImageId: "ami-0fake",
				Vcpus: 1, MemoryMib: 256, Disks: []*agentv1.Disk{{VolumeId: "vol-root", Path: root, Target: "vda"}}}
		},
	})
}
