package scheduler

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/instancetypes"
)

// apply reserves each placement on the caller's hosts, as a controller does.
func apply(hosts []Host, t instancetypes.Type, group string, ps []Placement) {
	for _, p := range ps {
		for i := range hosts {
			if hosts[i].ID == p.HostID {
				hosts[i].Reserve(t, group, p.Partition)
			}
		}
	}
}

func TestMinMaxCount(t *testing.T) {
	const gib = 1024
	twoHosts := func() []Host { return []Host{host("h1", "a", 4, 16*gib), host("h2", "a", 4, 16*gib)} } // 2 m5.large each by memory
	tests := []struct {
		name     string
		min, max int
		want     int
		wantErr  bool
	}{
		{name: "all fit", min: 1, max: 3, want: 3},
		{name: "exactly capacity", min: 4, max: 4, want: 4},
		{name: "partial at least min", min: 2, max: 10, want: 4},
		{name: "min above capacity places none", min: 5, max: 10, wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place(twoHosts(), Request{Type: typ("m5.large"), MinCount: tt.min, MaxCount: tt.max}, Policy{})
			if tt.wantErr {
				var ice *InsufficientCapacityError
				if !errors.As(err, &ice) || got != nil {
					t.Fatalf("Place = %v, %v; want no placements and a capacity error", got, err)
				}
				if ice.Fit != 4 || ice.MinCount != tt.min {
					t.Fatalf("Fit %d MinCount %d, want 4 %d", ice.Fit, ice.MinCount, tt.min)
				}
				return
			}
			if err != nil || len(got) != tt.want {
				t.Fatalf("placed %d (%v), want %d", len(got), err, tt.want)
			}
		})
	}
}

func TestCapacityUpdatedWithinRequest(t *testing.T) {
	// One host with room for exactly two c5.large by dedicated CPUs, two
	// GPUs, and hugepages for two r5.large: a third must not fit.
	tests := []struct {
		name string
		typ  string
		h    Host
	}{
		{"dedicated", "c5.large", host("h", "a", 64, 1<<20, dedicated(4))},
		{"hugepages", "r5.large", host("h", "a", 64, 1<<20, hugepages(32768))},
		{"gpus", "p3.2xlarge", host("h", "a", 64, 1<<20, gpus(2))},
		{"disk", "i3.large", host("h", "a", 64, 1<<20, disk(950))},
		{"vcpus", "m5.large", host("h", "a", 1, 1<<20)},
		{"memory", "m5.large", host("h", "a", 64, 16384)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place([]Host{tt.h}, Request{Type: typ(tt.typ), MinCount: 1, MaxCount: 3}, Policy{})
			if err != nil || len(got) != 2 {
				t.Fatalf("placed %d (%v), want 2", len(got), err)
			}
		})
	}
}

func TestPlaceLeavesInputAlone(t *testing.T) {
	hosts := []Host{host("h1", "a", 8, 32768, inGroup("sp", 1)), host("h2", "a", 8, 32768)}
	before := []Host{hosts[0].clone(), hosts[1].clone()}
	_, err := Place(hosts, Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 1, Group: group("pg", GroupPartition, 2)}, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(hosts, before) {
		t.Fatalf("Place changed its input:\n%+v\n%+v", hosts, before)
	}
}

func TestDeterministic(t *testing.T) {
	hosts := benchHosts(300, 3, 3000)
	req := Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 50, Group: group("pg", GroupPartition, 5)}
	first, err := Place(hosts, req, Policy{})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 5; i++ {
		again, _ := Place(hosts, req, Policy{})
		if !reflect.DeepEqual(first, again) {
			t.Fatal("same input gave different placements")
		}
	}
}

func TestReserveRelease(t *testing.T) {
	h := host("h", "a", 8, 65536, dedicated(8), hugepages(65536), gpus(1), disk(1000))
	orig := h.clone()
	for _, name := range []string{"c5.large", "r5.large", "g4dn.xlarge", "i3.large"} {
		h.Reserve(typ(name), "pg", 2)
	}
	if h.Instances != 4 || h.FreeDedicatedCPUs != 6 || h.HugepagesFreeMiB != 65536-16384 || h.FreeGPUs != 0 ||
		h.FreeLocalDiskGB != 1000-125-475 || h.PlacementGroups["pg"] != 4 || h.Partitions["pg"] != 2 {
		t.Fatalf("after Reserve: %+v", h)
	}
	for _, name := range []string{"c5.large", "r5.large", "g4dn.xlarge", "i3.large"} {
		h.Release(typ(name), "pg")
	}
	if h.PlacementGroups["pg"] != 0 || h.Partitions["pg"] != 0 {
		t.Fatalf("group left behind: %+v", h)
	}
	h.PlacementGroups, h.Partitions = nil, nil
	if !reflect.DeepEqual(h, orig) {
		t.Fatalf("after Release %+v, want %+v", h, orig)
	}
}
