package netplane_test

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"os"
	"os/user"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
	"github.com/ec2lab/ec2lab/pkg/network"
)

// newPlane opens a Plane in namespace ns with a fresh prefix and state dir,
// and tears everything down when t ends.
func newPlane(t *testing.T, ns string, vtep netip.Addr) *netplane.Plane {
	t.Helper()
	p, err := netplane.New(netplane.Config{Prefix: nptest.Prefix(t), StateDir: filepath.Join(hvtest.ScratchDir(t), "np"), NetNS: ns, VTEP: vtep})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Reconcile(context.Background(), nil); err != nil {
			t.Errorf("cleanup reconcile: %v", err)
		}
		p.Close()
	})
	return p
}

func nic(instanceID string, ip string) netplane.NIC {
	return netplane.NIC{InstanceID: instanceID, MAC: network.MAC(instanceID, 0), IP: netip.MustParseAddr(ip)}
}

func reconcile(t *testing.T, p *netplane.Plane, desired ...netplane.Subnet) netplane.Observed {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := p.Reconcile(ctx, desired); err != nil {
		t.Fatalf("Reconcile: %v", err)
	}
	o, err := p.Observe()
	if err != nil {
		t.Fatal(err)
	}
	return o
}

func handle(t *testing.T, ns string) *netlink.Handle {
	t.Helper()
	nsh, err := netns.GetFromName(ns)
	if err != nil {
		t.Fatal(err)
	}
	defer nsh.Close()
	h, err := netlink.NewHandleAt(nsh)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// TestReconcileConverges drives one subnet through create, repeat, agent
// restart, lease change, stray cleanup and teardown inside a namespace, and
// checks a DHCP client gets exactly its static lease.
func TestReconcileConverges(t *testing.T) {
	nptest.RequireNetAdmin(t)
	forward := readForward(t, "")
	ns := nptest.NetNS(t)
	nsForward := readForward(t, ns)
	p := newPlane(t, ns, netip.Addr{})
	h := handle(t, ns)
	subnet := netplane.Subnet{ID: "subnet-0a1b2c3d4e5f60718", CIDR: netip.MustParsePrefix("10.0.1.0/24"),
		NICs: []netplane.NIC{nic("i-0000000000000000a", "10.0.1.4")}}
	br := p.BridgeName(subnet.ID)

	o := reconcile(t, p, subnet)
	if len(o.Bridges) != 1 || o.Bridges[0] != br || o.Dnsmasq[br] == 0 || len(o.VXLANs)+len(o.Taps) != 0 {
		t.Fatalf("after first reconcile: %+v", o)
	}
	checkBridge(t, h, br, "10.0.1.1/24")
	pid := o.Dnsmasq[br]

	t.Run("repeat and restart change nothing", func(t *testing.T) {
		if o := reconcile(t, p, subnet); o.Dnsmasq[br] != pid {
			t.Errorf("dnsmasq restarted on an unchanged reconcile: %d → %d", pid, o.Dnsmasq[br])
		}
		restarted, err := netplane.New(p.Config()) // a new Plane value: an agent restart
		if err != nil {
			t.Fatal(err)
		}
		defer restarted.Close()
		if o := reconcile(t, restarted, subnet); o.Dnsmasq[br] != pid || len(o.Bridges) != 1 {
			t.Errorf("after restart: %+v, dnsmasq pid was %d", o, pid)
		}
	})

	t.Run("dhcp gives the static lease", func(t *testing.T) {
		got := dhcpClient(t, ns, br, subnet.NICs[0].MAC)
		if got != "10.0.1.4 255.255.255.0 10.0.1.1" {
			t.Errorf("lease %q, want 10.0.1.4 255.255.255.0 10.0.1.1", got)
		}
	})

	t.Run("new lease reloads, not restarts", func(t *testing.T) {
		subnet.NICs = append(subnet.NICs, nic("i-0000000000000000b", "10.0.1.5"))
		if o := reconcile(t, p, subnet); o.Dnsmasq[br] != pid {
			t.Errorf("dnsmasq restarted for a new lease: %d → %d", pid, o.Dnsmasq[br])
		}
		var got string
		for i := 0; i < 20 && got != "10.0.1.5 255.255.255.0 10.0.1.1"; i++ { // SIGHUP is asynchronous
			got = dhcpClient(t, ns, br, subnet.NICs[1].MAC)
		}
		if got != "10.0.1.5 255.255.255.0 10.0.1.1" {
			t.Errorf("second NIC lease %q", got)
		}
	})

	t.Run("state files private to root and dnsmasq", func(t *testing.T) {
		dnsmasqUser, err := user.Lookup(p.Config().DnsmasqUser)
		if err != nil {
			t.Fatal(err)
		}
		for _, ext := range []string{"hosts", "leases", "log", "pid"} {
			fi, err := os.Stat(filepath.Join(p.Config().StateDir, br+"."+ext))
			if err != nil {
				t.Fatal(err)
			}
			if fi.Mode().Perm()&0o077 != 0 {
				t.Errorf("%s file mode %#o: others can read it", ext, fi.Mode().Perm())
			}
			if uid := fmt.Sprint(fi.Sys().(*syscall.Stat_t).Uid); ext == "hosts" && uid != dnsmasqUser.Uid {
				t.Errorf("hosts file owned by uid %s, want dnsmasq's account %s (%s)", uid, dnsmasqUser.Username, dnsmasqUser.Uid)
			}
		}
	})

	t.Run("strays removed, foreign devices kept", func(t *testing.T) {
		stray := p.BridgeName("subnet-stray")
		nptest.In(t, ns, "ip", "link", "add", stray, "type", "bridge")
		nptest.In(t, ns, "ip", "tuntap", "add", p.TapName("i-gone", 0), "mode", "tap")
		nptest.In(t, ns, "ip", "link", "add", "foreign0", "type", "bridge")
		nptest.In(t, ns, "ip", "addr", "add", "10.0.1.200/24", "dev", br) // not ours to keep
		o := reconcile(t, p, subnet)
		if len(o.Bridges) != 1 || len(o.Taps) != 0 {
			t.Errorf("strays left: %+v", o)
		}
		if _, err := h.LinkByName("foreign0"); err != nil {
			t.Errorf("foreign bridge removed: %v", err)
		}
		checkBridge(t, h, br, "10.0.1.1/24")
	})

	t.Run("teardown leaves nothing", func(t *testing.T) {
		o := reconcile(t, p)
		if !o.Empty() {
			t.Errorf("after teardown: %+v", o)
		}
		if alive(pid) {
			t.Errorf("dnsmasq %d still running", pid)
		}
		if _, err := os.Stat(p.Config().StateDir); !os.IsNotExist(err) {
			t.Errorf("state dir left: %v", err)
		}
	})
	if f := readForward(t, ""); f != forward {
		t.Errorf("host ip_forward changed %s → %s", forward, f)
	}
	if f := readForward(t, ns); f != nsForward {
		t.Errorf("namespace ip_forward changed %s → %s", nsForward, f)
	}
}

// checkBridge checks br is up with exactly addr and only the connected route.
func checkBridge(t *testing.T, h *netlink.Handle, br, addr string) {
	t.Helper()
	link, err := h.LinkByName(br)
	if err != nil {
		t.Fatal(err)
	}
	if link.Attrs().Flags&net.FlagUp == 0 {
		t.Errorf("%s is down", br)
	}
	addrs, _ := h.AddrList(link, netlink.FAMILY_V4)
	if len(addrs) != 1 || addrs[0].IPNet.String() != addr {
		t.Errorf("%s addresses %v, want only %s", br, addrs, addr)
	}
	routes, _ := h.RouteList(nil, netlink.FAMILY_V4)
	for _, r := range routes {
		if r.Dst == nil || r.Gw != nil || r.LinkIndex != link.Attrs().Index {
			t.Errorf("unexpected route %v", r)
		}
	}
}

func readForward(t *testing.T, ns string) string {
	t.Helper()
	return strings.TrimSpace(nptest.In(t, ns, "cat", "/proc/sys/net/ipv4/ip_forward"))
}

func alive(pid int) bool {
	b, err := os.ReadFile("/proc/" + itoa(pid) + "/stat")
	return err == nil && !strings.Contains(string(b), ") Z ")
}
