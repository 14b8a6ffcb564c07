package controller

import (
	"net/netip"
	"strings"
	"testing"
)

func TestParseElasticIPPool(t *testing.T) {
	for _, tc := range []struct {
		name       string
		specs      []string
		first, end string // lowest and highest address; "" for an error
		size       int
		err        string
	}{
		{name: "none", size: 0},
		{name: "cidr drops network and broadcast", specs: []string{"198.51.100.0/29"}, first: "198.51.100.1", end: "198.51.100.6", size: 6},
		{name: "/31 keeps both", specs: []string{"198.51.100.8/31"}, first: "198.51.100.8", end: "198.51.100.9", size: 2},
		{name: "/32", specs: []string{"198.51.100.9/32"}, first: "198.51.100.9", end: "198.51.100.9", size: 1},
		{name: "range", specs: []string{"203.0.113.10-203.0.113.12"}, first: "203.0.113.10", end: "203.0.113.12", size: 3},
		{name: "sorted", specs: []string{"203.0.113.10-203.0.113.10", "198.51.100.0/30"}, first: "198.51.100.1", end: "203.0.113.10", size: 3},
		{name: "ipv6", specs: []string{"2001:db8::/64"}, err: "IPv4"},
		{name: "garbage", specs: []string{"lots"}, err: "IPv4"},
		{name: "host bits", specs: []string{"198.51.100.1/24"}, err: "host bits"},
		{name: "reversed range", specs: []string{"203.0.113.12-203.0.113.10"}, err: "ends before"},
		{name: "overlap", specs: []string{"198.51.100.0/24", "198.51.100.7-198.51.100.9"}, err: "overlaps"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParseElasticIPPool(tc.specs)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), "elastic_ip_pool") {
					t.Fatalf("err %v, want one naming elastic_ip_pool and %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			taken := map[netip.Addr]bool{}
			var got []netip.Addr
			for {
				a, ok := p.lowestFree(taken)
				if !ok {
					break
				}
				taken[a] = true
				got = append(got, a)
			}
			if len(got) != tc.size {
				t.Fatalf("%d addresses, want %d: %v", len(got), tc.size, got)
			}
			if tc.size > 0 && (got[0].String() != tc.first || got[len(got)-1].String() != tc.end) {
				t.Errorf("addresses %s..%s, want %s..%s", got[0], got[len(got)-1], tc.first, tc.end)
			}
			for _, a := range got {
				if !p.Contains(a) {
					t.Errorf("pool does not contain its own %s", a)
				}
			}
		})
	}
}

func TestConfigValidatesElasticIPPool(t *testing.T) {
	c := Config{Region: "lab-1", AvailabilityZones: []ZoneSpec{{Name: "lab-1a", Pool: "/tmp/x"}},
		ElasticIPPool: []string{"10.0.0.0/33"}}
	if err := c.Validate(); err == nil || !strings.Contains(err.Error(), "elastic_ip_pool") {
		t.Errorf("Validate: %v, want an elastic_ip_pool error", err)
	}
}
