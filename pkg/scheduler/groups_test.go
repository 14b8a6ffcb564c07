package scheduler

import (
	"errors"
	"reflect"
	"testing"
)

func group(name, strategy string, partitions int) *PlacementGroup {
	return &PlacementGroup{Name: name, Strategy: strategy, PartitionCount: partitions}
}

func TestClusterGroup(t *testing.T) {
	const gib = 1024
	cl := group("cl", GroupCluster, 0)
	runPlaceCases(t, []placeCase{
		{name: "new group stays on one host while it fits",
			req:   Request{Type: typ("m5.large"), MinCount: 3, MaxCount: 3, Group: cl},
			hosts: []Host{host("a1", "a", 8, 32*gib), host("b1", "b", 8, 32*gib, used(1, 0)), host("a2", "a", 8, 32*gib)},
			want:  []string{"a1", "a1", "a1"}},
		{name: "overflows to other hosts of the same zone",
			req:   Request{Type: typ("m5.large"), MinCount: 5, MaxCount: 5, Group: cl},
			hosts: []Host{host("a1", "a", 8, 32*gib), host("a2", "a", 8, 32*gib, used(2, 0)), host("b1", "b", 8, 64*gib)},
			want:  []string{"a1", "a1", "a1", "a1", "a2"}}, // a1 takes 4 by memory, then a2
		{name: "zone that fits most wins",
			req:   Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 6, Group: cl},
			hosts: []Host{host("a1", "a", 8, 16*gib), host("b1", "b", 8, 24*gib, used(4, 0)), host("c1", "c", 8, 8*gib)},
			want:  []string{"b1", "b1", "b1"}},
		{name: "joins hosts already in the group",
			req: Request{Type: typ("m5.large"), MinCount: 2, MaxCount: 2, Group: cl},
			hosts: []Host{host("a1", "a", 8, 32*gib), host("b1", "b", 8, 32*gib, used(16, 16*gib), inGroup("cl", 2)),
				host("b2", "b", 8, 32*gib)},
			want: []string{"b1", "b1"}},
		{name: "never leaves the group's zone",
			req:       Request{Type: typ("m5.large"), MinCount: 2, MaxCount: 2, Group: cl},
			hosts:     []Host{host("a1", "a", 64, 256*gib), host("b1", "b", 2, 8*gib, used(0, 0), inGroup("cl", 1))},
			wantShort: ResourceMemory},
		{name: "other groups do not attract",
			req:   one(typ("m5.large")),
			hosts: []Host{host("a1", "a", 8, 32*gib, used(2, 2*gib), inGroup("cl", 1)), host("a2", "a", 8, 32*gib)},
			want:  []string{"a2"}},
	})
}

func TestClusterGroupZoneConflict(t *testing.T) {
	hosts := []Host{host("a1", "a", 8, 32768, inGroup("cl", 1)), host("b1", "b", 8, 32768)}
	_, err := Place(hosts, Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 1, AZ: "b", Group: group("cl", GroupCluster, 0)}, Policy{})
	if !errors.Is(err, ErrInvalidRequest) {
		t.Fatalf("err = %v, want ErrInvalidRequest", err)
	}
}

func TestSpreadGroup(t *testing.T) {
	const gib = 1024
	sp := group("sp", GroupSpread, 0)
	many := func(az string, n int) []Host {
		var hs []Host
		for i := 0; i < n; i++ {
			hs = append(hs, host(az+string(rune('0'+i)), az, 8, 32*gib))
		}
		return hs
	}
	runPlaceCases(t, []placeCase{
		{name: "one instance per host", req: Request{Type: typ("m5.large"), MinCount: 3, MaxCount: 3, Group: sp},
			pol:   Policy{Strategy: StrategyPack},
			hosts: many("a", 3), want: []string{"a0", "a1", "a2"}},
		{name: "hosts already in group excluded", req: Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 1, Group: sp},
			hosts: []Host{host("a0", "a", 8, 32*gib, inGroup("sp", 1)), host("a1", "a", 8, 32*gib, used(20, 20*gib))},
			want:  []string{"a1"}},
		{name: "distinct hosts short", req: Request{Type: typ("m5.large"), MinCount: 3, MaxCount: 3, Group: sp},
			hosts: many("a", 2), wantShort: ResourcePlacementGroup},
		{name: "seven per zone", req: Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 10, AZ: "a", Group: sp},
			hosts: many("a", 10), want: []string{"a0", "a1", "a2", "a3", "a4", "a5", "a6"}},
		{name: "seven per zone counts running instances",
			req: Request{Type: typ("t3.micro"), MinCount: 1, MaxCount: 1, AZ: "a", Group: sp},
			hosts: append(many("x", 0), host("a0", "a", 8, 32*gib, inGroup("sp", 4)), host("a1", "a", 8, 32*gib, inGroup("sp", 3)),
				host("a2", "a", 8, 32*gib)),
			wantShort: ResourcePlacementGroup},
		{name: "fourteen over two zones", req: Request{Type: typ("t3.micro"), MinCount: 14, MaxCount: 20, Group: sp},
			hosts: append(many("a", 9), many("b", 9)...),
			want:  []string{"a0", "b0", "a1", "b1", "a2", "b2", "a3", "b3", "a4", "b4", "a5", "b5", "a6", "b6"}},
	})
}

func TestPartitionGroup(t *testing.T) {
	const gib = 1024
	pg := group("pg", GroupPartition, 3)
	hosts := func(n int) []Host {
		var hs []Host
		for i := 0; i < n; i++ {
			hs = append(hs, host("h"+string(rune('0'+i)), "a", 8, 32*gib))
		}
		return hs
	}
	tests := []struct {
		name      string
		hosts     []Host
		req       Request
		wantHosts []string
		wantParts []int
		wantShort Resource
	}{
		{name: "round-robin over partitions", hosts: hosts(6),
			req:       Request{Type: typ("m5.large"), MinCount: 6, MaxCount: 6, Group: pg},
			wantHosts: []string{"h0", "h1", "h2", "h3", "h4", "h5"}, wantParts: []int{1, 2, 3, 1, 2, 3}},
		{name: "partitions reuse their own hosts", hosts: hosts(3),
			req:       Request{Type: typ("m5.large"), MinCount: 6, MaxCount: 6, Group: pg},
			wantHosts: []string{"h0", "h1", "h2", "h0", "h1", "h2"}, wantParts: []int{1, 2, 3, 1, 2, 3}},
		{name: "fewest-instances partition first",
			hosts: []Host{host("h0", "a", 8, 32*gib, inGroup("pg", 2), partition("pg", 1)),
				host("h1", "a", 8, 32*gib, inGroup("pg", 1), partition("pg", 2)), host("h2", "a", 8, 32*gib)},
			req:       Request{Type: typ("m5.large"), MinCount: 2, MaxCount: 2, Group: pg},
			wantHosts: []string{"h2", "h1"}, wantParts: []int{3, 2}},
		{name: "requested partition only",
			hosts: []Host{host("h0", "a", 8, 32*gib, inGroup("pg", 1), partition("pg", 1)),
				host("h1", "a", 8, 32*gib, inGroup("pg", 1), partition("pg", 2)), host("h2", "a", 8, 32*gib)},
			req:       Request{Type: typ("m5.large"), MinCount: 3, MaxCount: 3, Group: pg, PartitionNumber: 2},
			wantHosts: []string{"h1", "h2", "h1"}, wantParts: []int{2, 2, 2}},
		{name: "a host never serves two partitions",
			hosts: []Host{host("h0", "a", 64, 256*gib, inGroup("pg", 1), partition("pg", 1))},
			req:   Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 1, Group: pg, PartitionNumber: 2}, wantShort: ResourcePlacementGroup},
		{name: "group member without partition record is not reused",
			hosts: []Host{host("h0", "a", 64, 256*gib, inGroup("pg", 1))},
			req:   Request{Type: typ("m5.large"), MinCount: 1, MaxCount: 1, Group: pg}, wantShort: ResourcePlacementGroup},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place(tt.hosts, tt.req, Policy{})
			if tt.wantShort != "" {
				var ice *InsufficientCapacityError
				if !errors.As(err, &ice) || ice.Shortage.Resource != tt.wantShort {
					t.Fatalf("err = %v, want shortage %s", err, tt.wantShort)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var parts []int
			for _, p := range got {
				parts = append(parts, p.Partition)
			}
			if !reflect.DeepEqual(hostIDs(got), tt.wantHosts) || !reflect.DeepEqual(parts, tt.wantParts) {
				t.Fatalf("got hosts %v parts %v, want %v %v", hostIDs(got), parts, tt.wantHosts, tt.wantParts)
			}
			assertDisjointPartitions(t, tt.hosts, got)
		})
	}
}

// assertDisjointPartitions checks that no host ends up serving two
// partitions, counting both existing records and new placements.
func assertDisjointPartitions(t *testing.T, hosts []Host, ps []Placement) {
	t.Helper()
	serves := map[string]int{}
	for _, h := range hosts {
		if p := h.Partitions["pg"]; p > 0 {
			serves[h.ID] = p
		}
	}
	for _, p := range ps {
		if old, ok := serves[p.HostID]; ok && old != p.Partition {
			t.Fatalf("host %s serves partitions %d and %d", p.HostID, old, p.Partition)
		}
		serves[p.HostID] = p.Partition
	}
}
