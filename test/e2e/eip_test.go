package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
)

// eipLAN is the stand-in for a homelab's LAN: a namespace with a bridge
// (198.51.100.1/24) cabled to every host's public uplink "up0".
const (
	eipLANAddr = "198.51.100.1"
	eipPool    = "198.51.100.16/28"
)

// TestElasticIPFromTheLAN drives the AWS CLI alone against ec2d with two
// ec2-agents, each posing as a host in its own namespace with a public
// uplink on a shared "LAN" namespace. A VPC with an internet gateway and
// a 0.0.0.0/0 route in its main table, an instance with a security group
// open to TCP 7777 and ICMP, and an Elastic IP: from the LAN the address
// answers ping and TCP (the guest's own server); the guest reaches the LAN,
// which sees the Elastic IP as the source; DescribeInstances shows it.
// Deleting the route cuts the path within seconds and recreating it
// restores it. A network ACL entry denying TCP 7777, numbered below an
// allow-all, blocks what the security group allows until it is deleted.
// An instance in a private subnet routed to a NAT gateway reaches the LAN
// as the gateway's address and cannot be reached from it (natEgress).
// Stopped, its host gone and started again, the instance runs on the
// other host and the address follows it there.
func TestElasticIPFromTheLAN(t *testing.T) {
	requireHost(t)
	nptest.RequireNetAdmin(t)
	start := time.Now()
	dir := hvtest.ScratchDir(t)
	tag := fmt.Sprintf("ep%04x", rand.Intn(1<<16))
	pool, agentAddr := filepath.Join(dir, "pool"), freePort(t)
	hosts := nsHosts(t, dir, tag, 252)
	for _, h := range hosts {
		h.publicUplink = "up0"
	}
	lan := lanNamespace(t, hosts)
	for _, h := range hosts { // after the namespaces: swept before they go
		h.plane = nsObserver(t, h)
	}
	t.Cleanup(func() { removeDomains(t, tag) })

	config := filepath.Join(dir, "region.yaml")
	yaml := fmt.Sprintf(`region: lab-1
availability_zones:
  - {name: lab-1a, id: lab-1-az1, pool: %s}
heartbeat_timeout: 5s
elastic_ip_pool: [%s]
instance_types:
  - {name: lab.tiny, family: general, vcpus: 1, memory_mib: 256, architectures: [x86_64]}
`, pool, eipPool)
	if err := os.WriteFile(config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	r := startEC2d(t, filepath.Join(dir, "data"), "--config", config, "--agent-addr", agentAddr)
	agents := make([]*exec.Cmd, len(hosts))
	startAgent := func(i int) {
		agents[i] = startNSAgent(t, agentAddr, pool, filepath.Join(dir, fmt.Sprintf("local-%d", i+1)), hosts[i])
	}
	for i := range hosts {
		startAgent(i)
	}
	t.Cleanup(func() {
		for _, h := range hosts {
			if t.Failed() {
				t.Logf("agent %s log tail:\n%s", h.id, tail(h.log.String(), 3000))
			}
		}
	})
	waitHosts(t, r, 2)
	ami := waitTinyAMI(t, r)

	cli := func(args ...string) map[string]any { return jsonOf(t, r.awsCLI(t, args...)) }
	vpc := str(cli("create-vpc", "--cidr-block", "10.77.0.0/16"), "Vpc", "VpcId")
	subnet := str(cli("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.77.1.0/24"), "Subnet", "SubnetId")
	igw := str(cli("create-internet-gateway"), "InternetGateway", "InternetGatewayId")
	r.awsCLI(t, "attach-internet-gateway", "--internet-gateway-id", igw, "--vpc-id", vpc)
	rtb := str(cli("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc, "Name=association.main,Values=true"),
		"RouteTables", "0", "RouteTableId")
	route := []string{"--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0"}
	r.awsCLI(t, append([]string{"create-route", "--gateway-id", igw}, route...)...)
	sg := str(cli("create-security-group", "--group-name", "web-"+tag, "--description", "lan", "--vpc-id", vpc), "GroupId")
	r.awsCLI(t, "authorize-security-group-ingress", "--group-id", sg, "--ip-permissions",
		`[{"IpProtocol":"tcp","FromPort":7777,"ToPort":7777,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]},`+
			`{"IpProtocol":"icmp","FromPort":-1,"ToPort":-1,"IpRanges":[{"CidrIp":"0.0.0.0/0"}]}]`)
	id := str(cli("run-instances", "--image-id", ami, "--instance-type", "lab.tiny", "--subnet-id", subnet,
		"--security-group-ids", sg), "Instances", "0", "InstanceId")
	alloc := cli("allocate-address", "--domain", "vpc")
	eip, allocID := str(alloc, "PublicIp"), str(alloc, "AllocationId")
	if !netip.MustParsePrefix(eipPool).Contains(netip.MustParseAddr(eip)) {
		t.Fatalf("Elastic IP %s is not from the pool %s", eip, eipPool)
	}
	r.waitState(t, "running", id)
	r.awsCLI(t, "associate-address", "--allocation-id", allocID, "--instance-id", id)
	if got := str(cli("describe-instances", "--instance-ids", id), "Reservations", "0", "Instances", "0", "PublicIpAddress"); got != eip {
		t.Errorf("PublicIpAddress %q, want %s", got, eip)
	}
	r.waitConsole(t, id, "ec2lab: dhcp eth0 ")
	serve := `printf '#!/bin/sh\necho hello from ` + id + `\n' >/tmp/hi && chmod +x /tmp/hi && ` +
		`(nc -ll -p 7777 -e /tmp/hi </dev/null >/dev/null 2>&1 &)`
	r.guestRun(t, id, serve)
	t.Logf("instance %s running with %s at %s", id, eip, time.Since(start).Round(time.Millisecond))

	reachable := func(t *testing.T, want bool) {
		t.Helper()
		deadline := time.Now().Add(time.Minute)
		for {
			if _, err := pingFrom(lan, eip); (err == nil) == want {
				break
			}
			if time.Now().After(deadline) {
				for _, h := range hosts {
					t.Logf("host %s:\n%s\n%s\n%s", h.id, nptest.In(t, h.ns, "ip", "-4", "addr"),
						nptest.In(t, h.ns, "nft", "list", "ruleset"), nptest.In(t, h.ns, "ip", "rule"))
				}
				t.Fatalf("%s reachable from the LAN: want %v after a minute", eip, want)
			}
			time.Sleep(300 * time.Millisecond)
		}
		if got := lanTCP(lan, eip); want && got != "hello from "+id {
			t.Errorf("TCP from the LAN to %s:7777 answered %q", eip, got)
		} else if !want && got != "" {
			t.Errorf("TCP from the LAN to %s:7777 answered %q with no route", eip, got)
		}
	}
	t.Run("LAN reaches the instance at its Elastic IP", func(t *testing.T) {
		reachable(t, true)
		stop := lanServe(t, lan)
		defer stop()
		out := r.guestRun(t, id, "nc -w 5 "+eipLANAddr+" 7777 </dev/null")
		if !strings.Contains(out, "lan from "+eip) {
			t.Errorf("the LAN saw the guest's flow come from elsewhere than %s:\n%s", eip, out)
		}
	})
	t.Run("the 0.0.0.0/0 route opens and closes the path", func(t *testing.T) {
		cut := time.Now()
		r.awsCLI(t, append([]string{"delete-route"}, route...)...)
		reachable(t, false)
		t.Logf("path cut %s after DeleteRoute", time.Since(cut).Round(time.Millisecond))
		back := time.Now()
		r.awsCLI(t, append([]string{"create-route", "--gateway-id", igw}, route...)...)
		reachable(t, true)
		t.Logf("path back %s after CreateRoute", time.Since(back).Round(time.Millisecond))
	})
	t.Run("a network ACL deny below an allow blocks what the group allows", func(t *testing.T) {
		acl := str(cli("create-network-acl", "--vpc-id", vpc), "NetworkAcl", "NetworkAclId")
		entry := func(n, proto, action string, egress bool, extra ...string) {
			dir := "--ingress"
			if egress {
				dir = "--egress"
			}
			r.awsCLI(t, append([]string{"create-network-acl-entry", "--network-acl-id", acl, "--rule-number", n, "--protocol", proto,
				"--rule-action", action, dir, "--cidr-block", "0.0.0.0/0"}, extra...)...)
		}
		entry("90", "tcp", "deny", false, "--port-range", "From=7777,To=7777")
		entry("100", "-1", "allow", false)
		entry("100", "-1", "allow", true)
		assoc := str(cli("describe-network-acls", "--filters", "Name=association.subnet-id,Values="+subnet),
			"NetworkAcls", "0", "Associations", "0", "NetworkAclAssociationId")
		moved := str(cli("replace-network-acl-association", "--association-id", assoc, "--network-acl-id", acl), "NewAssociationId")
		waitFor(t, "TCP to "+eip+" blocked by the ACL", func() bool { return lanTCP(lan, eip) == "" })
		if _, err := pingFrom(lan, eip); err != nil {
			t.Errorf("ping blocked too; only TCP 7777 is denied: %v", err)
		}
		r.awsCLI(t, "delete-network-acl-entry", "--network-acl-id", acl, "--rule-number", "90", "--ingress")
		waitFor(t, "TCP to "+eip+" back without the deny", func() bool { return lanTCP(lan, eip) == "hello from "+id })
		def := str(cli("describe-network-acls", "--filters", "Name=vpc-id,Values="+vpc, "Name=default,Values=true"), "NetworkAcls", "0", "NetworkAclId")
		r.awsCLI(t, "replace-network-acl-association", "--association-id", moved, "--network-acl-id", def)
		r.awsCLI(t, "delete-network-acl", "--network-acl-id", acl)
	})
	t.Run("a private subnet reaches the LAN through a NAT gateway", func(t *testing.T) {
		natEgress(t, r, lan, natSetup{vpc: vpc, public: subnet, sg: sg, ami: ami})
	})
	t.Run("the address follows the instance to another host", func(t *testing.T) {
		from := str(cli("describe-instances", "--instance-ids", id), "Reservations", "0", "Instances", "0", "Placement", "HostId")
		r.awsCLI(t, "stop-instances", "--instance-ids", id)
		r.waitState(t, "stopped", id)
		i := 0
		if hosts[1].id == from {
			i = 1
		}
		killWait(agents[i])
		time.Sleep(6 * time.Second) // heartbeat_timeout: the host is gone
		r.awsCLI(t, "start-instances", "--instance-ids", id)
		r.waitState(t, "running", id)
		to := str(cli("describe-instances", "--instance-ids", id), "Reservations", "0", "Instances", "0", "Placement", "HostId")
		if to == from {
			t.Fatalf("instance started on %s again, want the other host", to)
		}
		startAgent(i) // back, it gives the address up
		waitFor(t, "the old host to give the address up", func() bool { return !uplinkHas(t, hosts[i].ns, eip) })
		if !uplinkHas(t, hosts[1-i].ns, eip) {
			t.Errorf("new host %s does not hold %s on its uplink", to, eip)
		}
		r.waitConsole(t, id, "instance-id="+id+" boot=2")
		r.guestRun(t, id, serve)
		reachable(t, true)
	})

	r.awsCLI(t, "disassociate-address", "--association-id",
		str(cli("describe-addresses", "--allocation-ids", allocID), "Addresses", "0", "AssociationId"))
	r.awsCLI(t, "release-address", "--allocation-id", allocID)
	r.awsCLI(t, "terminate-instances", "--instance-ids", id)
	r.waitState(t, "terminated", id)
	for _, h := range hosts {
		waitPlaneEmpty(t, h.plane)
		if uplinkHas(t, h.ns, eip) {
			t.Errorf("host %s still holds %s", h.id, eip)
		}
	}
	t.Logf("total %s", time.Since(start).Round(time.Millisecond))
}

// lanNamespace makes the LAN: a namespace with bridge lan0 at
// eipLANAddr/24 and every host's "up0" cabled to it, at .2, .3, ...
func lanNamespace(t *testing.T, hosts []*vxlanHost) string {
	t.Helper()
	lan := nptest.NetNS(t)
	nptest.In(t, lan, "ip", "link", "add", "lan0", "type", "bridge")
	nptest.In(t, lan, "ip", "addr", "add", eipLANAddr+"/24", "dev", "lan0")
	nptest.In(t, lan, "ip", "link", "set", "lan0", "up")
	for i, h := range hosts {
		port := fmt.Sprintf("lp%d", i)
		nptest.Veth(t, h.ns, "up0", fmt.Sprintf("198.51.100.%d/24", i+2), lan, port, "")
		nptest.In(t, lan, "ip", "link", "set", port, "master", "lan0")
	}
	return lan
}

// uplinkHas tells whether ns's "up0" holds addr.
func uplinkHas(t *testing.T, ns, addr string) bool {
	t.Helper()
	return strings.Contains(nptest.In(t, ns, "ip", "-4", "-o", "addr", "show", "dev", "up0"), " "+addr+"/32 ")
}

func pingFrom(ns, addr string) (string, error) {
	out, err := exec.Command("ip", "netns", "exec", ns, "busybox", "ping", "-c", "1", "-W", "1", addr).CombinedOutput()
	return string(out), err
}

// lanTCP connects from ns to addr:7777 and returns the first line it is
// sent ("" when the connection fails).
func lanTCP(ns, addr string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, "ip", "netns", "exec", ns, "python3", "-c",
		`import socket,sys
c=socket.create_connection((sys.argv[1],7777),timeout=3); print(c.makefile().readline().strip())`, addr).Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(out))
}

// lanServe answers TCP on eipLANAddr:7777 in ns with "lan from <peer>".
func lanServe(t *testing.T, ns string) func() {
	t.Helper()
	cmd := exec.Command("ip", "netns", "exec", ns, "python3", "-c", `import socket
s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1); s.bind(("`+eipLANAddr+`",7777)); s.listen(8)
print("ready",flush=True)
while True:
    c,a=s.accept(); c.sendall(("lan from "+a[0]+"\n").encode()); c.close()`)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "ready\n" {
		killWait(cmd)
		t.Fatalf("LAN server did not start: %q %v", line, err)
	}
	return func() { killWait(cmd) }
}

// jsonOf decodes the AWS CLI's JSON output.
func jsonOf(t *testing.T, out string) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatalf("aws CLI output %q: %v", out, err)
	}
	return m
}

// str walks m by keys (list indexes as decimal strings) to a string.
func str(m map[string]any, path ...string) string {
	var cur any = m
	for _, k := range path {
		switch v := cur.(type) {
		case map[string]any:
			cur = v[k]
		case []any:
			var i int
			if _, err := fmt.Sscan(k, &i); err != nil || i >= len(v) {
				return ""
			}
			cur = v[i]
		default:
			return ""
		}
	}
	s, _ := cur.(string)
	return s
}
