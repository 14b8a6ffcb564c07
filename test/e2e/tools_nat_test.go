package e2e

import (
	"context"
	"testing"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// toolNAT is what a tool (Terraform, Ansible) says it built for a private
// subnet's egress: a NAT gateway in the public subnet with an Elastic IP,
// and the private subnet's route table.
type toolNAT struct {
	Gateway, PublicSubnet, VPC, Allocation, PrivateSubnet, RouteTable, Name string
}

// checkToolNAT checks what a user would: the gateway is available in the
// public subnet with the Elastic IP, tagged Name; the Elastic IP is
// associated with the gateway's interface and address; the private
// subnet's table sends 0.0.0.0/0 to the gateway, active.
func checkToolNAT(t *testing.T, r *region, n toolNAT) {
	t.Helper()
	g := describeNAT(t, r, n.Gateway)
	if g.GetState() != "available" || g.GetSubnetId() != n.PublicSubnet || g.GetVpcId() != n.VPC || tagMap(g.GetTags())["Name"] != n.Name {
		t.Errorf("NAT gateway %s: %v", n.Gateway, g)
	}
	if len(g.GetNatGatewayAddresses()) != 1 || g.GetNatGatewayAddresses()[0].GetAllocationId() != n.Allocation {
		t.Fatalf("NAT gateway %s addresses %v, want %s", n.Gateway, g.GetNatGatewayAddresses(), n.Allocation)
	}
	checkNATAddress(t, r, g.GetNatGatewayAddresses()[0])
	checkNATRoute(t, r, n)
}

// describeNAT is the gateway as DescribeNatGateways shows it.
func describeNAT(t *testing.T, r *region, id string) *v1.NatGateway {
	t.Helper()
	resp, err := r.Client.DescribeNatGateways(context.Background(), &v1.DescribeNatGatewaysRequest{NatGatewayIds: []string{id}})
	if err != nil || len(resp.GetNatGateways()) != 1 {
		t.Fatalf("DescribeNatGateways %s: %v %v", id, resp, err)
	}
	return resp.GetNatGateways()[0]
}

// checkNATAddress: DescribeAddresses shows the gateway's Elastic IP
// associated with the gateway's interface and private address.
func checkNATAddress(t *testing.T, r *region, ga *v1.NatGatewayAddress) {
	t.Helper()
	resp, err := r.Client.DescribeAddresses(context.Background(), &v1.DescribeAddressesRequest{AllocationIds: []string{ga.GetAllocationId()}})
	if err != nil || len(resp.GetAddresses()) != 1 {
		t.Fatalf("DescribeAddresses %s: %v %v", ga.GetAllocationId(), resp, err)
	}
	a := resp.GetAddresses()[0]
	if a.GetPublicIp() != ga.GetPublicIp() || a.GetAssociationId() == "" || a.GetAssociationId() != ga.GetAssociationId() ||
		a.GetNetworkInterfaceId() != ga.GetNetworkInterfaceId() || a.GetPrivateIpAddress() != ga.GetPrivateIp() || a.GetInstanceId() != "" {
		t.Errorf("the NAT gateway's Elastic IP %v, gateway address %v", a, ga)
	}
}

// checkNATRoute: the private subnet's explicitly associated table routes
// 0.0.0.0/0 to the gateway, and the route is active.
func checkNATRoute(t *testing.T, r *region, n toolNAT) {
	t.Helper()
	rtbs, err := r.Client.DescribeRouteTables(context.Background(), &v1.DescribeRouteTablesRequest{Filters: []*v1.Filter{
		{Name: "association.subnet-id", Values: []string{n.PrivateSubnet}}}})
	if err != nil || len(rtbs.GetRouteTables()) != 1 || rtbs.GetRouteTables()[0].GetRouteTableId() != n.RouteTable {
		t.Fatalf("route table of the private subnet %s: %v %v, want %s", n.PrivateSubnet, rtbs, err, n.RouteTable)
	}
	for _, rt := range rtbs.GetRouteTables()[0].GetRoutes() {
		if rt.GetDestinationCidrBlock() == "0.0.0.0/0" && rt.GetNatGatewayId() == n.Gateway && rt.GetGatewayId() == "" && rt.GetState() == "active" {
			return
		}
	}
	t.Errorf("routes of %s %v: no active 0.0.0.0/0 to %s", n.RouteTable, rtbs.GetRouteTables()[0].GetRoutes(), n.Gateway)
}

// censusNATGateways adds the account's NAT gateways to a census, less the
// deleted ones (EC2 shows those for an hour after the deletion).
func censusNATGateways(t *testing.T, r *region, add func(kind string, ids ...string)) {
	t.Helper()
	resp, err := r.Client.DescribeNatGateways(context.Background(), &v1.DescribeNatGatewaysRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range resp.GetNatGateways() {
		if g.GetState() != "deleted" {
			add("nat-gateway", g.GetNatGatewayId())
		}
	}
}

// checkNATDeleted: after the teardown the gateway is deleted, with its
// deletion time (EC2 keeps showing it for an hour; the census, which
// leaves it out, finds its Elastic IP released).
func checkNATDeleted(t *testing.T, r *region, id string) {
	t.Helper()
	g := describeNAT(t, r, id)
	if g.GetState() != "deleted" || g.GetDeleteTime() == nil {
		t.Errorf("NAT gateway %s after the teardown: %v", id, g)
	}
}
