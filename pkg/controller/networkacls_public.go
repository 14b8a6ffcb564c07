package controller

import (
	"context"
	"fmt"
	"sort"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// networkACLBySubnet maps every subnet ID to the entries of its effective network ACL
// (its associated ACL, else its VPC's default), sorted by rule number, ingress and egress.
//
// Entries of one number are ordered ingress before egress. Protocol in the
// entries is the IP protocol number as a string ("-1" all, "6", "17", "1",
// …); PortFrom/PortTo count for "6" and "17" only, IcmpType/IcmpCode (-1:
// any) for "1" only. A subnet whose stored association names an ACL that is
// gone falls back to its VPC's default ACL; a subnet without any ACL (its
// VPC's default record missing) maps to no entries, which deny everything.
func (s *Service) networkACLBySubnet(ctx context.Context) (map[string][]ACLEntry, error) {
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, fmt.Errorf("list subnets: %w", err)
	}
	acls, err := store.ListJSON[NetworkACL](ctx, s.st, prefixNetworkACL)
	if err != nil {
		return nil, fmt.Errorf("list network ACLs: %w", err)
	}
	stored, err := s.storedACLAssociations(ctx)
	if err != nil {
		return nil, err
	}
	byID := make(map[string]NetworkACL, len(acls))
	for _, acl := range acls {
		byID[acl.ID] = acl
	}
	out := make(map[string][]ACLEntry, len(subs))
	for _, sn := range subs {
		acl, ok := byID[effectiveAssociation(sn, stored).NetworkACLID]
		if !ok || acl.VpcID != sn.VpcID {
			acl = byID[ids.DefaultNetworkACL(sn.VpcID)]
		}
		out[sn.ID] = entriesByRule(acl.Entries)
	}
	return out, nil
}

// entriesByRule is a copy of entries sorted by rule number, ingress before
// egress for one number.
func entriesByRule(entries []ACLEntry) []ACLEntry {
	out := append([]ACLEntry{}, entries...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].RuleNumber != out[j].RuleNumber {
			return out[i].RuleNumber < out[j].RuleNumber
		}
		return !out[i].Egress && out[j].Egress
	})
	return out
}
