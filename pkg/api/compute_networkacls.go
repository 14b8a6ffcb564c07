package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateNetworkAcl makes a network ACL in a VPC (its tags from the
// network-acl tag specifications); a retry with its client token answers
// the first call's ACL.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) CreateNetworkAcl(ctx context.Context, r *v1.CreateNetworkAclRequest) (*v1.CreateNetworkAclResponse, error) {
	acl, err := c.svc.CreateNetworkACL(ctx, controller.CreateInVPC{VpcID: r.GetVpcId(),
		Tags: specTags(r.GetTagSpecifications())["network-acl"], ClientToken: r.GetClientToken(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.CreateNetworkAclResponse{NetworkAcl: networkACLOut(acl), ClientToken: r.GetClientToken()}, nil
}

// DeleteNetworkAcl removes a network ACL no subnet uses.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) DeleteNetworkAcl(ctx context.Context, r *v1.DeleteNetworkAclRequest) (*v1.DeleteNetworkAclResponse, error) {
	if err := c.svc.DeleteNetworkACL(ctx, r.GetNetworkAclId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteNetworkAclResponse{}, nil
}

// CreateNetworkAclEntry adds an entry to a network ACL.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) CreateNetworkAclEntry(ctx context.Context, r *v1.NetworkAclEntryRequest) (*v1.NetworkAclEntryResponse, error) {
	if err := c.svc.CreateNetworkACLEntry(ctx, aclEntrySpecIn(r), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.NetworkAclEntryResponse{}, nil
}

// ReplaceNetworkAclEntry replaces an entry of a network ACL.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) ReplaceNetworkAclEntry(ctx context.Context, r *v1.NetworkAclEntryRequest) (*v1.NetworkAclEntryResponse, error) {
	if err := c.svc.ReplaceNetworkACLEntry(ctx, aclEntrySpecIn(r), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.NetworkAclEntryResponse{}, nil
}

// DeleteNetworkAclEntry removes an entry of a network ACL.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) DeleteNetworkAclEntry(ctx context.Context, r *v1.DeleteNetworkAclEntryRequest) (*v1.DeleteNetworkAclEntryResponse, error) {
	if err := c.svc.DeleteNetworkACLEntry(ctx, r.GetNetworkAclId(), int(r.GetRuleNumber()), r.GetEgress(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteNetworkAclEntryResponse{}, nil
}

// ReplaceNetworkAclAssociation moves a subnet to another network ACL.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) ReplaceNetworkAclAssociation(ctx context.Context, r *v1.ReplaceNetworkAclAssociationRequest) (*v1.ReplaceNetworkAclAssociationResponse, error) {
	id, err := c.svc.ReplaceNetworkACLAssociation(ctx, r.GetAssociationId(), r.GetNetworkAclId(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ReplaceNetworkAclAssociationResponse{NewAssociationId: id}, nil
}

// aclEntrySpecIn converts an entry request; absent ports and ICMP fields
// stay absent.
func aclEntrySpecIn(r *v1.NetworkAclEntryRequest) controller.ACLEntrySpec {
	sp := controller.ACLEntrySpec{NetworkACLID: r.GetNetworkAclId(), RuleNumber: int(r.GetRuleNumber()),
		Protocol: r.GetProtocol(), RuleAction: r.GetRuleAction(), Egress: r.GetEgress(), CIDR: r.GetCidrBlock(),
		IPv6CIDR: r.GetIpv6CidrBlock()}
	if p := r.GetPortRange(); p != nil {
		sp.PortFrom, sp.PortTo = optInt(p.From), optInt(p.To)
	}
	if i := r.GetIcmpTypeCode(); i != nil {
		sp.IcmpType, sp.IcmpCode = optInt(i.Type), optInt(i.Code)
	}
	return sp
}

// optInt is an optional proto int32 as an optional int.
func optInt(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

// aclEntryOut is one entry, with its port range or ICMP type and code
// where its protocol has them.
func aclEntryOut(e controller.ACLEntry) *v1.NetworkAclEntry {
	out := &v1.NetworkAclEntry{RuleNumber: int32(e.RuleNumber), Protocol: e.Protocol, RuleAction: e.RuleAction,
		Egress: e.Egress, CidrBlock: e.CIDR}
	if e.HasPorts() {
		from, to := int32(e.PortFrom), int32(e.PortTo)
		out.PortRange = &v1.PortRange{From: &from, To: &to}
	}
	if e.HasIcmp() {
		typ, code := int32(e.IcmpType), int32(e.IcmpCode)
		out.IcmpTypeCode = &v1.IcmpTypeCode{Type: &typ, Code: &code}
	}
	return out
}
