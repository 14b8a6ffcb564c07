package netplane

import (
	"net"
	"net/netip"
	"slices"
	"strings"
	"testing"
)

func newTestPlane(t *testing.T, prefix string) *Plane {
	t.Helper()
	p, err := New(Config{Prefix: prefix, StateDir: "/state", VTEP: netip.MustParseAddr("10.77.0.1")})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func TestNames(t *testing.T) {
	for _, prefix := range []string{"e", "ec2", "ec2az"} {
		p := newTestPlane(t, prefix)
		names := []string{
			p.BridgeName("subnet-0123456789abcdef0"), p.VXLANName("subnet-0123456789abcdef0"),
			p.TapName("i-0123456789abcdef0", 0), p.TapName("i-0123456789abcdef0", 1),
		}
		kinds := []byte{kindBridge, kindVXLAN, kindTap, kindTap}
		for i, n := range names {
			if len(n) > 15 || !strings.HasPrefix(n, prefix) {
				t.Errorf("%s: name %q too long or unprefixed", prefix, n)
			}
			if p.owned(n) != kinds[i] {
				t.Errorf("%s: owned(%q) = %q, want %q", prefix, n, p.owned(n), kinds[i])
			}
		}
		if names[2] == names[3] || names[0] == p.BridgeName("subnet-0123456789abcdef1") {
			t.Errorf("%s: names collide: %v", prefix, names)
		}
	}
	// Another agent's prefix, longer or shorter, never looks owned.
	short, long := newTestPlane(t, "ec2"), newTestPlane(t, "ec2b1")
	for _, n := range []string{long.BridgeName("subnet-a"), long.TapName("i-a", 0), "ec2", "ec2b", "eth0", "virbr0", "ec2bXYZ123456"} {
		if short.owned(n) != 0 {
			t.Errorf("prefix ec2 claims %q", n)
		}
	}
	if long.owned(short.BridgeName("subnet-a")) != 0 {
		t.Errorf("prefix ec2b1 claims %q", short.BridgeName("subnet-a"))
	}
	if _, err := New(Config{Prefix: "toolong"}); err == nil {
		t.Error("6-character prefix accepted")
	}
}

func TestDnsmasqConfig(t *testing.T) {
	p := newTestPlane(t, "ec2")
	s := Subnet{ID: "subnet-a", CIDR: netip.MustParsePrefix("172.31.16.0/20"), NICs: []NIC{
		{InstanceID: "i-1", MAC: mac("02:00:00:00:00:01"), IP: netip.MustParseAddr("172.31.16.4")},
		{InstanceID: "i-2", MAC: mac("02:00:00:00:00:02"), IP: netip.MustParseAddr("172.31.16.5"), Hostname: "web", Host: netip.MustParseAddr("10.77.0.2")},
	}}
	br := p.BridgeName(s.ID)
	args := p.dnsmasqArgs(s, br)
	for _, want := range []string{
		"--interface=" + br, "--bind-interfaces", "--port=0", "--no-resolv", "--conf-file=/dev/null",
		"--dhcp-range=172.31.16.0,static,255.255.240.0,infinite",
		"--dhcp-option=option:router,172.31.16.1",
		"--pid-file=/state/" + br + ".pid", "--dhcp-leasefile=/state/" + br + ".leases",
		"--dhcp-hostsfile=/state/" + br + ".hosts",
	} {
		if !slices.Contains(args, want) {
			t.Errorf("dnsmasq args lack %q: %v", want, args)
		}
	}
	if slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, "mtu") }) {
		t.Errorf("MTU option without VXLAN: %v", args)
	}
	s.VNI = 7
	if !slices.Contains(p.dnsmasqArgs(s, br), "--dhcp-option=option:mtu,1450") {
		t.Errorf("no MTU 1450 option on a VXLAN subnet: %v", p.dnsmasqArgs(s, br))
	}
	for _, a := range p.dnsmasqArgs(s, br) {
		if strings.Contains(a, "domain-name") || strings.Contains(a, "dns-server") {
			t.Errorf("DNS option without a DNS server: %s", a)
		}
	}
	dnsTests := []struct {
		support bool
		want    []string
		wantNot string
	}{
		{true, []string{"--dhcp-option=option:domain-name,lab-1.compute.internal", "--dhcp-option=option:dns-server,172.31.0.2"}, ""},
		{false, []string{"--dhcp-option=option:domain-name,lab-1.compute.internal"}, "dns-server"},
	}
	for _, tt := range dnsTests {
		d := s
		d.DNS = &DNS{Server: netip.MustParseAddr("172.31.0.2"), Domain: "lab-1.compute.internal", Support: tt.support}
		args := p.dnsmasqArgs(d, br)
		for _, w := range tt.want {
			if !slices.Contains(args, w) {
				t.Errorf("support %v: dnsmasq args lack %q: %v", tt.support, w, args)
			}
		}
		if tt.wantNot != "" && slices.ContainsFunc(args, func(a string) bool { return strings.Contains(a, tt.wantNot) }) {
			t.Errorf("support %v: dnsmasq args name a resolver: %v", tt.support, args)
		}
	}
	want := "02:00:00:00:00:01,172.31.16.4,ip-172-31-16-4,infinite\n02:00:00:00:00:02,172.31.16.5,web,infinite\n"
	if got := string(hostsFile(s)); got != want {
		t.Errorf("hosts file:\n%s\nwant:\n%s", got, want)
	}
}

func TestWantFDB(t *testing.T) {
	p := newTestPlane(t, "ec2") // VTEP 10.77.0.1
	h2, h3 := netip.MustParseAddr("10.77.0.2"), netip.MustParseAddr("10.77.0.3")
	s := Subnet{ID: "subnet-a", VNI: 9, Peers: []netip.Addr{p.cfg.VTEP, h2, h3}, NICs: []NIC{
		{InstanceID: "i-local", MAC: mac("02:00:00:00:00:01")},
		{InstanceID: "i-local2", MAC: mac("02:00:00:00:00:04"), Host: p.cfg.VTEP},
		{InstanceID: "i-h2", MAC: mac("02:00:00:00:00:02"), Host: h2},
		{InstanceID: "i-h3", MAC: mac("02:00:00:00:00:03"), Host: h3},
	}}
	got := sortedFDB(p.wantFDB(s))
	want := []fdbEntry{
		{"00:00:00:00:00:00", h2}, {"00:00:00:00:00:00", h3},
		{"02:00:00:00:00:02", h2}, {"02:00:00:00:00:03", h3},
	}
	if !slices.Equal(got, want) {
		t.Errorf("fdb = %v\nwant %v", got, want)
	}
}

func TestValidate(t *testing.T) {
	good := Subnet{ID: "subnet-a", CIDR: netip.MustParsePrefix("10.0.1.0/24"),
		NICs: []NIC{{InstanceID: "i-1", MAC: mac("02:00:00:00:00:01"), IP: netip.MustParseAddr("10.0.1.4")}}}
	outside := good
	outside.NICs = []NIC{{InstanceID: "i-1", MAC: mac("02:00:00:00:00:01"), IP: netip.MustParseAddr("10.0.2.4")}}
	for _, tc := range []struct {
		name string
		set  []Subnet
		ok   bool
	}{
		{"good", []Subnet{good}, true},
		{"empty", nil, true},
		{"duplicate", []Subnet{good, good}, false},
		{"no CIDR", []Subnet{{ID: "subnet-b"}}, false},
		{"NIC outside", []Subnet{outside}, false},
		{"DNS", []Subnet{withDNS(good, "10.0.0.2", "lab-1.compute.internal")}, true},
		{"DNS server not IPv4", []Subnet{withDNS(good, "fd00::2", "lab-1.compute.internal")}, false},
		{"DNS domain with a comma", []Subnet{withDNS(good, "10.0.0.2", "lab-1.compute.internal,8.8.8.8")}, false},
		{"DNS domain with a space", []Subnet{withDNS(good, "10.0.0.2", "a b")}, false},
		{"empty DNS domain", []Subnet{withDNS(good, "10.0.0.2", "")}, false},
	} {
		if err := validate(tc.set); (err == nil) != tc.ok {
			t.Errorf("%s: validate = %v", tc.name, err)
		}
	}
}

func withDNS(s Subnet, server, domain string) Subnet {
	s.DNS = &DNS{Server: netip.MustParseAddr(server), Domain: domain, Support: true}
	return s
}

func mac(s string) net.HardwareAddr {
	m, err := net.ParseMAC(s)
	if err != nil {
		panic(err)
	}
	return m
}

// TestNewRefusesRelativeStateDir: dnsmasq changes directory before it
// writes its pid file, so a relative state dir must never reach it.
func TestNewRefusesRelativeStateDir(t *testing.T) {
	if _, err := New(Config{Prefix: "rel", StateDir: "var/agent/net"}); err == nil || !strings.Contains(err.Error(), "absolute") {
		t.Fatalf("New with a relative state dir: %v, want an 'absolute path' error", err)
	}
}
