package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Associations between subnets and network ACLs. A subnet starts with its
// VPC's default ACL, under an association ID derived from the subnet's; once
// ReplaceNetworkACLAssociation moves it, its association is stored under
// prefixNetworkACLAssoc (one record per subnet, with a new random ID each
// move) and DeleteSubnet drops it. A stored association whose subnet is gone
// is ignored.

// prefixNetworkACLAssoc keys the stored associations, by subnet ID.
const prefixNetworkACLAssoc = "/networkaclassocs/"

// storedACLAssociations are the stored associations, by subnet ID.
func (s *Service) storedACLAssociations(ctx context.Context) (map[string]NetworkACLAssociation, error) {
	all, err := store.ListJSON[NetworkACLAssociation](ctx, s.st, prefixNetworkACLAssoc)
	if err != nil {
		return nil, fmt.Errorf("list network ACL associations: %w", err)
	}
	out := make(map[string]NetworkACLAssociation, len(all))
	for _, a := range all {
		out[a.SubnetID] = a
	}
	return out, nil
}

// effectiveAssociation is a subnet's association: the stored one, else the
// one with its VPC's default ACL.
func effectiveAssociation(sn Subnet, stored map[string]NetworkACLAssociation) NetworkACLAssociation {
	if a, ok := stored[sn.ID]; ok {
		return a
	}
	return NetworkACLAssociation{ID: ids.DefaultNetworkACLAssociation(sn.ID),
		NetworkACLID: ids.DefaultNetworkACL(sn.VpcID), SubnetID: sn.ID}
}

// subnetNetworkACLDeleteOps drop a subnet's stored association with the
// subnet (DeleteSubnet).
func subnetNetworkACLDeleteOps(subnetID string) []store.Op {
	return []store.Op{{Key: prefixNetworkACLAssoc + subnetID, Delete: true, ExpectRevision: store.AnyRevision}}
}

// ReplaceNetworkACLAssociation moves the subnet of associationID to the
// network ACL aclID, which must be of the subnet's VPC, and answers the
// subnet's new association ID.
func (s *Service) ReplaceNetworkACLAssociation(ctx context.Context, associationID, aclID string, dryRun bool) (string, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", err
	}
	if associationID == "" {
		return "", ec2err.New(ec2err.MissingParameter, "The request must contain the parameter associationId")
	}
	acl, aclRev, err := s.ownNetworkACL(ctx, acct, aclID)
	if err != nil {
		return "", err
	}
	cur, sn, err := s.ownACLAssociation(ctx, acct, associationID)
	if err != nil {
		return "", err
	}
	if sn.VpcID != acl.VpcID {
		return "", ec2err.New(ec2err.InvalidParameterValue,
			"Network ACL %s and subnet %s belong to different VPCs (%s, %s)", acl.ID, sn.ID, acl.VpcID, sn.VpcID)
	}
	if dryRun {
		return "", DryRun()
	}
	next := NetworkACLAssociation{ID: ids.New(ids.NetworkACLAssoc), NetworkACLID: acl.ID, SubnetID: sn.ID}
	key := prefixNetworkACLAssoc + sn.ID
	_, rev, err := store.GetJSON[NetworkACLAssociation](ctx, s.st, key)
	if err != nil {
		rev = store.MustNotExist
	}
	put, _ := store.PutJSON(key, next, rev)
	// Rewriting the ACL under its revision makes a concurrent
	// DeleteNetworkACL conflict instead of leaving the subnet on a deleted ACL.
	guard, _ := store.PutJSON(prefixNetworkACL+acl.ID, acl, aclRev)
	// So does rewriting the subnet under its revision for a concurrent
	// DeleteSubnet: no association outlives its subnet.
	stored, snRev, err := store.GetJSON[Subnet](ctx, s.st, prefixSubnet+sn.ID)
	if err != nil {
		return "", fmt.Errorf("read subnet %s: %w", sn.ID, err)
	}
	snGuard, _ := store.PutJSON(prefixSubnet+sn.ID, stored, snRev)
	if _, err := s.st.Txn(ctx, put, guard, snGuard); err != nil {
		return "", fmt.Errorf("associate %s with %s: %w", sn.ID, acl.ID, err)
	}
	s.log.Info("network acl association replaced", "subnet", sn.ID, "from", cur.NetworkACLID, "to", acl.ID,
		"association", next.ID, "account", acct)
	return next.ID, nil
}

// ownACLAssociation finds the caller's subnet whose effective association
// has the ID id.
func (s *Service) ownACLAssociation(ctx context.Context, acct, id string) (NetworkACLAssociation, Subnet, error) {
	notFound := ec2err.New(ec2err.InvalidAssociationIDNotFound, "The association ID '%s' does not exist", id)
	if !ids.Valid(ids.NetworkACLAssoc, id) {
		return NetworkACLAssociation{}, Subnet{}, notFound
	}
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return NetworkACLAssociation{}, Subnet{}, fmt.Errorf("list subnets: %w", err)
	}
	stored, err := s.storedACLAssociations(ctx)
	if err != nil {
		return NetworkACLAssociation{}, Subnet{}, err
	}
	for _, sn := range subs {
		if a := effectiveAssociation(sn, stored); sn.Owner == acct && a.ID == id {
			return a, sn, nil
		}
	}
	return NetworkACLAssociation{}, Subnet{}, notFound
}

// networkACLSubnets are the subnets (that exist) associated with the ACL
// aclID.
func (s *Service) networkACLSubnets(ctx context.Context, acl NetworkACL) ([]string, error) {
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, fmt.Errorf("list subnets: %w", err)
	}
	stored, err := s.storedACLAssociations(ctx)
	if err != nil {
		return nil, err
	}
	return memberValues(networkACLView(acl, subs, stored).Associations,
		func(a NetworkACLAssociation) string { return a.SubnetID }), nil
}
