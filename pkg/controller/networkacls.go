package controller

import (
	"context"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// prefixNetworkACL keys the network ACL records.
const prefixNetworkACL = "/networkacls/"

// Network ACL rule actions, the protocol number meaning all, and the
// number of the last rule (the implicit deny), as EC2 names them.
const (
	ACLAllow       = "allow"
	ACLDeny        = "deny"
	ACLAllProtocol = "-1"
	ACLLastRule    = 32767
	ACLFirstRule   = 100
	anyIPv4        = "0.0.0.0/0"
)

// NetworkACL is the record of a network ACL. Every VPC is created with its
// default ACL (ID derived from the VPC's, pkg/ids) and loses it with the
// VPC; a subnet no other ACL names is associated with the default one.
type NetworkACL struct {
	ID        string     `json:"id"`
	Owner     string     `json:"owner"`
	VpcID     string     `json:"vpc_id"`
	IsDefault bool       `json:"is_default,omitempty"`
	Entries   []ACLEntry `json:"entries"`
	Tags      []Tag      `json:"tags,omitempty"`
	// Associations are computed on read (networkACLView): every subnet of
	// the VPC for its default ACL.
	Associations []NetworkACLAssociation `json:"-"`
}

// ACLEntry is one rule of a network ACL, for all ports of its protocol.
type ACLEntry struct {
	RuleNumber int    `json:"rule_number"`
	Protocol   string `json:"protocol"`
	RuleAction string `json:"rule_action"`
	Egress     bool   `json:"egress"`
	CIDR       string `json:"cidr"`
}

// NetworkACLAssociation ties a subnet to a network ACL.
type NetworkACLAssociation struct {
	ID           string
	NetworkACLID string
	SubnetID     string
}

// defaultNetworkACL is the ACL a VPC is created with: everything allowed
// in and out (rule 100), then the catch-all deny (rule 32767), both ways.
func defaultNetworkACL(acct, vpcID string) NetworkACL {
	acl := NetworkACL{ID: ids.DefaultNetworkACL(vpcID), Owner: acct, VpcID: vpcID, IsDefault: true}
	for _, egress := range []bool{true, false} {
		acl.Entries = append(acl.Entries,
			ACLEntry{RuleNumber: ACLFirstRule, Protocol: ACLAllProtocol, RuleAction: ACLAllow, Egress: egress, CIDR: anyIPv4},
			ACLEntry{RuleNumber: ACLLastRule, Protocol: ACLAllProtocol, RuleAction: ACLDeny, Egress: egress, CIDR: anyIPv4})
	}
	return acl
}

// networkACLView completes a record with its associations: the default
// ACL has every subnet of its VPC.
func networkACLView(acl NetworkACL, subnets []Subnet) NetworkACL {
	acl.Associations = nil
	if !acl.IsDefault {
		return acl
	}
	for _, sn := range subnets {
		if sn.VpcID == acl.VpcID {
			acl.Associations = append(acl.Associations, NetworkACLAssociation{
				ID: ids.DefaultNetworkACLAssociation(sn.ID), NetworkACLID: acl.ID, SubnetID: sn.ID})
		}
	}
	return acl
}

// DescribeNetworkAcls lists the caller's network ACLs.
func (s *Service) DescribeNetworkAcls(ctx context.Context, idList []string, filters []Filter, p Page) ([]NetworkACL, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 100); err != nil {
		return nil, "", err
	}
	for _, id := range idList {
		if !ids.Valid(ids.NetworkACL, id) {
			return nil, "", ec2err.New(ec2err.InvalidNetworkACLIDMalformed, "Invalid id: \"%s\" (expecting \"acl-...\")", id)
		}
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return nil, "", err
	}
	all, err := store.ListJSON[NetworkACL](ctx, s.st, prefixNetworkACL)
	if err != nil {
		return nil, "", err
	}
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, "", err
	}
	var mine []NetworkACL
	for _, acl := range all {
		if acl.Owner == acct {
			mine = append(mine, networkACLView(acl, subs))
		}
	}
	return selectPage(mine, selection[NetworkACL]{IDs: idList, Filters: filters, Page: p,
		ID: func(acl NetworkACL) string { return acl.ID }, Field: networkACLField,
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidNetworkACLIDNotFound, "The networkAcl ID '%s' does not exist", id)
		}})
}

// networkACLField answers the filters EC2 documents for DescribeNetworkAcls.
func networkACLField(acl NetworkACL, name string) ([]string, bool) {
	switch name {
	case "network-acl-id":
		return []string{acl.ID}, true
	case "vpc-id":
		return []string{acl.VpcID}, true
	case "owner-id":
		return []string{acl.Owner}, true
	case "default":
		return []string{strconv.FormatBool(acl.IsDefault)}, true
	case "association.association-id":
		return memberValues(acl.Associations, func(a NetworkACLAssociation) string { return a.ID }), true
	case "association.network-acl-id":
		return memberValues(acl.Associations, func(a NetworkACLAssociation) string { return a.NetworkACLID }), true
	case "association.subnet-id":
		return memberValues(acl.Associations, func(a NetworkACLAssociation) string { return a.SubnetID }), true
	}
	if v, ok := aclEntryField(acl.Entries, name); ok {
		return v, true
	}
	return tagField(acl.Tags, name)
}

// aclEntryField answers the entry.* filters.
func aclEntryField(entries []ACLEntry, name string) ([]string, bool) {
	var get func(ACLEntry) string
	switch name {
	case "entry.cidr":
		get = func(e ACLEntry) string { return e.CIDR }
	case "entry.egress":
		get = func(e ACLEntry) string { return strconv.FormatBool(e.Egress) }
	case "entry.protocol":
		get = func(e ACLEntry) string { return e.Protocol }
	case "entry.rule-action":
		get = func(e ACLEntry) string { return e.RuleAction }
	case "entry.rule-number":
		get = func(e ACLEntry) string { return strconv.Itoa(e.RuleNumber) }
	case "entry.icmp.code", "entry.icmp.type", "entry.port-range.from", "entry.port-range.to", "entry.ipv6-cidr":
		return nil, true
	default:
		return nil, false
	}
	return memberValues(entries, get), true
}
