package agent

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/agent/agenttest"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestAgentConformance runs the agent conformance suite (the contract the
// controller's fake agent is held to as well) against the real agent on
// libvirt, over in-process gRPC with the production error interceptors.
func TestAgentConformance(t *testing.T) {
	h := newHarness(t)
	start := time.Now()
	agenttest.RunConformance(t, agenttest.Harness{
		Client:  h.client,
		Timeout: 5 * time.Minute,
		Instance: func(t *testing.T, id string) *agentv1.CreateInstanceRequest {
			root := "vol-root-" + id + ".qcow2"
			_, err := h.client.CreateVolume(context.Background(), &agentv1.CreateVolumeRequest{VolumeId: root, BackingLayer: "ami-tiny.qcow2"})
			if err != nil {
				t.Fatalf("root volume of %s: %v", id, err)
			}
			return h.createRequest(id, root)
		},
	})
	t.Logf("conformance suite took %v", time.Since(start).Round(time.Millisecond))
}
