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
	// ACLProtocolICMP, ACLProtocolTCP and ACLProtocolUDP are the protocols
	// whose entries carry an ICMP type and code or a port range.
	ACLProtocolICMP = "1"
	ACLProtocolTCP  = "6"
	ACLProtocolUDP  = "17"
	anyIPv4         = "0.0.0.0/0"
)

// NetworkACL is the record of a network ACL. Every VPC is created with its
// default ACL (ID derived from the VPC's, pkg/ids) and loses it with the
// VPC; CreateNetworkACL makes others (networkacls_create.go). A subnet is
// associated with its VPC's default ACL until ReplaceNetworkACLAssociation
// moves it (networkacls_assoc.go).
type NetworkACL struct {
	ID        string     `json:"id"`
	Owner     string     `json:"owner"`
	VpcID     string     `json:"vpc_id"`
	IsDefault bool       `json:"is_default,omitempty"`
	Entries   []ACLEntry `json:"entries"`
	Tags      []Tag      `json:"tags,omitempty"`
	// Associations are computed on read (networkACLView) from the VPC's
	// subnets and the stored associations.
	Associations []NetworkACLAssociation `json:"-"`
}

// ACLEntry is one rule of a network ACL. Protocol is an IP protocol number
// ("-1" for all); the ports (inclusive) count for tcp ("6") and udp
// ("17") only, the ICMP type and code (-1: any) for icmp ("1") only; an
// entry of any other protocol matches all of its traffic.
type ACLEntry struct {
	RuleNumber int    `json:"rule_number"`
	Protocol   string `json:"protocol"`
	RuleAction string `json:"rule_action"`
	Egress     bool   `json:"egress"`
	CIDR       string `json:"cidr"`
	PortFrom   int    `json:"port_from,omitempty"`
	PortTo     int    `json:"port_to,omitempty"`
	IcmpType   int    `json:"icmp_type,omitempty"`
	IcmpCode   int    `json:"icmp_code,omitempty"`
}

// HasPorts reports whether the entry is for a port range (tcp or udp).
func (e ACLEntry) HasPorts() bool {
	return e.Protocol == ACLProtocolTCP || e.Protocol == ACLProtocolUDP
}

// HasIcmp reports whether the entry is for an ICMP type and code.
func (e ACLEntry) HasIcmp() bool { return e.Protocol == ACLProtocolICMP }

// NetworkACLAssociation ties a subnet to a network ACL. The association of
// a subnet that never moved is not stored: it is derived from the subnet
// ID (ids.DefaultNetworkACLAssociation) and names the default ACL.
type NetworkACLAssociation struct {
	ID           string `json:"id"`
	NetworkACLID string `json:"network_acl_id"`
	SubnetID     string `json:"subnet_id"`
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

// networkACLView completes a record with its associations: each subnet of
// its VPC whose effective association (stored, else with the default
// ACL) names it.
func networkACLView(acl NetworkACL, subnets []Subnet, stored map[string]NetworkACLAssociation) NetworkACL {
	acl.Associations = nil
	for _, sn := range subnets {
		if sn.VpcID != acl.VpcID {
			continue
		}
		if a := effectiveAssociation(sn, stored); a.NetworkACLID == acl.ID {
			acl.Associations = append(acl.Associations, a)
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
	stored, err := s.storedACLAssociations(ctx)
	if err != nil {
		return nil, "", err
	}
	var mine []NetworkACL
	for _, acl := range all {
		if acl.Owner == acct {
			mine = append(mine, networkACLView(acl, subs, stored))
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

// aclEntryField answers the entry.* filters; an entry without ports or an
// ICMP type has no value for those filters.
func aclEntryField(entries []ACLEntry, name string) ([]string, bool) {
	var get func(ACLEntry) string
	itoaIf := func(ok bool, n int) string {
		if !ok {
			return ""
		}
		return strconv.Itoa(n)
	}
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
	case "entry.port-range.from":
		get = func(e ACLEntry) string { return itoaIf(e.HasPorts(), e.PortFrom) }
	case "entry.port-range.to":
		get = func(e ACLEntry) string { return itoaIf(e.HasPorts(), e.PortTo) }
	case "entry.icmp.type":
		get = func(e ACLEntry) string { return itoaIf(e.HasIcmp(), e.IcmpType) }
	case "entry.icmp.code":
		get = func(e ACLEntry) string { return itoaIf(e.HasIcmp(), e.IcmpCode) }
	case "entry.ipv6-cidr":
		return nil, true
	default:
		return nil, false
	}
	return memberValues(entries, get), true
}
