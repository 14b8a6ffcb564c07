package controller

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// prefixRouteTableAssoc keys the subnets' explicit route table
// associations, by subnet ID (a subnet has at most one).
const prefixRouteTableAssoc = "/rtbassocs/"

// subnetAssociation is the record of a subnet's explicit association with
// a route table; the main association lives on the main table's record.
type subnetAssociation struct {
	ID           string `json:"id"`
	Owner        string `json:"owner"`
	RouteTableID string `json:"route_table_id"`
	SubnetID     string `json:"subnet_id"`
}

// AssociateRouteTable associates a subnet with a route table of its VPC;
// it answers the association's ID.
func (s *Service) AssociateRouteTable(ctx context.Context, tableID, subnetID string, dryRun bool) (string, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	rt, _, err := s.ownRouteTable(ctx, acct, tableID)
	if err != nil {
		return "", err
	}
	sn, srev, err := s.ownSubnet(ctx, acct, subnetID)
	if err != nil {
		return "", err
	}
	if sn.VpcID != rt.VpcID {
		return "", ec2err.New(ec2err.InvalidParameterValue, "route table %s and subnet %s belong to different networks", rt.ID, sn.ID)
	}
	if _, _, err := store.GetJSON[subnetAssociation](ctx, s.st, prefixRouteTableAssoc+sn.ID); err == nil {
		return "", ec2err.New(ec2err.ResourceAlreadyAssociated,
			"the specified association for route table %s conflicts with an existing association", rt.ID)
	} else if !errors.Is(err, store.ErrNotFound) {
		return "", fmt.Errorf("association of %s: %w", sn.ID, err)
	}
	if dryRun {
		return "", DryRun()
	}
	a := subnetAssociation{ID: ids.New(ids.RouteTableAssoc), Owner: acct, RouteTableID: rt.ID, SubnetID: sn.ID}
	op, _ := store.PutJSON(prefixRouteTableAssoc+sn.ID, a, store.MustNotExist)
	touch, _ := store.PutJSON(prefixSubnet+sn.ID, sn, srev) // against a concurrent DeleteSubnet
	if _, err := s.st.Txn(ctx, op, touch); err != nil {
		return "", fmt.Errorf("associate %s with %s: %w", sn.ID, rt.ID, err)
	}
	s.log.Info("route table associated", "rtb", rt.ID, "subnet", sn.ID, "association", a.ID, "account", acct)
	return a.ID, nil
}

// DisassociateRouteTable removes a subnet's explicit association (the
// subnet falls back to its VPC's main table); the main association stays.
func (s *Service) DisassociateRouteTable(ctx context.Context, assocID string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	a, main, rev, err := s.ownAssociation(ctx, acct, assocID)
	if err != nil {
		return err
	}
	if main != nil {
		return ec2err.New(ec2err.InvalidParameterValue, "cannot disassociate the main route table association %s", assocID)
	}
	if dryRun {
		return DryRun()
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: prefixRouteTableAssoc + a.SubnetID, Delete: true, ExpectRevision: rev}); err != nil {
		return fmt.Errorf("disassociate %s: %w", assocID, err)
	}
	s.log.Info("route table disassociated", "association", assocID, "subnet", a.SubnetID, "account", acct)
	return nil
}

// ReplaceRouteTableAssociation points an association at another table of
// the same VPC under a new ID. On the main association it makes that
// table the VPC's main table.
func (s *Service) ReplaceRouteTableAssociation(ctx context.Context, assocID, tableID string, dryRun bool) (string, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	a, main, rev, err := s.ownAssociation(ctx, acct, assocID)
	if err != nil {
		return "", err
	}
	rt, trev, err := s.ownRouteTable(ctx, acct, tableID)
	if err != nil {
		return "", err
	}
	vpcID := a.vpcID
	if main != nil {
		vpcID = main.VpcID
	}
	if rt.VpcID != vpcID {
		return "", ec2err.New(ec2err.InvalidParameterValue, "route table %s and association %s belong to different networks", rt.ID, assocID)
	}
	if dryRun {
		return "", DryRun()
	}
	newID := ids.New(ids.RouteTableAssoc)
	var ops []store.Op
	switch {
	case main == nil:
		a.ID, a.RouteTableID = newID, rt.ID
		op, _ := store.PutJSON(prefixRouteTableAssoc+a.SubnetID, a.subnetAssociation, rev)
		ops = append(ops, op)
	case main.ID != rt.ID: // the main association moves to rt
		old := *main
		old.Main, old.MainAssociationID = false, ""
		op, _ := store.PutJSON(prefixRouteTable+old.ID, old, rev)
		ops = append(ops, op)
	}
	if main != nil {
		rt.Main, rt.MainAssociationID = true, newID
		op, _ := store.PutJSON(prefixRouteTable+rt.ID, rt, trev)
		ops = append(ops, op)
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return "", fmt.Errorf("replace association %s: %w", assocID, err)
	}
	s.log.Info("route table association replaced", "association", assocID, "new", newID, "rtb", rt.ID, "account", acct)
	return newID, nil
}

// foundAssociation is a subnet's association and its subnet's VPC.
type foundAssociation struct {
	subnetAssociation
	vpcID string
}

// ownAssociation finds one of the caller's associations: a subnet's (main
// nil) or a VPC's main one (main is its table). rev is the revision of
// the record that holds it.
func (s *Service) ownAssociation(ctx context.Context, acct, id string) (foundAssociation, *RouteTable, int64, error) {
	if id == "" {
		return foundAssociation{}, nil, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AssociationId")
	}
	notFound := ec2err.New(ec2err.InvalidAssociationIDNotFound, "The association ID '%s' does not exist", id)
	if !ids.Valid(ids.RouteTableAssoc, id) {
		return foundAssociation{}, nil, 0, notFound
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return foundAssociation{}, nil, 0, err
	}
	kvs, err := s.st.List(ctx, prefixRouteTableAssoc)
	if err != nil {
		return foundAssociation{}, nil, 0, fmt.Errorf("list associations: %w", err)
	}
	for _, kv := range kvs {
		var a subnetAssociation
		if json.Unmarshal(kv.Value, &a) != nil || a.ID != id || a.Owner != acct {
			continue
		}
		sn, _, err := store.GetJSON[Subnet](ctx, s.st, prefixSubnet+a.SubnetID)
		if err != nil {
			return foundAssociation{}, nil, 0, fmt.Errorf("subnet of %s: %w", id, err)
		}
		return foundAssociation{subnetAssociation: a, vpcID: sn.VpcID}, nil, kv.Revision, nil
	}
	tables, err := s.st.List(ctx, prefixRouteTable)
	if err != nil {
		return foundAssociation{}, nil, 0, fmt.Errorf("list route tables: %w", err)
	}
	for _, kv := range tables {
		var rt RouteTable
		if json.Unmarshal(kv.Value, &rt) == nil && rt.Main && rt.Owner == acct && rt.mainAssociationID() == id {
			return foundAssociation{}, &rt, kv.Revision, nil
		}
	}
	return foundAssociation{}, nil, 0, notFound
}

// subnetAssociationDeleteOps remove a subnet's explicit association, with
// the subnet (DeleteSubnet).
func (s *Service) subnetAssociationDeleteOps(ctx context.Context, subnetID string) ([]store.Op, error) {
	_, rev, err := store.GetJSON[subnetAssociation](ctx, s.st, prefixRouteTableAssoc+subnetID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("association of %s: %w", subnetID, err)
	}
	return []store.Op{{Key: prefixRouteTableAssoc + subnetID, Delete: true, ExpectRevision: rev}}, nil
}
