package e2e

import (
	"strings"
	"testing"
	"time"
)

// natSetup is what natEgress builds on: a VPC whose main table routes
// 0.0.0.0/0 to its internet gateway, its public subnet, a security group
// open to TCP 7777 and the AMI.
type natSetup struct{ vpc, public, sg, ami string }

// natEgress makes a private subnet with its own route table, a NAT
// gateway with an Elastic IP in the public subnet (waited for with the AWS
// CLI's waiter) and a 0.0.0.0/0 route to it, and an instance in the
// private subnet serving TCP 7777. The guest reaches the LAN, which sees
// the gateway's address; the LAN reaches neither the guest through that
// address nor the gateway's host; deleting the route cuts the path and
// recreating it restores it; then everything is deleted again.
func natEgress(t *testing.T, r *region, lan string, in natSetup) {
	cli := func(args ...string) map[string]any { return jsonOf(t, r.awsCLI(t, args...)) }
	private := str(cli("create-subnet", "--vpc-id", in.vpc, "--cidr-block", "10.77.2.0/24"), "Subnet", "SubnetId")
	table := str(cli("create-route-table", "--vpc-id", in.vpc), "RouteTable", "RouteTableId")
	tableAssoc := str(cli("associate-route-table", "--route-table-id", table, "--subnet-id", private), "AssociationId")
	alloc := cli("allocate-address", "--domain", "vpc")
	natIP, allocID := str(alloc, "PublicIp"), str(alloc, "AllocationId")
	created := time.Now()
	nat := str(cli("create-nat-gateway", "--subnet-id", in.public, "--allocation-id", allocID), "NatGateway", "NatGatewayId")
	r.awsCLI(t, "wait", "nat-gateway-available", "--nat-gateway-ids", nat)
	t.Logf("NAT gateway %s available %s after create", nat, time.Since(created).Round(time.Millisecond))
	route := []string{"--route-table-id", table, "--destination-cidr-block", "0.0.0.0/0"}
	r.awsCLI(t, append([]string{"create-route", "--nat-gateway-id", nat}, route...)...)
	id := str(cli("run-instances", "--image-id", in.ami, "--instance-type", "lab.tiny", "--subnet-id", private,
		"--security-group-ids", in.sg), "Instances", "0", "InstanceId")
	r.waitState(t, "running", id)
	r.waitConsole(t, id, "ec2lab: dhcp eth0 ")
	r.guestRun(t, id, `printf '#!/bin/sh\necho hello from `+id+`\n' >/tmp/hi && chmod +x /tmp/hi && `+
		`(nc -ll -p 7777 -e /tmp/hi </dev/null >/dev/null 2>&1 &)`)
	stop := lanServe(t, lan)
	defer stop()
	seen := func() string { return r.guestRun(t, id, "nc -w 3 "+eipLANAddr+" 7777 </dev/null || true") }

	waitFor(t, "the private guest to reach the LAN as "+natIP, func() bool { return strings.Contains(seen(), "lan from "+natIP) })
	if got := lanTCP(lan, natIP); got != "" {
		t.Errorf("the LAN reached %s:7777 through the NAT gateway: %q", natIP, got)
	}
	if _, err := pingFrom(lan, natIP); err == nil {
		t.Errorf("the NAT gateway's address %s answers ping from the LAN", natIP)
	}

	cut := time.Now()
	r.awsCLI(t, append([]string{"delete-route"}, route...)...)
	waitFor(t, "the path to close without the route", func() bool { return !strings.Contains(seen(), "lan from") })
	t.Logf("egress cut %s after DeleteRoute", time.Since(cut).Round(time.Millisecond))
	r.awsCLI(t, append([]string{"create-route", "--nat-gateway-id", nat}, route...)...)
	waitFor(t, "the path back with the route", func() bool { return strings.Contains(seen(), "lan from "+natIP) })

	r.awsCLI(t, "terminate-instances", "--instance-ids", id)
	r.awsCLI(t, "delete-nat-gateway", "--nat-gateway-id", nat)
	r.awsCLI(t, "wait", "nat-gateway-deleted", "--nat-gateway-ids", nat)
	r.waitState(t, "terminated", id)
	r.awsCLI(t, "release-address", "--allocation-id", allocID)
	r.awsCLI(t, "disassociate-route-table", "--association-id", tableAssoc)
	r.awsCLI(t, "delete-route-table", "--route-table-id", table)
	r.awsCLI(t, "delete-subnet", "--subnet-id", private)
}
