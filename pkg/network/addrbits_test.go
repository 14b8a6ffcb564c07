package network

import (
	"net/netip"
	"testing"
)

func TestAddrBitsFirstFree(t *testing.T) {
	a := netip.MustParseAddr
	tests := []struct {
		name      string
		taken     []string
		also      []string
		lo, hi    string
		want      string
		wantFound bool
	}{
		{"empty", nil, nil, "10.0.0.4", "10.0.0.254", "10.0.0.4", true},
		{"skips taken", []string{"10.0.0.4", "10.0.0.5"}, nil, "10.0.0.4", "10.0.0.254", "10.0.0.6", true},
		{"hole below", []string{"10.0.0.4", "10.0.0.6"}, nil, "10.0.0.4", "10.0.0.254", "10.0.0.5", true},
		{"also counts", []string{"10.0.0.4"}, []string{"10.0.0.5"}, "10.0.0.4", "10.0.0.254", "10.0.0.6", true},
		{"crosses a word", span("10.0.0.4", 60), nil, "10.0.0.4", "10.0.0.254", "10.0.0.64", true},
		{"lo mid-word ignores bits below", nil, nil, "10.0.0.70", "10.0.0.80", "10.0.0.70", true},
		{"full range", span("10.0.0.4", 4), nil, "10.0.0.4", "10.0.0.7", "", false},
		{"hi mid-word is a bound", span("10.0.0.4", 3), nil, "10.0.0.4", "10.0.0.6", "", false},
		{"/16 with a full first /24", span("172.31.0.4", 252), nil, "172.31.0.4", "172.31.255.254", "172.31.1.0", true},
		{"lo above hi", nil, nil, "10.0.0.9", "10.0.0.4", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s, also AddrBits
			for _, x := range tt.taken {
				s.Add(a(x))
			}
			for _, x := range tt.also {
				also.Add(a(x))
			}
			got, ok := s.FirstFree(a(tt.lo), a(tt.hi), &also)
			if ok != tt.wantFound || (ok && got != a(tt.want)) {
				t.Errorf("FirstFree = %v, %v; want %s, %v", got, ok, tt.want, tt.wantFound)
			}
		})
	}
}

// A second holder of one address (a record conflict) keeps it taken until
// both have released it.
func TestAddrBitsCountsHolders(t *testing.T) {
	var s AddrBits
	x := netip.MustParseAddr("10.0.0.9")
	s.Add(x)
	s.Add(x)
	s.Remove(x)
	if !s.Has(x) || s.Len() != 1 {
		t.Fatalf("after one of two releases: has %v len %d, want taken, 1", s.Has(x), s.Len())
	}
	c := s.Clone()
	s.Remove(x)
	if s.Has(x) || s.Len() != 0 {
		t.Errorf("after both releases: has %v len %d", s.Has(x), s.Len())
	}
	if !c.Has(x) {
		t.Errorf("the clone changed with the original")
	}
	s.Remove(x) // releasing a free address changes nothing
	if s.Len() != 0 {
		t.Errorf("len %d after a spurious release", s.Len())
	}
}

// A pool made over held addresses never hands them out and refuses them
// when asked by address.
func TestPoolOverHeld(t *testing.T) {
	var held AddrBits
	held.Add(netip.MustParseAddr("10.0.1.4"))
	p := NewPoolOver(netip.MustParsePrefix("10.0.1.0/28"), &held)
	got, err := p.Allocate("i-a", "")
	if err != nil || got != netip.MustParseAddr("10.0.1.5") {
		t.Fatalf("Allocate = %v, %v; want 10.0.1.5", got, err)
	}
	if _, err := p.Allocate("i-b", "10.0.1.4"); err == nil {
		t.Errorf("a held address was handed out on request")
	}
	if held.Len() != 1 || p.Available() != 11-2 {
		t.Errorf("held %d, available %d; want 1 and 9 (11 usable in a /28)", held.Len(), p.Available())
	}
}

// span lists n consecutive addresses from first.
func span(first string, n int) []string {
	var out []string
	for a := netip.MustParseAddr(first); len(out) < n; a = a.Next() {
		out = append(out, a.String())
	}
	return out
}
