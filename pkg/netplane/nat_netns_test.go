package netplane_test

import (
	"net/netip"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestNATEgressOptIn drives one subnet in a private namespace whose
// "uplink" is a stand-in that reaches nothing (never a real interface):
// by default there is no masquerade and the bridge does not forward;
// NATUplink adds the masquerade and forwarding; turning it off again
// removes both; teardown leaves nothing.
func TestNATEgressOptIn(t *testing.T) {
	nptest.RequireNetAdmin(t)
	ns := nptest.NetNS(t)
	nptest.FakeUplink(t, ns, "up0")
	cfg := netplane.Config{Prefix: nptest.Prefix(t), StateDir: filepath.Join(hvtest.ScratchDir(t), "np"), NetNS: ns}
	subnet := netplane.Subnet{ID: "subnet-0000000000000e001", CIDR: netip.MustParsePrefix("10.9.1.0/24"),
		NICs: []netplane.NIC{nic("i-0000000000000e001", "10.9.1.10")}}
	open := func(uplink string) *netplane.Plane {
		c := cfg
		c.NATUplink = uplink
		p, err := netplane.New(c)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { p.Close() })
		return p
	}
	off := open("")
	t.Cleanup(func() { reconcile(t, off) })
	br := off.BridgeName(subnet.ID)
	forwarding := func(dev string) string {
		return strings.TrimSpace(nptest.In(t, ns, "sysctl", "-n", "net.ipv4.conf."+dev+".forwarding"))
	}
	check := func(step string, nat bool) {
		t.Helper()
		rules := nptest.In(t, ns, "nft", "list", "ruleset")
		if got := strings.Contains(rules, "masquerade"); got != nat {
			t.Errorf("%s: masquerade in the rule set %v, want %v:\n%s", step, got, nat, rules)
		}
		if got := strings.Contains(rules, `oifname "up0"`); got != nat {
			t.Errorf("%s: rules naming the uplink %v, want %v", step, got, nat)
		}
		want := map[bool]string{false: "0", true: "1"}[nat]
		if got := forwarding(br); got != want {
			t.Errorf("%s: bridge forwarding %s, want %s", step, got, want)
		}
	}

	reconcile(t, off, subnet)
	check("default", false)
	if got := forwarding("up0"); got != "0" {
		t.Errorf("default: uplink forwarding %s, want 0", got)
	}

	reconcile(t, open("up0"), subnet)
	check("NAT on", true)
	if got := forwarding("up0"); got != "1" {
		t.Errorf("NAT on: uplink forwarding %s, want 1", got)
	}

	reconcile(t, off, subnet)
	check("NAT off again", false)

	if o := reconcile(t, off); !o.Empty() {
		t.Errorf("after teardown: %+v", o)
	}
	if rules := nptest.In(t, ns, "ip", "rule"); strings.Contains(rules, "fwmark") {
		t.Errorf("fwmark rules left:\n%s", rules)
	}
}
