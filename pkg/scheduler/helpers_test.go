package scheduler

import (
	"errors"
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/instancetypes"
)

var catalog = instancetypes.Default()

func typ(name string) instancetypes.Type {
	t, ok := catalog.Get(name)
	if !ok {
		panic("no type " + name)
	}
	return t
}

// host is a healthy empty host; opts adjust it.
func host(id, az string, vcpus int, mib int64, opts ...func(*Host)) Host {
	h := Host{ID: id, AZ: az, Healthy: true, VCPUs: vcpus, MemoryMiB: mib}
	for _, o := range opts {
		o(&h)
	}
	return h
}

func used(vcpus int, mib int64) func(*Host) {
	return func(h *Host) { h.AllocatedVCPUs, h.AllocatedMemoryMiB = vcpus, mib }
}
func dedicated(n int) func(*Host)     { return func(h *Host) { h.FreeDedicatedCPUs = n } }
func hugepages(mib int64) func(*Host) { return func(h *Host) { h.HugepagesFreeMiB = mib } }
func gpus(n int) func(*Host)          { return func(h *Host) { h.FreeGPUs = n } }
func disk(gb int64) func(*Host)       { return func(h *Host) { h.FreeLocalDiskGB = gb } }
func lastPlaced(n int64) func(*Host)  { return func(h *Host) { h.LastPlaced = n } }
func unhealthy(h *Host)               { h.Healthy = false }
func inGroup(g string, n int) func(*Host) {
	return func(h *Host) {
		if h.PlacementGroups == nil {
			h.PlacementGroups = map[string]int{}
		}
		h.PlacementGroups[g] = n
	}
}
func partition(g string, p int) func(*Host) {
	return func(h *Host) {
		if h.Partitions == nil {
			h.Partitions = map[string]int{}
		}
		h.Partitions[g] = p
	}
}

func one(t instancetypes.Type) Request { return Request{Type: t, MinCount: 1, MaxCount: 1} }

func hostIDs(ps []Placement) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = p.HostID
	}
	return out
}

// placeCase is the common table row: place req on hosts and expect either
// these host IDs in order or a capacity error short of wantShort.
type placeCase struct {
	name      string
	hosts     []Host
	req       Request
	pol       Policy
	want      []string
	wantShort Resource
}

func runPlaceCases(t *testing.T, cases []placeCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place(tt.hosts, tt.req, tt.pol)
			if tt.wantShort != "" {
				var ice *InsufficientCapacityError
				if !errors.As(err, &ice) {
					t.Fatalf("Place = %v, %v; want InsufficientCapacityError", hostIDs(got), err)
				}
				if ice.Shortage.Resource != tt.wantShort {
					t.Fatalf("shortage %s (%v), want %s", ice.Shortage.Resource, err, tt.wantShort)
				}
				if got != nil {
					t.Fatalf("placements %v returned with error", got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Place: %v", err)
			}
			if !reflect.DeepEqual(hostIDs(got), tt.want) {
				t.Fatalf("hosts %v, want %v", hostIDs(got), tt.want)
			}
		})
	}
}
