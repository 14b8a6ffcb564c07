package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/agent"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// vxlanHost is one standalone ec2-agent posing as a host: its data plane
// lives in its own network namespace, cabled to the other host's by a
// veth pair carrying only VXLAN.
type vxlanHost struct {
	id, ns, prefix, stateDir string
	vtep                     netip.Addr
	plane                    *netplane.Plane // observer of the agent's data plane
	log                      *lockedBuffer
	// publicUplink, when set, is the host's public uplink (Elastic IPs).
	publicUplink string
}

// TestInstancesAcrossHostsOverVXLAN runs ec2d without embedded agents and
// two ec2-agents in one AZ, each with its data plane in a namespace made
// here; the namespaces share nothing but a veth underlay. Two instances in
// a spread placement group land on different hosts, get their addresses
// from their own host's dnsmasq, and one pings the other: the traffic
// crosses the VXLAN. Each host's VXLAN device forwards to the other's VTEP
// by static FDB entries, and terminating both instances leaves neither
// namespace with a device, dnsmasq or table.
func TestInstancesAcrossHostsOverVXLAN(t *testing.T) {
	requireHost(t)
	nptest.RequireNetAdmin(t)
	start := time.Now()
	dir := hvtest.ScratchDir(t)
	tag := fmt.Sprintf("vx%04x", rand.Intn(1<<16))
	pool, agentAddr := filepath.Join(dir, "pool"), freePort(t)
	hosts := nsHosts(t, dir, tag, 251)
	for _, h := range hosts { // after the namespaces: swept before they go
		h.plane = nsObserver(t, h)
	}
	t.Cleanup(func() { removeDomains(t, tag) })

	config := filepath.Join(dir, "region.yaml")
	yaml := fmt.Sprintf(`region: lab-1
availability_zones:
  - {name: lab-1a, id: lab-1-az1, pool: %s}
heartbeat_timeout: 5s
instance_types:
  - {name: lab.tiny, family: general, vcpus: 1, memory_mib: 256, architectures: [x86_64]}
`, pool)
	if err := os.WriteFile(config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := startEC2d(t, filepath.Join(dir, "data"), "--config", config, "--agent-addr", agentAddr)
	for i, h := range hosts {
		startNSAgent(t, agentAddr, pool, filepath.Join(dir, fmt.Sprintf("local-%d", i+1)), h)
	}
	waitHosts(t, r, 2)
	ami := waitTinyAMI(t, r)
	t.Logf("region and 2 hosts up at %s", time.Since(start).Round(time.Millisecond))

	ctx := context.Background()
	if _, err := r.Client.CreatePlacementGroup(ctx, &v1.CreatePlacementGroupRequest{GroupName: tag, Strategy: "spread"}); err != nil {
		t.Fatalf("CreatePlacementGroup: %v", err)
	}
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "lab.tiny", MinCount: 2, MaxCount: 2,
		Placement: &v1.Placement{GroupName: tag}})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	ids := instanceIDsOf(res.GetInstances())
	ins := r.waitState(t, "running", ids...)
	byHost := map[string]*v1.Instance{}
	for _, in := range ins {
		byHost[in.GetPlacement().GetHostId()] = in
	}
	a, b := byHost[hosts[0].id], byHost[hosts[1].id]
	if a == nil || b == nil {
		t.Fatalf("spread instances on hosts %v, want one on each of %s and %s", keys(byHost), hosts[0].id, hosts[1].id)
	}
	for _, in := range []*v1.Instance{a, b} {
		r.waitConsole(t, in.GetInstanceId(), fmt.Sprintf("ec2lab: dhcp eth0 %s/", in.GetPrivateIpAddress()))
	}
	t.Logf("both guests have their DHCP addresses at %s", time.Since(start).Round(time.Millisecond))

	for i, h := range hosts {
		checkVXLANHost(t, h, hosts[1-i], []*v1.Instance{a, b}[1-i])
	}
	out := r.guestRun(t, a.GetInstanceId(), "ping -c 3 -W 2 "+b.GetPrivateIpAddress())
	if !strings.Contains(out, " 0% packet loss") {
		t.Errorf("ping from %s to %s across the VXLAN:\n%s", a.GetInstanceId(), b.GetPrivateIpAddress(), out)
	}
	t.Logf("ping across hosts done at %s", time.Since(start).Round(time.Millisecond))

	// A reboot is a fresh qemu with a fresh tap: the agent adopts it again.
	if _, err := r.Client.RebootInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{b.GetInstanceId()}}); err != nil {
		t.Fatalf("RebootInstances: %v", err)
	}
	r.waitConsole(t, b.GetInstanceId(), "instance-id="+b.GetInstanceId()+" boot=2")
	out = r.guestRun(t, b.GetInstanceId(), "n=0; while ! ip -4 addr show eth0 | grep -q inet && [ $n -lt 30 ]; do n=$((n+1)); sleep 1; done; "+
		"ping -c 3 -W 2 "+a.GetPrivateIpAddress())
	if !strings.Contains(out, " 0% packet loss") {
		t.Errorf("ping from rebooted %s to %s:\n%s", b.GetInstanceId(), a.GetPrivateIpAddress(), out)
	}
	t.Logf("ping after reboot done at %s", time.Since(start).Round(time.Millisecond))

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", ids...)
	for _, h := range hosts {
		waitPlaneEmpty(t, h.plane)
	}
	if t.Failed() {
		for _, h := range hosts {
			t.Logf("agent %s log tail:\n%s", h.id, tail(h.log.String(), 3000))
		}
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// checkVXLANHost checks h's data plane: the subnet's bridge holds its VXLAN
// device and the local guest's tap (adopted into h's namespace), and the
// VXLAN device floods to and forwards the remote guest's MAC to the other
// host's VTEP.
func checkVXLANHost(t *testing.T, h, other *vxlanHost, remote *v1.Instance) {
	t.Helper()
	o := observe(t, h.plane)
	if len(o.Bridges) != 1 || len(o.VXLANs) != 1 || len(o.Taps) != 1 || len(o.Dnsmasq) != 1 {
		t.Fatalf("host %s data plane in %s: %+v, want one bridge, vxlan, tap and dnsmasq", h.id, h.ns, o)
	}
	links := nptest.In(t, h.ns, "ip", "-o", "link", "show", "master", o.Bridges[0])
	for _, dev := range []string{o.VXLANs[0], o.Taps[0]} {
		if !strings.Contains(links, " "+dev+":") {
			t.Errorf("host %s: %s is not a port of %s:\n%s", h.id, dev, o.Bridges[0], links)
		}
	}
	if vx := nptest.In(t, h.ns, "ip", "-d", "link", "show", o.VXLANs[0]); !strings.Contains(vx, "vxlan id ") ||
		!strings.Contains(vx, "local "+h.vtep.String()) {
		t.Errorf("host %s: %s is no VXLAN device from %s:\n%s", h.id, o.VXLANs[0], h.vtep, vx)
	}
	fdb := nptest.In(t, h.ns, "bridge", "fdb", "show", "dev", o.VXLANs[0])
	for _, want := range []string{"00:00:00:00:00:00 dst " + other.vtep.String(), strings.ToLower(remote.GetMacAddress()) + " dst " + other.vtep.String()} {
		if !strings.Contains(fdb, want) {
			t.Errorf("host %s fdb lacks %q:\n%s", h.id, want, fdb)
		}
	}
}

// nsHosts makes two hosts for tag: each its own namespace, prefix and
// state directory under dir, cabled by a veth underlay carrying their VTEPs
// (10.<octet>.x.1 and .2).
func nsHosts(t *testing.T, dir, tag string, octet int) []*vxlanHost {
	t.Helper()
	x := rand.Intn(250) + 1
	hosts := []*vxlanHost{
		{id: "h-" + tag + "-1", vtep: netip.MustParseAddr(fmt.Sprintf("10.%d.%d.1", octet, x))},
		{id: "h-" + tag + "-2", vtep: netip.MustParseAddr(fmt.Sprintf("10.%d.%d.2", octet, x))},
	}
	for i, h := range hosts {
		h.ns, h.prefix = nptest.NetNS(t), fmt.Sprintf("%s%d-", tag, i+1)
		h.stateDir = filepath.Join(dir, fmt.Sprintf("agent-%d", i+1))
	}
	nptest.Veth(t, hosts[0].ns, "under0", hosts[0].vtep.String()+"/30", hosts[1].ns, "under0", hosts[1].vtep.String()+"/30")
	return hosts
}

// startNSAgent runs a standalone ec2-agent for h (with the extra flags, and
// --public-uplink when h has one) until the test ends; its output goes to
// h.log, a fresh buffer each start.
func startNSAgent(t *testing.T, controller, pool, localPool string, h *vxlanHost, extra ...string) *exec.Cmd {
	t.Helper()
	h.log = &lockedBuffer{}
	args := []string{"--controller", controller,
		"--listen", freePort(t), "--host-id", h.id, "--region", "lab-1", "--availability-zone", "lab-1a",
		"--domain-prefix", h.prefix, "--pool", pool, "--local-pool", localPool, "--state-dir", h.stateDir,
		"--netns", h.ns, "--vtep", h.vtep.String()}
	if h.publicUplink != "" {
		args = append(args, "--public-uplink", h.publicUplink)
	}
	cmd := exec.Command(filepath.Join(binaries(t), "ec2-agent"), append(args, extra...)...)
	cmd.Stdout, cmd.Stderr = h.log, h.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { killWait(cmd) })
	return cmd
}

// nsObserver is a view of h's agent's data plane in h's namespace; at
// cleanup it sweeps what the test left (dnsmasq would outlive the agent;
// with h's public uplink, its public addresses too).
func nsObserver(t *testing.T, h *vxlanHost) *netplane.Plane {
	t.Helper()
	p, err := netplane.New(netplane.Config{Prefix: agent.NetPrefix(h.prefix), StateDir: filepath.Join(h.stateDir, "net"),
		NetNS: h.ns, VTEP: h.vtep, PublicUplink: h.publicUplink})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Reconcile(context.Background(), nil); err != nil {
			t.Errorf("sweep data plane of %s: %v", h.id, err)
		}
		p.Close()
	})
	return p
}

// waitHosts waits until n hosts have registered.
func waitHosts(t *testing.T, r *region, n int) {
	t.Helper()
	waitFor(t, fmt.Sprintf("%d hosts registered", n), func() bool {
		out, err := r.Client.DescribeHosts(context.Background(), &v1.DescribeHostsRequest{})
		return err == nil && len(out.GetHosts()) == n
	})
}

func keys(m map[string]*v1.Instance) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
