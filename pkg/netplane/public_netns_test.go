package netplane_test

import (
	"bufio"
	"context"
	"net/netip"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/firewall"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestElasticIPsOneToOne poses a host (a namespace) whose public uplink is
// a veth to a "LAN" namespace, serving two VPCs that reuse 10.9.1.0/24.
// Guest a (VPC A) and guest c (VPC B) have the same private address and
// each an Elastic IP; guest b (VPC A) has none. From the LAN each Elastic
// IP reaches its own guest (TCP says which); a guest with an Elastic IP
// reaches the LAN, which sees the Elastic IP as the source; the guest
// without one and the private addresses stay unreachable both ways; the
// host answers nothing of its own on an Elastic IP; security groups and
// the subnet's network ACL hold the flows through an Elastic IP both ways; taking the address away cuts
// the path and removes it from the uplink.
func TestElasticIPsOneToOne(t *testing.T) {
	nptest.RequireNetAdmin(t)
	host, lan := nptest.NetNS(t), nptest.NetNS(t)
	nptest.Veth(t, host, "up0", "198.51.100.2/24", lan, "lan0", "198.51.100.1/24")
	nptest.In(t, lan, "ip", "route", "add", "10.9.0.0/16", "via", "198.51.100.2") // a LAN that tries the private addresses
	p, err := netplane.New(netplane.Config{Prefix: nptest.Prefix(t), StateDir: filepath.Join(hvtest.ScratchDir(t), "np"),
		NetNS: host, MetadataAddr: netip.MustParseAddr("169.254.169.254"), PublicUplink: "up0"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { reconcile(t, p); p.Close() })
	cidr := netip.MustParsePrefix("10.9.1.0/24")
	a, b, c := nic("i-0000000000000a001", "10.9.1.10"), nic("i-0000000000000a002", "10.9.1.20"), nic("i-0000000000000b001", "10.9.1.10")
	a.PublicIP, c.PublicIP = netip.MustParseAddr("198.51.100.20"), netip.MustParseAddr("198.51.100.21")
	subnets := []netplane.Subnet{
		{ID: "subnet-00000000000000a01", CIDR: cidr, NICs: []netplane.NIC{a, b}},
		{ID: "subnet-00000000000000b01", CIDR: cidr, NICs: []netplane.NIC{c}},
	}
	reconcile(t, p, subnets...)
	g := map[string]string{}
	for _, s := range subnets {
		for _, n := range s.NICs {
			g[n.InstanceID] = guestNS(t, host, p.TapName(n.InstanceID, 0), n, s.CIDR)
			tcpServe(t, g[n.InstanceID], "0.0.0.0", n.InstanceID)
		}
	}
	reconcile(t, p, subnets...) // puts the ports on their bridges
	tcpServe(t, lan, "198.51.100.1", "lan")
	tcpServe(t, host, "0.0.0.0", "host")

	t.Run("each Elastic IP reaches its own guest", func(t *testing.T) {
		mustPing(t, lan, "198.51.100.20", true)
		mustPing(t, lan, "198.51.100.21", true)
		wantTCP(t, lan, "198.51.100.20", a.InstanceID+" from 198.51.100.1")
		wantTCP(t, lan, "198.51.100.21", c.InstanceID+" from 198.51.100.1")
	})
	t.Run("guests with an Elastic IP reach the LAN as that address", func(t *testing.T) {
		wantTCP(t, g[a.InstanceID], "198.51.100.1", "lan from 198.51.100.20")
		wantTCP(t, g[c.InstanceID], "198.51.100.1", "lan from 198.51.100.21")
		mustPing(t, g[a.InstanceID], "198.51.100.1", true)
	})
	t.Run("nothing else crosses", func(t *testing.T) {
		mustPing(t, g[b.InstanceID], "198.51.100.1", false)
		wantTCP(t, g[b.InstanceID], "198.51.100.1", "")
		mustPing(t, lan, "10.9.1.10", false)
		mustPing(t, lan, "10.9.1.20", false)
		wantTCP(t, lan, "10.9.1.20", "")
		wantTCP(t, lan, "198.51.100.2", "host from 198.51.100.1") // the host's own address stays the host's
		mustPing(t, g[a.InstanceID], "10.9.1.20", true)           // and the subnet still bridges
	})
	t.Run("security groups hold Elastic IP flows", func(t *testing.T) {
		fw, err := firewall.New(firewall.Config{TableName: "ec2lab_" + p.Config().Prefix, NetNS: host, DevicePrefix: p.Config().Prefix})
		if err != nil {
			t.Fatal(err)
		}
		defer func() { fw.Reconcile(context.Background(), firewall.Desired{}); fw.Close() }()
		web := firewall.NewGroup("sg-web") // TCP 7777 in from anywhere, no ICMP; all out
		web.Ingress = []firewall.Rule{{Protocol: "tcp", FromPort: 7777, ToPort: 7777, CIDRs: []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}}}
		mute := firewall.Group{ID: "sg-mute"} // nothing in, nothing out
		port := func(n netplane.NIC, s netplane.Subnet, group string) firewall.Port {
			return firewall.Port{Tap: p.TapName(n.InstanceID, 0), IP: n.IP, MAC: n.MAC.String(), Groups: []string{group},
				Bridge: p.BridgeName(s.ID)}
		}
		apply := func(aGroup, cGroup string) {
			t.Helper()
			d := firewall.Desired{Groups: []firewall.Group{web, mute}, Ports: []firewall.Port{
				port(a, subnets[0], aGroup), port(b, subnets[0], aGroup), port(c, subnets[1], cGroup)}}
			if err := fw.Reconcile(context.Background(), d); err != nil {
				t.Fatal(err)
			}
		}
		apply("sg-web", "sg-mute")
		wantTCP(t, lan, "198.51.100.20", a.InstanceID+" from 198.51.100.1")
		mustPing(t, lan, "198.51.100.20", false) // ICMP is not in sg-web
		wantTCP(t, lan, "198.51.100.21", "")     // sg-mute: nothing in
		wantTCP(t, g[c.InstanceID], "198.51.100.1", "")
		wantTCP(t, g[a.InstanceID], "198.51.100.1", "lan from 198.51.100.20")
		apply("sg-mute", "sg-web") // rule changes apply to the next flow
		wantTCP(t, lan, "198.51.100.20", "")
		wantTCP(t, g[a.InstanceID], "198.51.100.1", "")
		wantTCP(t, lan, "198.51.100.21", c.InstanceID+" from 198.51.100.1")

		// A group naming itself admits its members' private addresses,
		// never a LAN host posing as one through the Elastic IP.
		self := firewall.NewDefaultGroup("sg-self") // in from its members, all out
		d := firewall.Desired{Groups: []firewall.Group{web, mute, self}, Ports: []firewall.Port{
			port(a, subnets[0], "sg-self"), port(b, subnets[0], "sg-self"), port(c, subnets[1], "sg-mute")},
			Members: map[string][]netip.Addr{"sg-self": {a.IP, b.IP}}}
		if err := fw.Reconcile(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		in := udpIn(t, g[a.InstanceID], "10.9.1.10:9999")
		nptest.In(t, lan, "ip", "addr", "add", "10.9.1.20/32", "dev", "lan0")
		defer nptest.In(t, lan, "ip", "addr", "del", "10.9.1.20/32", "dev", "lan0")
		nptest.In(t, lan, "python3", "-c", `import socket
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.bind(("10.9.1.20",0)); s.sendto(b"spoofed",("198.51.100.20",9999))`)
		if got := recv(in); got != "" {
			t.Errorf("a LAN host posing as group member 10.9.1.20 reached the guest through its Elastic IP: %q", got)
		}
		out := udpIn(t, g[b.InstanceID], "10.9.1.20:9998") // a real member still does
		send(t, out, "10.9.1.10:9999", "member")
		if got := recv(in); got != "member" {
			t.Errorf("group member's datagram: %q, want member", got)
		}
	})
	t.Run("the host serves nothing on an Elastic IP, by any interface", func(t *testing.T) {
		mgmt := nptest.NetNS(t)
		nptest.Veth(t, host, "mgmt0", "203.0.113.2/24", mgmt, "eth0", "203.0.113.1/24")
		nptest.In(t, mgmt, "ip", "route", "add", "198.51.100.0/24", "via", "203.0.113.2")
		wantTCP(t, mgmt, "203.0.113.2", "host from 203.0.113.1") // the host's own address answers
		wantTCP(t, mgmt, "198.51.100.20", "")                    // an Elastic IP does not
	})
	t.Run("network ACL rules apply in number order, stateless", func(t *testing.T) {
		anyNet := netip.MustParsePrefix("0.0.0.0/0")
		allowAll := netplane.ACLRule{Number: 200, Allow: true, Protocol: -1, CIDR: anyNet}
		denyTCP := netplane.ACLRule{Number: 100, Protocol: 6, CIDR: anyNet, PortFrom: 7777, PortTo: 7777}
		set := func(acl *netplane.ACL) {
			t.Helper()
			subnets[0].ACL = acl
			reconcile(t, p, subnets...)
		}
		set(&netplane.ACL{Ingress: []netplane.ACLRule{allowAll, denyTCP}, Egress: []netplane.ACLRule{allowAll}})
		wantTCP(t, lan, "198.51.100.20", "") // deny 100 before allow 200
		mustPing(t, lan, "198.51.100.20", true)
		wantTCP(t, lan, "198.51.100.21", c.InstanceID+" from 198.51.100.1") // another subnet's ACL
		denyTCP.Number = 300
		set(&netplane.ACL{Ingress: []netplane.ACLRule{allowAll, denyTCP}, Egress: []netplane.ACLRule{allowAll}})
		wantTCP(t, lan, "198.51.100.20", a.InstanceID+" from 198.51.100.1")
		// Stateless: the replies of an allowed inbound flow need an egress rule.
		set(&netplane.ACL{Ingress: []netplane.ACLRule{allowAll}})
		wantTCP(t, lan, "198.51.100.20", "")
		wantTCP(t, g[a.InstanceID], "198.51.100.1", "")
		set(nil)
		wantTCP(t, lan, "198.51.100.20", a.InstanceID+" from 198.51.100.1")
	})
	t.Run("held public addresses are the uplink's own", func(t *testing.T) {
		held, err := p.HeldPublicAddrs()
		if err != nil || len(held) != 2 || held[0] != a.PublicIP || held[1] != c.PublicIP {
			t.Fatalf("held %v %v, want [%s %s]", held, err, a.PublicIP, c.PublicIP)
		}
		// As after a reboot: an address the kernel lost is not held.
		nptest.In(t, host, "ip", "addr", "del", "198.51.100.21/32", "dev", "up0")
		if held, _ := p.HeldPublicAddrs(); len(held) != 1 || held[0] != a.PublicIP {
			t.Errorf("held after losing %s: %v", c.PublicIP, held)
		}
		reconcile(t, p, subnets...) // the controller's push adds it back
		wantTCP(t, lan, "198.51.100.21", c.InstanceID+" from 198.51.100.1")
	})
	t.Run("releasing the address cuts the path", func(t *testing.T) {
		wantTCP(t, lan, "198.51.100.20", a.InstanceID+" from 198.51.100.1")
		if n := flowsTo(t, host, "198.51.100.20"); n == 0 {
			t.Fatal("no tracked connection to the Elastic IP before its release")
		}
		subnets[0].NICs[0].PublicIP = netip.Addr{}
		reconcile(t, p, subnets...)
		if n := flowsTo(t, host, "198.51.100.20"); n != 0 {
			t.Errorf("%d tracked connections to the Elastic IP outlive it", n)
		}
		mustPing(t, lan, "198.51.100.20", false)
		wantTCP(t, g[a.InstanceID], "198.51.100.1", "")
		wantTCP(t, lan, "198.51.100.21", c.InstanceID+" from 198.51.100.1")
		addrs := nptest.In(t, host, "ip", "-4", "addr", "show", "dev", "up0")
		if strings.Contains(addrs, "198.51.100.20") || !strings.Contains(addrs, "198.51.100.21/32") {
			t.Errorf("uplink addresses after the release:\n%s", addrs)
		}
	})
	t.Run("an agent without the public uplink takes its addresses away", func(t *testing.T) {
		cfg := p.Config()
		cfg.PublicUplink = ""
		off, err := netplane.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer off.Close()
		reconcile(t, off, subnets...)
		if addrs := nptest.In(t, host, "ip", "-4", "addr", "show", "dev", "up0"); strings.Contains(addrs, "/32") {
			t.Errorf("public addresses left on the uplink:\n%s", addrs)
		}
	})
	reconcile(t, p)
	if addrs := nptest.In(t, host, "ip", "-4", "addr", "show", "dev", "up0"); strings.Contains(addrs, "/32") {
		t.Errorf("public addresses left on the uplink after teardown:\n%s", addrs)
	}
}

// flowsTo counts the connections ns tracks to addr, either way.
func flowsTo(t *testing.T, ns, addr string) int {
	t.Helper()
	flows, err := handle(t, ns).ConntrackTableList(netlink.ConntrackTable, unix.AF_INET)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, f := range flows {
		if f.Forward.DstIP.String() == addr || f.Reverse.DstIP.String() == addr {
			n++
		}
	}
	return n
}

// tcpServe answers every TCP connection to addr:7777 inside ns with
// "<name> from <peer address>" until the test ends.
func tcpServe(t *testing.T, ns, addr, name string) {
	t.Helper()
	script := `import socket,sys
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind((sys.argv[1],7777)); s.listen(8)
print("ready",flush=True)
while True:
    c,a=s.accept(); c.sendall((sys.argv[2]+" from "+a[0]+"\n").encode()); c.close()`
	cmd := exec.Command("ip", "netns", "exec", ns, "python3", "-c", script, addr, name)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("tcp server in %s: %v", ns, err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		t.Fatalf("tcp server in %s did not start: %q %v", ns, line, err)
	}
}

// wantTCP connects from ns to addr:7777 and checks the answer ("" : the
// connection must fail).
func wantTCP(t *testing.T, ns, addr, want string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	script := `import socket,sys
c=socket.create_connection((sys.argv[1],7777),timeout=2); print(c.recv(200).decode().strip())`
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "python3", "-c", script, addr).Output()
	got := strings.TrimSpace(string(out))
	if err != nil {
		got = ""
	}
	if got != want {
		t.Errorf("TCP from %s to %s answered %q (%v), want %q", ns, addr, got, err, want)
	}
}
