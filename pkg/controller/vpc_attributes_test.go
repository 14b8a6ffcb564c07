package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

func boolp(b bool) *bool { return &b }

// TestVPCAttributes: EC2's defaults (DNS support on everywhere, hostnames
// on in the default VPC only), one attribute per ModifyVpcAttribute, the
// change read back and kept in the store, hostnames refused without DNS
// support, and other accounts' VPCs invisible.
func TestVPCAttributes(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	v, err := r.svc.CreateVpc(ctx, "10.42.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	defaults, _, err := r.svc.DescribeVpcs(ctx, nil, []Filter{{Name: "is-default", Values: []string{"true"}}}, Page{})
	if err != nil || len(defaults) != 1 {
		t.Fatalf("default VPC: %v %v", defaults, err)
	}
	read := func(id, attr string) bool {
		t.Helper()
		got, err := r.svc.DescribeVpcAttribute(ctx, id, attr)
		if err != nil {
			t.Fatalf("DescribeVpcAttribute(%s, %s): %v", id, attr, err)
		}
		return got
	}
	if !read(v.ID, VPCAttrDNSSupport) || read(v.ID, VPCAttrDNSHostnames) || read(v.ID, VPCAttrAddressUsageMetrics) {
		t.Fatal("new VPC: want DNS support on, hostnames and metrics off")
	}
	if !read(defaults[0].ID, VPCAttrDNSHostnames) {
		t.Fatal("default VPC: want DNS hostnames on")
	}

	if err := r.svc.ModifyVpcAttribute(ctx, v.ID, VPCAttributeChange{DNSHostnames: boolp(true)}); err != nil {
		t.Fatal(err)
	}
	if !read(v.ID, VPCAttrDNSHostnames) {
		t.Fatal("hostnames not enabled")
	}
	if err := r.svc.ModifyVpcAttribute(ctx, v.ID, VPCAttributeChange{AddressUsageMetrics: boolp(true)}); err != nil || !read(v.ID, VPCAttrAddressUsageMetrics) {
		t.Fatalf("metrics: %v", err)
	}
	for _, tc := range []struct {
		name, vpc, attr string
		change          *VPCAttributeChange
		code            string
	}{
		{"unknown attribute", v.ID, "enableClassicLink", nil, ec2err.InvalidParameterValue},
		{"no attribute", v.ID, "", nil, ec2err.MissingParameter},
		{"other account's VPC", v.ID, VPCAttrDNSSupport, nil, ec2err.InvalidVpcIDNotFound},
		{"two attributes at once", v.ID, "", &VPCAttributeChange{DNSSupport: boolp(true), DNSHostnames: boolp(true)}, ec2err.InvalidParameterCombination},
		{"nothing to modify", v.ID, "", &VPCAttributeChange{}, ec2err.MissingParameter},
		{"malformed ID", "vpc-zz", "", &VPCAttributeChange{DNSSupport: boolp(true)}, ec2err.InvalidVpcIDMalformed},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := ctx
			if tc.code == ec2err.InvalidVpcIDNotFound {
				c = ctxFor(acct2)
			}
			var err error
			if tc.change != nil {
				err = r.svc.ModifyVpcAttribute(c, tc.vpc, *tc.change)
			} else {
				_, err = r.svc.DescribeVpcAttribute(c, tc.vpc, tc.attr)
			}
			if errCode(err) != tc.code {
				t.Fatalf("err %v, want %s", err, tc.code)
			}
		})
	}

	// hostnames need DNS support: turn hostnames off, support off, then
	// hostnames on is refused.
	for _, c := range []VPCAttributeChange{{DNSHostnames: boolp(false)}, {DNSSupport: boolp(false)}} {
		if err := r.svc.ModifyVpcAttribute(ctx, v.ID, c); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.svc.ModifyVpcAttribute(ctx, v.ID, VPCAttributeChange{DNSHostnames: boolp(true)}); errCode(err) != ec2err.InvalidParameterValue {
		t.Fatalf("hostnames without DNS support: %v", err)
	}
	stored, _, err := r.svc.DescribeVpcs(ctx, []string{v.ID}, nil, Page{})
	if err != nil || stored[0].DNSSupportEnabled() || stored[0].DNSHostnamesEnabled() || !stored[0].AddressUsageMetrics {
		t.Fatalf("stored VPC %+v, %v", stored, err)
	}
}

// TestVPCSecondaryBlocks: a secondary block shows in the VPC's
// associations, takes subnets, cannot be dropped while a subnet uses it,
// and goes once free; the primary block stays; IPv6 is refused.
func TestVPCSecondaryBlocks(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	v, err := r.svc.CreateVpc(ctx, "10.42.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := r.svc.AssociateVpcCidrBlock(ctx, CIDRBlockRequest{VpcID: v.ID, CIDR: "10.43.0.0/16", Unsupported: "AmazonProvidedIpv6CidrBlock"}); errCode(err) != ec2err.UnsupportedOperation {
		t.Fatalf("IPv6 block: %v", err)
	}
	if _, err := r.svc.CreateSubnet(ctx, v.ID, "10.43.1.0/24", "", nil, false); errCode(err) == "" {
		t.Fatal("subnet outside the VPC's blocks was created")
	}
	vpcID, a, err := r.svc.AssociateVpcCidrBlock(ctx, CIDRBlockRequest{VpcID: v.ID, CIDR: "10.43.0.0/16"})
	if err != nil || vpcID != v.ID || a.CIDR != "10.43.0.0/16" || a.State != "associated" {
		t.Fatalf("associate: %s %+v %v", vpcID, a, err)
	}
	if _, _, err := r.svc.AssociateVpcCidrBlock(ctx, CIDRBlockRequest{VpcID: v.ID, CIDR: "192.168.0.0/24"}); errCode(err) != "InvalidVpc.Range" {
		t.Fatalf("restricted block: %v", err)
	}
	got, _, err := r.svc.DescribeVpcs(ctx, nil, []Filter{{Name: "cidr-block-association.cidr-block", Values: []string{"10.43.0.0/16"}}}, Page{})
	if err != nil || len(got) != 1 || len(got[0].Blocks()) != 2 || got[0].Blocks()[1].ID != a.ID {
		t.Fatalf("VPC by secondary block: %+v %v", got, err)
	}
	rts, _, err := r.svc.DescribeRouteTables(ctx, nil, []Filter{{Name: "vpc-id", Values: []string{v.ID}}}, Page{})
	if err != nil || len(rts) != 1 || len(rts[0].Routes) != 2 || rts[0].Routes[1].DestinationCIDR != "10.43.0.0/16" {
		t.Fatalf("main route table after the association: %+v %v", rts, err)
	}
	sn, err := r.svc.CreateSubnet(ctx, v.ID, "10.43.1.0/24", "", nil, false)
	if err != nil {
		t.Fatalf("subnet in the secondary block: %v", err)
	}
	if _, _, err := r.svc.DisassociateVpcCidrBlock(ctx, a.ID); errCode(err) != ec2err.DependencyViolation {
		t.Fatalf("disassociate a block in use: %v", err)
	}
	if _, _, err := r.svc.DisassociateVpcCidrBlock(ctx, got[0].Blocks()[0].ID); errCode(err) != ec2err.OperationNotPermitted {
		t.Fatalf("disassociate the primary block: %v", err)
	}
	if _, _, err := r.svc.DisassociateVpcCidrBlock(ctxFor(acct2), a.ID); errCode(err) != ec2err.InvalidVpcCidrAssocNotFound {
		t.Fatalf("other account: %v", err)
	}
	if err := r.svc.DeleteSubnet(ctx, sn.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, gone, err := r.svc.DisassociateVpcCidrBlock(ctx, a.ID); err != nil || gone.State != "disassociating" {
		t.Fatalf("disassociate: %+v %v", gone, err)
	}
	after, _, _ := r.svc.DescribeVpcs(ctx, []string{v.ID}, nil, Page{})
	if len(after[0].Blocks()) != 1 {
		t.Fatalf("blocks after disassociation: %+v", after[0].Blocks())
	}
}

// TestModifySubnetAttribute: EC2's default values are accepted, values
// ec2lab cannot honour are refused with the reason, one attribute per call.
func TestModifySubnetAttribute(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	subs, _, err := r.svc.DescribeSubnets(ctx, nil, nil, Page{})
	if err != nil || len(subs) == 0 {
		t.Fatal(err)
	}
	sn := subs[0]
	if sn.ARN != "arn:aws:ec2:lab-1:"+acct1+":subnet/"+sn.ID || sn.ZoneID == "" {
		t.Fatalf("subnet ARN %q zone ID %q", sn.ARN, sn.ZoneID)
	}
	for _, tc := range []struct {
		name string
		c    SubnetAttributeChange
		code string
	}{
		{"map public IP off", SubnetAttributeChange{Flags: map[string]bool{"MapPublicIpOnLaunch": false}}, ""},
		{"IPv6 on creation off", SubnetAttributeChange{Flags: map[string]bool{"AssignIpv6AddressOnCreation": false}}, ""},
		{"ip-name hostnames", SubnetAttributeChange{HostnameType: "ip-name"}, ""},
		{"map public IP on", SubnetAttributeChange{Flags: map[string]bool{"MapPublicIpOnLaunch": true}}, ""},
		{"DNS64 on", SubnetAttributeChange{Flags: map[string]bool{"EnableDns64": true}}, ec2err.UnsupportedOperation},
		{"resource-name hostnames", SubnetAttributeChange{HostnameType: "resource-name"}, ec2err.UnsupportedOperation},
		{"bad hostname type", SubnetAttributeChange{HostnameType: "fancy"}, ec2err.InvalidParameterValue},
		{"customer-owned pool", SubnetAttributeChange{Unsupported: "CustomerOwnedIpv4Pool"}, ec2err.UnsupportedOperation},
		{"two at once", SubnetAttributeChange{Flags: map[string]bool{"MapPublicIpOnLaunch": false, "EnableDns64": false}}, ec2err.InvalidParameterCombination},
		{"none", SubnetAttributeChange{}, ec2err.MissingParameter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := r.svc.ModifySubnetAttribute(ctx, sn.ID, tc.c); errCode(err) != tc.code {
				t.Fatalf("err %v, want %q", err, tc.code)
			}
		})
	}
	err = r.svc.ModifySubnetAttribute(ctxFor(acct2), sn.ID, SubnetAttributeChange{HostnameType: "ip-name"})
	if errCode(err) != ec2err.InvalidSubnetIDNotFound {
		t.Fatalf("other account's subnet: %v", err)
	}
}
