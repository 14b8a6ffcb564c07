package controller

import (
	"context"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
)

// pushedNIC is instance id's NIC and its subnet as the hosts are told.
func pushedNIC(t *testing.T, r *rig, id string) (host.SubnetNIC, host.Subnet) {
	t.Helper()
	want, err := r.svc.desiredNetwork(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, subs := range want {
		for _, s := range subs {
			for _, n := range s.NICs {
				if n.InstanceID == id {
					return n, s
				}
			}
		}
	}
	t.Fatalf("instance %s is on no host's network: %v", id, want)
	return host.SubnetNIC{}, host.Subnet{}
}

// TestPushedPublicIP: a host is told an instance's Elastic IP only while
// the instance runs in a subnet routing 0.0.0.0/0 to its VPC's attached
// gateway; and every subnet carries its network ACL.
func TestPushedPublicIP(t *testing.T) {
	r := eipRig(t, "198.51.100.0/29") // the default VPCs have gateways
	ctx := ctxFor(acct1)
	id := r.run(t, 1, "lab-1a")[0]
	r.setState(t, id, StateRunning)
	a := r.allocate(t, acct1)
	r.associate(t, AssociateRequest{AllocationID: a.AllocationID, InstanceID: id})
	in := r.get(t, id)
	igw, err := r.svc.vpcInternetGateway(context.Background(), in.VpcID)
	if err != nil || igw == "" {
		t.Fatalf("gateway of %s: %q %v", in.VpcID, igw, err)
	}
	rtbs, _, err := r.svc.DescribeRouteTables(ctx, nil, []Filter{{Name: "vpc-id", Values: []string{in.VpcID}}}, Page{})
	if err != nil || len(rtbs) != 1 {
		t.Fatalf("route tables of %s: %v %v", in.VpcID, rtbs, err)
	}
	// The default VPC's main table routes to its gateway, as in EC2.
	route := RouteSpec{RouteTableID: rtbs[0].ID, DestinationCIDR: "0.0.0.0/0", GatewayID: igw}
	if err := r.svc.DeleteRoute(ctx, route.RouteTableID, route.DestinationCIDR, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := pushedNIC(t, r, id); n.PublicIP != "" {
		t.Errorf("public IP %q pushed without a route to the gateway", n.PublicIP)
	}
	if err := r.svc.CreateRoute(ctx, route, false); err != nil {
		t.Fatal(err)
	}
	n, s := pushedNIC(t, r, id)
	if n.PublicIP != a.PublicIP {
		t.Errorf("public IP %q pushed, want %s", n.PublicIP, a.PublicIP)
	}
	if s.ACL == nil || len(s.ACL.Ingress) != 2 || len(s.ACL.Egress) != 2 || !s.ACL.Ingress[0].Allow ||
		s.ACL.Ingress[0].Protocol != -1 || s.ACL.Ingress[0].CIDR != "0.0.0.0/0" || s.ACL.Ingress[1].Allow {
		t.Errorf("default ACL pushed as %+v, want allow all then deny, both ways", s.ACL)
	}
	r.setState(t, id, StateStopped)
	if n, _ := pushedNIC(t, r, id); n.PublicIP != "" {
		t.Errorf("stopped instance's public IP %q still pushed", n.PublicIP)
	}
	r.setState(t, id, StateRunning)
	// As in EC2 the gateway stays while an address is mapped behind it.
	if err := r.svc.DetachInternetGateway(ctx, igw, in.VpcID, false); errCode(err) != ec2err.DependencyViolation {
		t.Errorf("detaching the gateway of a mapped address: %v, want %s", err, ec2err.DependencyViolation)
	}
	if err := r.svc.DeleteRoute(ctx, route.RouteTableID, route.DestinationCIDR, false); err != nil {
		t.Fatal(err)
	}
	if n, _ := pushedNIC(t, r, id); n.PublicIP != "" {
		t.Errorf("public IP %q pushed with the route deleted", n.PublicIP)
	}
}
