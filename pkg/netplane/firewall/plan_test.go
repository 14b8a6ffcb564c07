package firewall

import (
	"net/netip"
	"strings"
	"testing"
)

func TestCompileRejects(t *testing.T) {
	tests := []struct {
		name string
		d    Desired
		want string
	}{
		{"bad protocol", desiredWith(Rule{Protocol: "sctpx", CIDRs: prefix("0.0.0.0/0")}), "invalid protocol"},
		{"reversed ports", desiredWith(Rule{Protocol: "tcp", FromPort: 90, ToPort: 80, CIDRs: prefix("0.0.0.0/0")}), "invalid port range"},
		{"port too high", desiredWith(Rule{Protocol: "udp", FromPort: 1, ToPort: 70000, CIDRs: prefix("0.0.0.0/0")}), "invalid port range"},
		{"icmp type", desiredWith(Rule{Protocol: "icmp", FromPort: 300, ToPort: -1, CIDRs: prefix("0.0.0.0/0")}), "invalid icmp"},
		{"bad mac", Desired{Ports: []Port{{Tap: "t1", MAC: "zz"}}}, "invalid MAC"},
		{"long tap", Desired{Ports: []Port{{Tap: "tap0123456789abcdef"}}}, "invalid tap"},
		{"tap twice", Desired{Ports: []Port{{Tap: "t1"}, {Tap: "t1"}}}, "twice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := compile(tt.d)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("compile: %v, want an error containing %q", err, tt.want)
			}
		})
	}
}

func desiredWith(r Rule) Desired {
	return Desired{Groups: []Group{{ID: "sg-1", Ingress: []Rule{r}}}, Ports: []Port{{Tap: "t1", Groups: []string{"sg-1"}}}}
}

func TestCompileMatches(t *testing.T) {
	web := Group{ID: "sg-web", Ingress: []Rule{
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: prefix("10.1.2.3/16")},
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDRs: prefix("10.1.0.0/16")}, // same once masked
		{Protocol: "icmp", FromPort: -1, ToPort: -1, CIDRs: prefix("::/0")},         // icmp never matches IPv6
		{Protocol: "-1", SourceGroups: []string{"sg-db", "sg-empty"}},
	}}
	d := Desired{
		Groups: []Group{web, NewDefaultGroup("sg-db")},
		Ports: []Port{
			{Tap: "tz", Groups: []string{"sg-web", "sg-db"}},
			{Tap: "ta", Groups: []string{"sg-missing"}},
		},
		Members: map[string][]netip.Addr{"sg-db": addrs("10.1.0.9", "fd00::9", "10.1.0.9")},
	}
	p, err := compile(d)
	if err != nil {
		t.Fatal(err)
	}
	if p.ports[0].Tap != "ta" || p.ports[0].id != 1 || p.ports[1].id != 2 {
		t.Fatalf("ports not sorted by tap with IDs from 1: %+v", p.ports)
	}
	if n := len(p.ports[0].ingress) + len(p.ports[0].egress); n != 0 {
		t.Errorf("port of an unknown group got %d matches, want none", n)
	}
	tz := p.ports[1]
	want := []match{
		{proto: protoTCP, lo: 443, hi: 443, prefix: netip.MustParsePrefix("10.1.0.0/16")},
		{proto: protoAll, set: "m4_sg-db"},
		{proto: protoAll, set: "m6_sg-db", v6: true},
	}
	if len(tz.ingress) != len(want) {
		t.Fatalf("ingress = %+v, want %+v", tz.ingress, want)
	}
	for i := range want {
		if tz.ingress[i] != want[i] {
			t.Errorf("ingress[%d] = %+v, want %+v", i, tz.ingress[i], want[i])
		}
	}
	if len(tz.egress) != 2 { // sg-db's all-traffic egress, IPv4 and IPv6
		t.Errorf("egress = %+v, want all traffic v4+v6", tz.egress)
	}
	if len(p.sets) != 2 || len(p.sets[0].addrs) != 1 {
		t.Errorf("sets = %+v, want m4_sg-db{10.1.0.9} and m6_sg-db{fd00::9}", p.sets)
	}
}
