package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// addHosts adds n more fake hosts to zone az of the rig.
func (r *rig) addHosts(t *testing.T, az string, n int) {
	t.Helper()
	for i := 0; i < n; i++ {
		inv := &agentv1.Inventory{HostId: fmt.Sprintf("h-%s-%d", az, i+2), AvailabilityZone: az, Vcpus: 8, MemoryMib: 8192, DomainType: "qemu"}
		if _, err := r.svc.AddHost(context.Background(), hostgrpc.InventoryFrom(inv), "fake", hostgrpc.New(newFakeAgent())); err != nil {
			t.Fatal(err)
		}
	}
}

func (r *rig) runInGroup(group string, az string, count, partition int) (RunResult, error) {
	return r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: count,
		MaxCount: count, AZ: az, PlacementGroup: group, PartitionNumber: partition})
}

func (r *rig) newGroup(t *testing.T, name, strategy string, partitions int) {
	t.Helper()
	if _, err := r.svc.CreatePlacementGroup(ctxFor(acct1), name, strategy, partitions, nil, false); err != nil {
		t.Fatal(err)
	}
}

func TestSpreadPlacementGroup(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	r.addHosts(t, "lab-1a", 8) // 9 hosts in lab-1a
	r.newGroup(t, "web", "spread", 0)
	res, err := r.runInGroup("web", "lab-1a", 3, 0)
	if err != nil {
		t.Fatal(err)
	}
	hosts := map[string]bool{}
	for _, in := range res.Instances {
		hosts[in.HostID] = true
		if in.PlacementGroup != "web" {
			t.Errorf("%s placement group %q, want web", in.ID, in.PlacementGroup)
		}
	}
	if len(hosts) != 3 {
		t.Errorf("3 spread instances on %d distinct hosts, want 3", len(hosts))
	}
	if _, err := r.runInGroup("web", "lab-1a", 4, 0); err != nil {
		t.Fatalf("instances 4-7: %v", err)
	}
	_, err = r.runInGroup("web", "lab-1a", 1, 0)
	if errCode(err) != "InsufficientInstanceCapacity" || !strings.Contains(err.Error(), `"web"`) {
		t.Errorf("8th spread instance in one AZ: %v, want InsufficientInstanceCapacity naming \"web\"", err)
	}
	if _, err := r.runInGroup("web", "lab-1b", 1, 0); err != nil {
		t.Errorf("spread instance in another AZ: %v", err)
	}
}

func TestClusterPlacementGroup(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	r.addHosts(t, "lab-1b", 2)
	r.newGroup(t, "hpc", "cluster", 0)
	zones := map[string]bool{}
	for i := 0; i < 3; i++ {
		res, err := r.runInGroup("hpc", "", 2, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, in := range res.Instances {
			zones[in.AZ] = true
		}
	}
	if len(zones) != 1 {
		t.Errorf("cluster group instances in zones %v, want one", zones)
	}
}

func TestPartitionPlacementGroup(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	r.addHosts(t, "lab-1a", 6) // 7 hosts: the spread policy may give each partition two
	r.newGroup(t, "kafka", "partition", 3)
	hostPart := map[string]int{}
	for p := 1; p <= 3; p++ {
		res, err := r.runInGroup("kafka", "lab-1a", 2, p)
		if err != nil {
			t.Fatalf("partition %d: %v", p, err)
		}
		for _, in := range res.Instances {
			if in.Partition != p {
				t.Errorf("%s partition %d, want %d", in.ID, in.Partition, p)
			}
			if q, ok := hostPart[in.HostID]; ok && q != p {
				t.Errorf("host %s serves partitions %d and %d", in.HostID, q, p)
			}
			hostPart[in.HostID] = p
		}
	}
	if _, err := r.runInGroup("kafka", "lab-1a", 1, 4); errCode(err) != "InvalidParameterValue" {
		t.Errorf("partition 4 of 3: %v, want InvalidParameterValue", err)
	}
}

func TestPlacementGroupAPI(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	r.newGroup(t, "web", "spread", 0)
	checks := []struct {
		name string
		call func() error
		code string
	}{
		{"duplicate", func() error { _, err := r.svc.CreatePlacementGroup(ctx, "web", "cluster", 0, nil, false); return err }, "InvalidPlacementGroup.Duplicate"},
		{"bad strategy", func() error { _, err := r.svc.CreatePlacementGroup(ctx, "x", "pack", 0, nil, false); return err }, "InvalidParameterValue"},
		{"eight partitions", func() error { _, err := r.svc.CreatePlacementGroup(ctx, "x", "partition", 8, nil, false); return err }, "InvalidParameterValue"},
		{"describe unknown", func() error { _, err := r.svc.DescribePlacementGroups(ctx, []string{"nope"}, nil, nil); return err }, "InvalidPlacementGroup.Unknown"},
		{"run unknown", func() error { _, err := r.runInGroup("nope", "", 1, 0); return err }, "InvalidPlacementGroup.Unknown"},
		{"other account", func() error {
			_, err := r.svc.DescribePlacementGroups(ctxFor(acct2), []string{"web"}, nil, nil)
			return err
		}, "InvalidPlacementGroup.Unknown"},
		{"delete unknown", func() error { return r.svc.DeletePlacementGroup(ctx, "nope", false) }, "InvalidPlacementGroup.Unknown"},
	}
	for _, c := range checks {
		if got := errCode(c.call()); got != c.code {
			t.Errorf("%s: %q, want %q", c.name, got, c.code)
		}
	}
	res, err := r.runInGroup("web", "", 1, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DeletePlacementGroup(ctx, "web", false); errCode(err) != "InvalidPlacementGroup.InUse" {
		t.Errorf("delete in use: %v, want InvalidPlacementGroup.InUse", err)
	}
	r.setState(t, res.Instances[0].ID, StateTerminated)
	if err := r.svc.DeletePlacementGroup(ctx, "web", false); err != nil {
		t.Errorf("delete after terminate: %v", err)
	}
	if gs, err := r.svc.DescribePlacementGroups(ctx, nil, nil, nil); err != nil || len(gs) != 0 {
		t.Errorf("after delete: %v %v, want none", gs, err)
	}
}
