package network

import (
	"net/netip"
	"testing"
)

func TestPoolAllocate(t *testing.T) {
	type step struct {
		owner, requested string
		want, code       string
	}
	for _, tc := range []struct {
		name  string
		cidr  string
		steps []step
	}{
		{"lowest free first", "10.0.1.0/24", []step{
			{"i-1", "", "10.0.1.4", ""},
			{"i-2", "", "10.0.1.5", ""},
			{"i-1", "", "10.0.1.4", ""}, // retry: same address, not a second one
		}},
		{"requested address", "10.0.1.0/24", []step{
			{"i-1", "10.0.1.100", "10.0.1.100", ""},
			{"i-2", "10.0.1.100", "", CodeInvalidIPAddressInUse},
			{"i-2", "", "10.0.1.4", ""},
			{"i-3", "10.0.1.4", "", CodeInvalidIPAddressInUse},
			{"i-1", "10.0.1.100", "10.0.1.100", ""},
			{"i-1", "10.0.1.101", "", CodeInvalidParameterValue},
		}},
		{"requested reserved or outside", "10.0.1.0/24", []step{
			{"i-1", "10.0.1.1", "", CodeInvalidParameterValue},
			{"i-1", "10.0.1.3", "", CodeInvalidParameterValue},
			{"i-1", "10.0.1.255", "", CodeInvalidParameterValue},
			{"i-1", "10.0.2.4", "", CodeInvalidParameterValue},
			{"i-1", "not-an-ip", "", CodeInvalidParameterValue},
			{"i-1", "fd00::4", "", CodeInvalidParameterValue},
		}},
		{"exhausted /28", "10.0.1.0/28", []step{
			{"i-1", "", "10.0.1.4", ""}, {"i-2", "", "10.0.1.5", ""}, {"i-3", "", "10.0.1.6", ""},
			{"i-4", "", "10.0.1.7", ""}, {"i-5", "", "10.0.1.8", ""}, {"i-6", "", "10.0.1.9", ""},
			{"i-7", "", "10.0.1.10", ""}, {"i-8", "", "10.0.1.11", ""}, {"i-9", "", "10.0.1.12", ""},
			{"i-10", "", "10.0.1.13", ""}, {"i-11", "", "10.0.1.14", ""},
			{"i-12", "", "", CodeInsufficientFreeAddrs},
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p := NewPool(netip.MustParsePrefix(tc.cidr))
			for _, s := range tc.steps {
				got, err := p.Allocate(s.owner, s.requested)
				if code(err) != s.code || (err == nil && got.String() != s.want) {
					t.Fatalf("Allocate(%s, %q) = %v, %v; want %q, code %q", s.owner, s.requested, got, err, s.want, s.code)
				}
			}
		})
	}
}

func TestPoolReleaseReusesAndNeverDoubles(t *testing.T) {
	p := NewPool(netip.MustParsePrefix("10.0.0.0/28"))
	seen := map[netip.Addr]string{}
	owners := []string{"i-a", "i-b", "i-c", "i-d", "i-e"}
	for _, o := range owners {
		a, err := p.Allocate(o, "")
		if err != nil {
			t.Fatal(err)
		}
		if prev, dup := seen[a]; dup {
			t.Fatalf("%s got %s, already %s's", o, a, prev)
		}
		seen[a] = o
	}
	if p.Available() != 11-5 {
		t.Errorf("Available = %d, want 6", p.Available())
	}
	freed, ok := p.Release("i-b")
	if !ok || freed.String() != "10.0.0.5" {
		t.Fatalf("Release(i-b) = %v, %v", freed, ok)
	}
	if _, ok := p.Release("i-b"); ok {
		t.Error("second Release(i-b) reported an address")
	}
	if a, _ := p.Allocate("i-f", ""); a != freed {
		t.Errorf("after release the lowest free is %s, want %s", a, freed)
	}
	if got := p.Allocations(); len(got) != 5 || got[freed] != "i-f" {
		t.Errorf("Allocations = %v", got)
	}
	if a, ok := p.Lookup("i-a"); !ok || a.String() != "10.0.0.4" {
		t.Errorf("Lookup(i-a) = %v, %v", a, ok)
	}
}

func TestPoolRebuiltWithAssign(t *testing.T) {
	p := NewPool(netip.MustParsePrefix("10.0.0.0/24"))
	for owner, addr := range map[string]string{"i-a": "10.0.0.4", "i-b": "10.0.0.6"} {
		if err := p.Assign(owner, netip.MustParseAddr(addr)); err != nil {
			t.Fatal(err)
		}
	}
	if a, _ := p.Allocate("i-c", ""); a.String() != "10.0.0.5" {
		t.Errorf("gap not reused: %s", a)
	}
	if a, _ := p.Allocate("i-d", ""); a.String() != "10.0.0.7" {
		t.Errorf("next after assigned: %s", a)
	}
}
