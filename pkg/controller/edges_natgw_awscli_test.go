package controller_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// TestNatGatewaysThroughTheAWSCLI: the real AWS CLI builds a public and a
// private subnet, creates a NAT gateway with an Elastic IP in the public
// one, waits for it with botocore's waiter, routes the private subnet to
// it, meets the refusals, then deletes it and waits for deleted; ec2ctl
// prints the same documents over gRPC.
func TestNatGatewaysThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	rig.SetElasticIPPool(t, "198.51.100.0/29")
	e := newEdges(t, rig.Svc, rig.Acct1)
	a := ec2Tools{asg: newASGTools(t, e, rig.Acct1)}
	vpc := docAt(t, a.aws("create-vpc", "--cidr-block", "10.9.0.0/16"), "Vpc.VpcId").(string)
	public := docAt(t, a.aws("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.9.1.0/24", "--availability-zone", "lab-1a"),
		"Subnet.SubnetId").(string)
	private := docAt(t, a.aws("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.9.2.0/24", "--availability-zone", "lab-1a"),
		"Subnet.SubnetId").(string)
	gw := docAt(t, a.aws("create-internet-gateway"), "InternetGateway.InternetGatewayId").(string)
	a.aws("attach-internet-gateway", "--internet-gateway-id", gw, "--vpc-id", vpc)
	mainTable := docAt(t, a.aws("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc), "RouteTables.0.RouteTableId").(string)
	a.aws("create-route", "--route-table-id", mainTable, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", gw)
	table := docAt(t, a.aws("create-route-table", "--vpc-id", vpc), "RouteTable.RouteTableId").(string)
	a.aws("associate-route-table", "--route-table-id", table, "--subnet-id", private)
	alloc := docAt(t, a.aws("allocate-address", "--domain", "vpc"), "AllocationId").(string)

	a.awsFails("UnsupportedOperation", "create-nat-gateway", "--subnet-id", public, "--connectivity-type", "private")
	a.awsFails("InvalidAllocationID.NotFound", "create-nat-gateway", "--subnet-id", public, "--allocation-id", "eipalloc-00000000000000000")
	a.awsFails("DryRunOperation", "create-nat-gateway", "--subnet-id", public, "--allocation-id", alloc, "--dry-run")
	created := a.aws("create-nat-gateway", "--subnet-id", public, "--allocation-id", alloc, "--client-token", "nat-1",
		"--tag-specifications", "ResourceType=natgateway,Tags=[{Key=Name,Value=egress}]")
	nat := docAt(t, created, "NatGateway.NatGatewayId").(string)
	if !strings.HasPrefix(nat, "nat-") || docAt(t, created, "NatGateway.State") != "pending" || docAt(t, created, "ClientToken") != "nat-1" ||
		docAt(t, created, "NatGateway.NatGatewayAddresses.0.AllocationId") != alloc || docAt(t, created, "NatGateway.Tags.0.Value") != "egress" {
		t.Errorf("create-nat-gateway: %v", created)
	}
	if again := a.aws("create-nat-gateway", "--subnet-id", public, "--allocation-id", alloc, "--client-token", "nat-1",
		"--tag-specifications", "ResourceType=natgateway,Tags=[{Key=Name,Value=egress}]"); docAt(t, again, "NatGateway.NatGatewayId") != nat {
		t.Errorf("retry with the client token: %v", again)
	}
	rig.Heartbeat(t) // the hosts must be healthy to run the gateway, however long the CLI took so far
	rig.Reconcile()
	if _, errOut, ok := a.run("wait", "nat-gateway-available", "--nat-gateway-ids", nat); !ok {
		t.Fatalf("wait nat-gateway-available: %s", errOut)
	}
	a.aws("create-route", "--route-table-id", table, "--destination-cidr-block", "0.0.0.0/0", "--nat-gateway-id", nat)
	routes := a.aws("describe-route-tables", "--route-table-ids", table, "--filters", "Name=route.nat-gateway-id,Values="+nat)
	if docAt(t, routes, "RouteTables.0.Routes.1.NatGatewayId") != nat || docAt(t, routes, "RouteTables.0.Routes.1.State") != "active" {
		t.Errorf("describe-route-tables: %v", routes)
	}
	addr := a.aws("describe-addresses", "--allocation-ids", alloc)
	eni := docAt(t, addr, "Addresses.0.NetworkInterfaceId").(string)
	if !strings.HasPrefix(eni, "eni-") || docAt(t, addr, "Addresses.0.PrivateIpAddress") == nil {
		t.Errorf("describe-addresses: %v", addr)
	}
	a.awsFails("InvalidIPAddress.InUse", "release-address", "--allocation-id", alloc)
	a.awsFails("DependencyViolation", "delete-subnet", "--subnet-id", public)
	described := a.aws("describe-nat-gateways", "--filter", "Name=vpc-id,Values="+vpc)
	if docAt(t, described, "NatGateways.0.State") != "available" || docAt(t, described, "NatGateways.0.NatGatewayAddresses.0.NetworkInterfaceId") != eni {
		t.Errorf("describe-nat-gateways: %v", described)
	}
	if viaCtl := a.ec2ctl("describe-nat-gateways", "--filter", "Name=vpc-id,Values="+vpc); !reflect.DeepEqual(viaCtl, described) {
		t.Errorf("ec2ctl describe-nat-gateways:\n%v\naws:\n%v", viaCtl, described)
	}
	a.awsFails("NatGatewayNotFound", "delete-nat-gateway", "--nat-gateway-id", "nat-00000000000000000")
	a.awsFails("NatGatewayMalformed", "describe-nat-gateways", "--nat-gateway-ids", "nat-1")
	if doc := a.aws("delete-nat-gateway", "--nat-gateway-id", nat); docAt(t, doc, "NatGatewayId") != nat {
		t.Errorf("delete-nat-gateway: %v", doc)
	}
	rig.Reconcile()
	if _, errOut, ok := a.run("wait", "nat-gateway-deleted", "--nat-gateway-ids", nat); !ok {
		t.Fatalf("wait nat-gateway-deleted: %s", errOut)
	}
	if routes := a.aws("describe-route-tables", "--route-table-ids", table); docAt(t, routes, "RouteTables.0.Routes.1.State") != "blackhole" {
		t.Errorf("route to the deleted gateway: %v", routes)
	}
	a.aws("release-address", "--allocation-id", alloc)
}
