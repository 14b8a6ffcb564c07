package edge

import (
	"context"
	"os/exec"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// TestEdgeInNamespace applies the rules to a real kernel in a private
// namespace (with a dummy uplink, never a real one): the kernel takes them
// as compiled, NAT on adds the masquerade and NAT off leaves none, and an
// empty reconcile removes the table.
func TestEdgeInNamespace(t *testing.T) {
	nptest.RequireNetAdmin(t)
	if _, err := exec.LookPath("nft"); err != nil {
		nptest.Unavailable(t, "nft not installed: %v", err)
	}
	ns := nptest.NetNS(t)
	nptest.FakeUplink(t, ns, "up0")
	table := "ec2lab_" + nptest.Prefix(t) + "_edge"
	e, err := New(Config{TableName: table, NetNS: ns, MetadataAddr: md, Uplink: "up0"})
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	ctx := context.Background()
	list := func() string { return nptest.In(t, ns, "nft", "list", "table", "inet", table) }

	if err := e.Reconcile(ctx, twoVPCs(true)); err != nil {
		t.Fatal(err)
	}
	got := list()
	for _, want := range []string{
		`iifname "ec2b1" ct zone set 300`, `oifname "ec2b2" ct zone set 7`,
		`iifname "ec2b1" ether daddr 02:00:00:00:00:01 meta mark set 0x0ec0012c`,
		`iifname "ec2b1" meta mark 0x0ec0012c drop`,
		`iifname "ec2b2" ip daddr 169.254.169.254 accept`, `iifname "ec2b2" drop`,
		`iifname "ec2b1" oifname "up0" meta mark 0x0ec0012c ip saddr 10.9.1.0/24 ct state new ct mark 0x00000000 ct mark set 0x0ec0012c meta mark set 0x00000000 accept`,
		`iifname "up0" ct mark 0x0ec00007 meta mark set 0x0ec00007`,
		`oifname "up0" ct mark 0x0ec0012c masquerade`,
		"type nat hook postrouting priority srcnat",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("NAT on: table lacks %q:\n%s", want, got)
		}
	}

	if err := e.Reconcile(ctx, twoVPCs(false)); err != nil {
		t.Fatal(err)
	}
	got = list()
	if strings.Contains(got, "masquerade") || strings.Contains(got, "up0") || strings.Contains(got, "nat") {
		t.Errorf("NAT off: table still has NAT:\n%s", got)
	}
	if !strings.Contains(got, `iifname "ec2b2" ct zone set 7`) {
		t.Errorf("NAT off: zones lost:\n%s", got)
	}
	if ok, err := e.Present(); !ok || err != nil {
		t.Errorf("Present = %v, %v", ok, err)
	}

	if err := e.Reconcile(ctx, nil); err != nil {
		t.Fatal(err)
	}
	if tables := nptest.In(t, ns, "nft", "list", "tables"); strings.Contains(tables, table) {
		t.Errorf("table left after an empty reconcile:\n%s", tables)
	}
	if err := e.Reconcile(ctx, nil); err != nil {
		t.Errorf("second empty reconcile: %v", err)
	}
}
