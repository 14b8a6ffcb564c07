package edge

import (
	"net"
	"net/netip"
	"strings"
	"testing"
)

var md = netip.MustParseAddr("169.254.169.254")

// twoVPCs are two bridges with the same CIDR (two VPCs reusing 10.9.1.0/24).
func twoVPCs(nat bool) []Bridge {
	mac1, _ := net.ParseMAC("02:00:00:00:00:01")
	mac2, _ := net.ParseMAC("02:00:00:00:00:02")
	cidr, gw := netip.MustParsePrefix("10.9.1.0/24"), netip.MustParseAddr("10.9.1.1")
	return []Bridge{ // out of order: compile sorts by name
		{Name: "ec2b2", Zone: 7, CIDR: cidr, Gateway: gw, GatewayMAC: mac2, NAT: nat},
		{Name: "ec2b1", Zone: 300, CIDR: cidr, Gateway: gw, GatewayMAC: mac1, NAT: nat},
	}
}

func TestCompileNATOff(t *testing.T) {
	p, err := compile(Config{TableName: "t", MetadataAddr: md}, twoVPCs(false))
	if err != nil {
		t.Fatal(err)
	}
	want := `chain zones_in { type filter hook prerouting priority -300
	iifname "ec2b1" ether daddr 02:00:00:00:00:01 meta mark set 0x0ec0012c
	iifname "ec2b1" ct zone set 300
	iifname "ec2b2" ether daddr 02:00:00:00:00:02 meta mark set 0x0ec00007
	iifname "ec2b2" ct zone set 7
}
chain zones_out { type filter hook output priority -300
	oifname "ec2b1" ct zone set 300
	oifname "ec2b2" ct zone set 7
}
chain host_in { type filter hook input priority 0
	iifname "ec2b1" ip daddr 10.9.1.1 accept
	iifname "ec2b1" ip daddr 169.254.169.254 accept
	iifname "ec2b1" ip daddr 255.255.255.255 accept
	iifname "ec2b1" drop
	iifname "ec2b2" ip daddr 10.9.1.1 accept
	iifname "ec2b2" ip daddr 169.254.169.254 accept
	iifname "ec2b2" ip daddr 255.255.255.255 accept
	iifname "ec2b2" drop
}
chain routed { type filter hook forward priority -10
	iifname "ec2b1" meta mark 0x0ec0012c drop
	iifname "ec2b1" oifname "ec2b1" accept
	iifname "ec2b1" drop
	oifname "ec2b1" drop
	iifname "ec2b2" meta mark 0x0ec00007 drop
	iifname "ec2b2" oifname "ec2b2" accept
	iifname "ec2b2" drop
	oifname "ec2b2" drop
}
`
	if got := p.String(); got != want {
		t.Errorf("rules without NAT:\n%s\nwant:\n%s", got, want)
	}
	if strings.Contains(p.String(), "masquerade") || strings.Contains(p.String(), "uplink") {
		t.Error("NAT off still masquerades")
	}
}

func TestCompileNATOn(t *testing.T) {
	bs := twoVPCs(true)
	bs[0].NAT = false // ec2b2 stays closed
	p, err := compile(Config{TableName: "t", Uplink: "up0"}, bs)
	if err != nil {
		t.Fatal(err)
	}
	want := `chain zones_in { type filter hook prerouting priority -300
	iifname "ec2b1" ether daddr 02:00:00:00:00:01 meta mark set 0x0ec0012c
	iifname "ec2b1" ip daddr 10.9.1.1 ct zone set 300 accept
	iifname "ec2b1" meta mark 0x0ec0012c accept
	iifname "ec2b1" ct zone set 300
	iifname "ec2b2" ether daddr 02:00:00:00:00:02 meta mark set 0x0ec00007
	iifname "ec2b2" ct zone set 7
}
chain zones_out { type filter hook output priority -300
	oifname "ec2b1" ct zone set 300
	oifname "ec2b2" ct zone set 7
}
chain host_in { type filter hook input priority 0
	iifname "ec2b1" ip daddr 10.9.1.1 accept
	iifname "ec2b1" ip daddr 255.255.255.255 accept
	iifname "ec2b1" drop
	iifname "ec2b2" ip daddr 10.9.1.1 accept
	iifname "ec2b2" ip daddr 255.255.255.255 accept
	iifname "ec2b2" drop
}
chain routed { type filter hook forward priority -10
	iifname "ec2b1" oifname "up0" meta mark 0x0ec0012c ip saddr 10.9.1.0/24 ct state new ct mark 0x00000000 ct mark set 0x0ec0012c meta mark set 0x00000000 accept
	iifname "ec2b1" oifname "up0" meta mark 0x0ec0012c ct mark 0x0ec0012c meta mark set 0x00000000 accept
	iifname "up0" oifname "ec2b1" ct mark 0x0ec0012c ct state established,related meta mark set 0x00000000 accept
	iifname "ec2b1" meta mark 0x0ec0012c drop
	iifname "ec2b1" oifname "ec2b1" accept
	iifname "ec2b1" drop
	oifname "ec2b1" drop
	iifname "ec2b2" meta mark 0x0ec00007 drop
	iifname "ec2b2" oifname "ec2b2" accept
	iifname "ec2b2" drop
	oifname "ec2b2" drop
}
chain nat_mark { type filter hook prerouting priority -150
	iifname "up0" ct mark 0x0ec0012c meta mark set 0x0ec0012c
}
chain nat_out { type nat hook postrouting priority 100
	oifname "up0" ct mark 0x0ec0012c masquerade
}
`
	if got := p.String(); got != want {
		t.Errorf("rules with NAT on ec2b1:\n%s\nwant:\n%s", got, want)
	}
}

func TestCompileRejects(t *testing.T) {
	good := twoVPCs(false)[0]
	tests := []struct {
		name string
		cfg  Config
		bs   []Bridge
		want string
	}{
		{"NAT without uplink", Config{}, []Bridge{with(good, func(b *Bridge) { b.NAT = true })}, "without an uplink"},
		{"shared zone", Config{}, []Bridge{good, with(good, func(b *Bridge) { b.Name = "other" })}, "share zone"},
		{"twice", Config{}, []Bridge{good, with(good, func(b *Bridge) { b.Zone = 8 })}, "twice"},
		{"IPv6", Config{}, []Bridge{with(good, func(b *Bridge) { b.CIDR = netip.MustParsePrefix("fd00::/64") })}, "IPv4"},
		{"no MAC", Config{}, []Bridge{with(good, func(b *Bridge) { b.GatewayMAC = nil })}, "MAC"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := compile(tt.cfg, tt.bs); err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("compile: %v, want an error containing %q", err, tt.want)
			}
		})
	}
	if _, err := New(Config{TableName: "bad name"}); err == nil {
		t.Error("New accepted a bad table name")
	}
	if _, err := New(Config{TableName: "t", Uplink: "eth0; drop"}); err == nil {
		t.Error("New accepted a bad uplink name")
	}
}

func with(b Bridge, f func(*Bridge)) Bridge {
	f(&b)
	return b
}

func TestMark(t *testing.T) {
	if Mark(1) == Mark(2) || Mark(65535)>>16 != 0x0ec0 {
		t.Errorf("Mark(1)=%#x Mark(2)=%#x Mark(65535)=%#x", Mark(1), Mark(2), Mark(65535))
	}
}

// TestCompileServices: a bridge's service addresses (its VPC's DNS
// server) are reachable from that bridge only, with and without NAT.
func TestCompileServices(t *testing.T) {
	dns, vpc2 := netip.MustParseAddr("169.254.169.253"), netip.MustParseAddr("10.9.0.2")
	for _, nat := range []bool{false, true} {
		bs := twoVPCs(nat)
		bs[1].Services = []netip.Addr{dns, vpc2} // ec2b1
		p, err := compile(Config{TableName: "t", MetadataAddr: md, Uplink: "up0"}, bs)
		if err != nil {
			t.Fatal(err)
		}
		rules := p.String()
		for _, want := range []string{
			"\tiifname \"ec2b1\" ip daddr 169.254.169.253 accept\n",
			"\tiifname \"ec2b1\" ip daddr 10.9.0.2 accept\n",
		} {
			if !strings.Contains(rules, want) {
				t.Errorf("nat %v: no %q in\n%s", nat, want, rules)
			}
		}
		if nat && !strings.Contains(rules, "\tiifname \"ec2b1\" ip daddr 10.9.0.2 ct zone set 300 accept\n") {
			t.Errorf("nat: the service address does not stay in the bridge's zone:\n%s", rules)
		}
		if strings.Contains(rules, "\"ec2b2\" ip daddr 169.254.169.253") || strings.Contains(rules, "\"ec2b2\" ip daddr 10.9.0.2") {
			t.Errorf("nat %v: ec2b2 reaches ec2b1's services:\n%s", nat, rules)
		}
	}
	bs := twoVPCs(false)
	bs[0].Services = []netip.Addr{netip.MustParseAddr("fd00::2")}
	if _, err := compile(Config{TableName: "t"}, bs); err == nil {
		t.Error("an IPv6 service address was accepted")
	}
}

// TestCompileOneToOne: an Elastic IP on a bridge without NAT egress routes
// only its guest's flows, both ways, and masquerades nothing.
func TestCompileOneToOne(t *testing.T) {
	bs := twoVPCs(false)
	priv, pub := netip.MustParseAddr("10.9.1.10"), netip.MustParseAddr("198.51.100.20")
	bs[1].OneToOne = []OneToOne{{Private: priv, Public: pub}}
	p, err := compile(Config{TableName: "t", Uplink: "up0"}, bs)
	if err != nil {
		t.Fatal(err)
	}
	got := p.String()
	for _, want := range []string{
		`iifname "ec2b1" ip daddr 10.9.1.1 ct zone set 300 accept`,
		`iifname "ec2b1" meta mark 0x0ec0012c ip saddr 10.9.1.10 accept`,
		"\tip daddr 198.51.100.20 drop\n",
		`iifname "ec2b1" oifname "up0" meta mark 0x0ec0012c ip saddr 10.9.1.10 ct state new ct mark 0x00000000 ct mark set 0x0ec0012c meta mark set 0x00000000 accept`,
		`iifname "up0" oifname "ec2b1" ct mark 0x0ec0012c ip daddr 10.9.1.10 meta mark set 0x00000000 accept`,
		"chain nat_mark { type filter hook prerouting priority -150\n" +
			"\tiifname \"up0\" ip daddr 198.51.100.20 ct mark 0x00000000 ct mark set 0x0ec0012c\n" +
			"\tiifname \"up0\" ct mark 0x0ec0012c meta mark set 0x0ec0012c\n}",
		"chain nat_in { type nat hook prerouting priority -100\n" +
			"\tiifname \"up0\" ip daddr 198.51.100.20 ct mark 0x0ec0012c dnat ip to 10.9.1.10\n}",
		"chain nat_out { type nat hook postrouting priority 100\n" +
			"\toifname \"up0\" ct mark 0x0ec0012c ip saddr 10.9.1.10 snat ip to 198.51.100.20\n}",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rules lack\n%s\nin:\n%s", want, got)
		}
	}
	if strings.Contains(got, "masquerade") {
		t.Error("an Elastic IP alone masquerades the subnet")
	}
	if strings.Contains(got, `iifname "ec2b2" meta mark 0x0ec00007 accept`) || strings.Contains(got, `oifname "ec2b2" ct mark`) {
		t.Errorf("the other bridge routes:\n%s", got)
	}
}

func TestCompileOneToOneRejects(t *testing.T) {
	priv, pub := netip.MustParseAddr("10.9.1.10"), netip.MustParseAddr("198.51.100.20")
	for name, mod := range map[string]func(c *Config, bs []Bridge){
		"no uplink":         func(c *Config, bs []Bridge) { c.Uplink = "" },
		"private elsewhere": func(c *Config, bs []Bridge) { bs[0].OneToOne[0].Private = netip.MustParseAddr("10.9.2.10") },
		"public twice":      func(c *Config, bs []Bridge) { bs[1].OneToOne = []OneToOne{{Private: priv, Public: pub}} },
		"IPv6":              func(c *Config, bs []Bridge) { bs[0].OneToOne[0].Public = netip.MustParseAddr("2001:db8::1") },
	} {
		bs := twoVPCs(false)
		bs[0].OneToOne = []OneToOne{{Private: priv, Public: pub}}
		cfg := Config{TableName: "t", Uplink: "up0"}
		mod(&cfg, bs)
		if _, err := compile(cfg, bs); err == nil {
			t.Errorf("%s: compiled", name)
		}
	}
}

// TestCompileACL: a routed bridge's ACL becomes two regular chains, rules
// in number order (allow returns, deny and the end drop), jumped to by the
// bridge's routed flows each way; a bridge that routes nothing gets none.
func TestCompileACL(t *testing.T) {
	bs := twoVPCs(false)
	anyNet := netip.MustParsePrefix("0.0.0.0/0")
	bs[1].OneToOne = []OneToOne{{Private: netip.MustParseAddr("10.9.1.10"), Public: netip.MustParseAddr("198.51.100.20")}}
	acl := &ACL{
		Ingress: []ACLRule{
			{Number: 200, Allow: true, Protocol: -1, CIDR: anyNet},
			{Number: 100, Protocol: 6, CIDR: netip.MustParsePrefix("198.51.100.0/24"), PortFrom: 22, PortTo: 22},
			{Number: 150, Allow: true, Protocol: 1, CIDR: anyNet, ICMPType: 8, ICMPCode: -1},
		},
		Egress: []ACLRule{{Number: 100, Allow: true, Protocol: 17, CIDR: anyNet, PortFrom: 1024, PortTo: 65535}},
	}
	bs[0].ACL, bs[1].ACL = acl, acl // ec2b2 routes nothing
	p, err := compile(Config{TableName: "t", Uplink: "up0"}, bs)
	if err != nil {
		t.Fatal(err)
	}
	got := p.String()
	for _, want := range []string{
		"chain acl_in_ec2b1 {\n" +
			"\tip saddr 198.51.100.0/24 meta l4proto 6 th dport 22-22 drop\n" +
			"\tip saddr 0.0.0.0/0 meta l4proto 1 icmp type 8 return\n" +
			"\tip saddr 0.0.0.0/0 return\n" +
			"\tdrop\n}",
		"chain acl_out_ec2b1 {\n\tip daddr 0.0.0.0/0 meta l4proto 17 th dport 1024-65535 return\n\tdrop\n}",
		`iifname "up0" oifname "ec2b1" jump acl_in_ec2b1`,
		`iifname "ec2b1" oifname "up0" jump acl_out_ec2b1`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("rules lack\n%s\nin:\n%s", want, got)
		}
	}
	if strings.Contains(got, "acl_in_ec2b2") {
		t.Errorf("a bridge that routes nothing got ACL chains:\n%s", got)
	}
	if !strings.HasPrefix(got, "chain acl_in_ec2b1 {") {
		t.Errorf("regular chains must come first (rules jump to them):\n%s", got)
	}
	bs[1].ACL = &ACL{Ingress: []ACLRule{{Number: 1, Protocol: 6, CIDR: anyNet, PortFrom: 80, PortTo: 20}}}
	if _, err := compile(Config{TableName: "t", Uplink: "up0"}, bs); err == nil {
		t.Error("a rule with ports 80-20 compiled")
	}
}

// TestCompileNATGateway: two bridges routing to one NAT gateway SNAT
// their new flows to its address (no masquerade), the host drops what
// reaches the address otherwise (once), and a gateway address that is
// also a 1:1 NAT's is refused.
func TestCompileNATGateway(t *testing.T) {
	gw := netip.MustParseAddr("198.51.100.9")
	bs := twoVPCs(false)
	for i := range bs {
		bs[i].NATGateway = gw
	}
	p, err := compile(Config{TableName: "t", MetadataAddr: md, Uplink: "up0"}, bs)
	if err != nil {
		t.Fatal(err)
	}
	rules := p.String()
	for _, want := range []string{
		"\toifname \"up0\" ct mark 0x0ec0012c snat ip to 198.51.100.9\n",
		"\toifname \"up0\" ct mark 0x0ec00007 snat ip to 198.51.100.9\n",
		"\tiifname \"ec2b1\" oifname \"up0\" meta mark 0x0ec0012c ",
	} {
		if !strings.Contains(rules, want) {
			t.Errorf("no %q in\n%s", want, rules)
		}
	}
	if n := strings.Count(rules, "\tip daddr 198.51.100.9 drop\n"); n != 1 {
		t.Errorf("the gateway address is guarded %d times, want once:\n%s", n, rules)
	}
	if strings.Contains(rules, "masquerade") {
		t.Errorf("a NAT gateway bridge masquerades:\n%s", rules)
	}
	clash := with(bs[0], func(b *Bridge) { b.OneToOne = []OneToOne{{Private: netip.MustParseAddr("10.9.1.5"), Public: gw}} })
	if _, err := compile(Config{TableName: "t", Uplink: "up0"}, []Bridge{clash}); err == nil || !strings.Contains(err.Error(), "NAT gateway address") {
		t.Errorf("a gateway address shared with a 1:1 NAT: %v", err)
	}
}
