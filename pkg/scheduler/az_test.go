package scheduler

import (
	"reflect"
	"testing"
)

func zoneCounts(ps []Placement) map[string]int {
	m := map[string]int{}
	for _, p := range ps {
		m[p.AZ]++
	}
	return m
}

func TestAZSpreading(t *testing.T) {
	const gib = 1024
	threeZones := []Host{
		host("a1", "lab-1a", 16, 64*gib), host("a2", "lab-1a", 16, 64*gib, used(8, 8*gib)),
		host("b1", "lab-1b", 16, 64*gib, used(12, 16*gib)),
		host("c1", "lab-1c", 16, 64*gib), host("c2", "lab-1c", 16, 64*gib), host("c3", "lab-1c", 16, 64*gib),
	}
	tests := []struct {
		name  string
		hosts []Host
		req   Request
		pol   Policy
		want  map[string]int
	}{
		{name: "6 over 3 zones is 2/2/2", hosts: threeZones,
			req:  Request{Type: typ("m5.large"), MinCount: 6, MaxCount: 6},
			want: map[string]int{"lab-1a": 2, "lab-1b": 2, "lab-1c": 2}},
		{name: "6 over 3 zones with pack is still 2/2/2", hosts: threeZones, pol: Policy{Strategy: StrategyPack},
			req:  Request{Type: typ("m5.large"), MinCount: 6, MaxCount: 6},
			want: map[string]int{"lab-1a": 2, "lab-1b": 2, "lab-1c": 2}},
		{name: "full zone skipped", req: Request{Type: typ("m5.large"), MinCount: 4, MaxCount: 4},
			hosts: []Host{host("a1", "lab-1a", 8, 32*gib), host("b1", "lab-1b", 8, 8*gib, used(0, 4*gib)), host("c1", "lab-1c", 8, 32*gib)},
			want:  map[string]int{"lab-1a": 2, "lab-1c": 2}},
		{name: "zone out of capacity midway", req: Request{Type: typ("m5.large"), MinCount: 5, MaxCount: 5},
			hosts: []Host{host("a1", "lab-1a", 8, 32*gib), host("b1", "lab-1b", 8, 8*gib)},
			want:  map[string]int{"lab-1a": 4, "lab-1b": 1}},
		{name: "pinned zone", req: Request{Type: typ("m5.large"), MinCount: 3, MaxCount: 3, AZ: "lab-1c"}, hosts: threeZones,
			want: map[string]int{"lab-1c": 3}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Place(tt.hosts, tt.req, tt.pol)
			if err != nil {
				t.Fatal(err)
			}
			if c := zoneCounts(got); !reflect.DeepEqual(c, tt.want) {
				t.Fatalf("zones %v, want %v (hosts %v)", c, tt.want, hostIDs(got))
			}
		})
	}
}

func TestSingleRequestsBalanceZones(t *testing.T) {
	// Many one-instance requests must not all land in the first zone.
	hosts := []Host{host("a1", "lab-1a", 16, 65536), host("b1", "lab-1b", 16, 65536), host("c1", "lab-1c", 16, 65536)}
	counts := map[string]int{}
	for i := 0; i < 9; i++ {
		ps, err := Place(hosts, one(typ("m5.large")), Policy{})
		if err != nil {
			t.Fatal(err)
		}
		counts[ps[0].AZ]++
		apply(hosts, typ("m5.large"), "", ps)
	}
	if want := map[string]int{"lab-1a": 3, "lab-1b": 3, "lab-1c": 3}; !reflect.DeepEqual(counts, want) {
		t.Fatalf("zones %v, want %v", counts, want)
	}
}
