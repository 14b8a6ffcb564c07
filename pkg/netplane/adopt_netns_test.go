package netplane_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"os/exec"
	"testing"

	"github.com/vishvananda/netlink"

	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestAdoptTap: a tap made in the agent's namespace (as libvirt makes an
// interface type='ethernet' tap) is moved into the Plane's namespace and
// becomes an up port of the subnet's bridge with the bridge's MTU; adopting
// it again changes nothing.
func TestAdoptTap(t *testing.T) {
	nptest.RequireNetAdmin(t)
	host := nptest.NetNS(t)
	r := rand.IntN(250) + 1
	vtep := netip.MustParseAddr(fmt.Sprintf("10.78.%d.1", r))
	nptest.Veth(t, host, "under", vtep.String()+"/30", host, "under2", "")
	p := newPlane(t, host, vtep)
	a := nic("i-00000000000000a11", "10.0.9.4")
	subnet := netplane.Subnet{ID: "subnet-00000000000000c11", CIDR: netip.MustParsePrefix("10.0.9.0/24"),
		VNI: uint32(2000 + r), Peers: []netip.Addr{vtep}, NICs: []netplane.NIC{a}}
	reconcile(t, p, subnet)
	tap, bridge := p.TapName(a.InstanceID, 0), p.BridgeName(subnet.ID)
	nptest.Run(t, "ip", "tuntap", "add", "mode", "tap", "name", tap)
	t.Cleanup(func() { exec.Command("ip", "link", "del", tap).Run() })

	h := handle(t, host)
	for i := range 2 {
		if err := p.AdoptTap(context.Background(), tap, bridge); err != nil {
			t.Fatalf("adoption %d: %v", i+1, err)
		}
		if _, err := netlink.LinkByName(tap); err == nil {
			t.Fatalf("adoption %d: tap %s still in the agent's namespace", i+1, tap)
		}
		link, err := h.LinkByName(tap)
		if err != nil {
			t.Fatalf("adoption %d: tap not in %s: %v", i+1, host, err)
		}
		br, err := h.LinkByName(bridge)
		if err != nil {
			t.Fatal(err)
		}
		got := link.Attrs()
		if got.MasterIndex != br.Attrs().Index || got.Flags&net.FlagUp == 0 || got.MTU != br.Attrs().MTU || got.MTU != 1450 {
			t.Errorf("adoption %d: tap master %d up %v mtu %d; want master %d (%s), up, mtu %d (bridge over VXLAN: 1450)",
				i+1, got.MasterIndex, got.Flags&net.FlagUp != 0, got.MTU, br.Attrs().Index, bridge, br.Attrs().MTU)
		}
	}
	if err := p.AdoptTap(context.Background(), p.TapName("i-00000000000000f00", 0), bridge); err == nil {
		t.Error("adopting a tap that exists nowhere succeeded")
	}
}
