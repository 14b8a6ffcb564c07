package netplane_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/vishvananda/netlink"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/virttype"
)

// TestGuestsOnSubnet boots two tiny guests on one subnet bridge of the real
// host: each must get exactly its IPAM address by DHCP, they must reach
// each other, and teardown must leave no bridge, tap or dnsmasq.
func TestGuestsOnSubnet(t *testing.T) {
	nptest.RequireNetAdmin(t)
	hv := hvtest.RequireLibvirt(t)
	img := hvtest.TinyImage(t)
	dt, err := virttype.Detect("")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	p := newPlane(t, "", netip.Addr{})
	cidr := freeSubnet(t)
	pool := network.NewPool(cidr)
	subnet := netplane.Subnet{ID: ids.New(network.SubnetIDPrefix), CIDR: cidr}
	instances := []string{ids.New(ids.Instance), ids.New(ids.Instance)}
	for _, id := range instances {
		ip, err := pool.Allocate(id, "")
		if err != nil {
			t.Fatal(err)
		}
		subnet.NICs = append(subnet.NICs, netplane.NIC{InstanceID: id, MAC: network.MAC(id, 0), IP: ip})
	}
	reconcile(t, p, subnet)

	dir, prefix := hvtest.ScratchDir(t), hvtest.Prefix(t)
	start := time.Now()
	names := make([]string, len(instances))
	for i, nic := range subnet.NICs {
		names[i] = prefix + nic.InstanceID
		bootGuest(ctx, t, hv, dt.Type, img, dir, names[i], hypervisor.NIC{
			Bridge: p.BridgeName(subnet.ID), MAC: nic.MAC.String(), Tap: p.TapName(nic.InstanceID, 0)})
	}
	for i, nic := range subnet.NICs {
		want := fmt.Sprintf("ec2lab: dhcp eth0 %s/%d", nic.IP, cidr.Bits())
		hvtest.WaitFile(t, filepath.Join(dir, names[i]+".log"), 0, want, 90*time.Second)
	}
	t.Logf("both guests leased their addresses %v after start", time.Since(start).Round(time.Millisecond))
	if o := reconcile(t, p, subnet); len(o.Taps) != 2 || len(o.Bridges) != 1 {
		t.Errorf("with guests running: %+v, want 1 bridge and 2 taps", o)
	}
	checkTapsOnBridge(t, p, subnet)

	c := hvtest.OpenConsole(t, hv, names[0])
	out := c.Run("ping -c 1 -W 2 "+subnet.NICs[1].IP.String()+" >/dev/null && echo PING-OK", 30*time.Second)
	if !strings.Contains(out, "PING-OK") {
		t.Errorf("guest 0 cannot ping guest 1 at %s: %q", subnet.NICs[1].IP, out)
	}
	c.Close()

	for _, name := range names {
		destroy(t, hv, name)
	}
	if o := reconcile(t, p); !o.Empty() {
		t.Errorf("after teardown: %+v", o)
	}
	for _, nic := range subnet.NICs {
		if _, err := netlink.LinkByName(p.TapName(nic.InstanceID, 0)); err == nil {
			t.Errorf("tap of %s left", nic.InstanceID)
		}
	}
}

func bootGuest(ctx context.Context, t *testing.T, hv hypervisor.Hypervisor, domType string, img hvtest.Image, dir, name string, nic hypervisor.NIC) {
	t.Helper()
	hvtest.CopyRoot(t, img, dir, name+".qcow2")
	spec := hypervisor.DomainSpec{
		Name: name, DomainType: domType, VCPUs: 1, MemoryMiB: 256,
		BootMode: hypervisor.BootDirectKernel, Kernel: img.Kernel, Initrd: img.Initrd,
		Cmdline:    img.Cmdline + " ec2lab.instance_id=" + name,
		Disks:      []hypervisor.Disk{{Path: filepath.Join(dir, name+".qcow2"), Target: "vda"}},
		ConsoleLog: filepath.Join(dir, name+".log"),
		NICs:       []hypervisor.NIC{nic},
	}
	t.Cleanup(func() { destroy(t, hv, name) })
	if err := hv.Define(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if err := hv.Start(ctx, name); err != nil {
		t.Fatal(err)
	}
}

func destroy(t *testing.T, hv hypervisor.Hypervisor, name string) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := hv.Destroy(ctx, name); err != nil {
		t.Errorf("destroy %s: %v", name, err)
	}
	if err := hv.Undefine(ctx, name); err != nil {
		t.Errorf("undefine %s: %v", name, err)
	}
}

// freeSubnet picks a /24 in 10.200.0.0/13 that no host route overlaps.
func freeSubnet(t *testing.T) netip.Prefix {
	t.Helper()
	routes, err := netlink.RouteList(nil, netlink.FAMILY_V4)
	if err != nil {
		t.Fatal(err)
	}
	for range 50 {
		p := netip.MustParsePrefix(fmt.Sprintf("10.%d.%d.0/24", 200+rand.IntN(8), rand.IntN(256)))
		clash := false
		for _, r := range routes {
			if d := toPrefix(r.Dst); d.Bits() > 0 && d.Overlaps(p) { // not the default route
				clash = true
			}
		}
		if !clash {
			return p
		}
	}
	t.Fatal("no free /24 in 10.200.0.0/13")
	return netip.Prefix{}
}

func toPrefix(n *net.IPNet) netip.Prefix {
	if n == nil {
		return netip.Prefix{}
	}
	p, _ := netip.ParsePrefix(n.String())
	return p
}

func checkTapsOnBridge(t *testing.T, p *netplane.Plane, s netplane.Subnet) {
	t.Helper()
	br, err := netlink.LinkByName(p.BridgeName(s.ID))
	if err != nil {
		t.Fatal(err)
	}
	for _, nic := range s.NICs {
		tap, err := netlink.LinkByName(p.TapName(nic.InstanceID, 0))
		if err != nil || tap.Attrs().MasterIndex != br.Attrs().Index {
			t.Errorf("tap of %s: %v, not on %s", nic.InstanceID, err, br.Attrs().Name)
		}
	}
}
