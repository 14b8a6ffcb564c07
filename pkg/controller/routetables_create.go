package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// CreateRouteTable records a new (non-main) route table in a VPC: it has
// the VPC's local routes only. A retry with the first call's client token,
// concurrent or not, answers the table that call made.
func (s *Service) CreateRouteTable(ctx context.Context, req CreateInVPC) (RouteTable, error) {
	acct, err := account(ctx)
	if err != nil {
		return RouteTable{}, err
	}
	if err := validateTags(req.Tags); err != nil {
		return RouteTable{}, err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	return createInVPC(ctx, s, acct, "CreateRouteTable", req, func(id string) (RouteTable, error) {
		return s.routeTableByID(ctx, id)
	}, func() (RouteTable, error) { return s.createRouteTable(ctx, acct, req) })
}

// createRouteTable checks and writes one CreateRouteTable; a write that
// conflicts (another replica's) returns an error wrapping
// store.ErrConflict.
func (s *Service) createRouteTable(ctx context.Context, acct string, req CreateInVPC) (RouteTable, error) {
	v, vrev, err := s.ownVPC(ctx, acct, req.VpcID)
	if err != nil {
		return RouteTable{}, err
	}
	release, err := s.admit(ctx, acct, QuotaRouteTables, v.ID, 1, s.countRouteTables(acct, v.ID))
	if err != nil {
		return RouteTable{}, err
	}
	defer release()
	if req.DryRun {
		return RouteTable{}, DryRun()
	}
	rt := RouteTable{ID: ids.New(ids.RouteTable), Owner: acct, VpcID: v.ID, Tags: req.Tags}
	op, _ := store.PutJSON(prefixRouteTable+rt.ID, rt, store.MustNotExist)
	touch, _ := store.PutJSON(prefixVPC+v.ID, v, vrev) // against a concurrent DeleteVpc
	ops := []store.Op{op, touch}
	if req.ClientToken != "" {
		ops = append(ops, tokenOp(acct, "CreateRouteTable", req.ClientToken, req.hash(), []string{rt.ID}))
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return RouteTable{}, fmt.Errorf("record %s: %w", rt.ID, err)
	}
	s.log.Info("route table created", "rtb", rt.ID, "vpc", v.ID, "account", acct)
	return routeTableView(rt, v, nil, routeTargets{}), nil
}

// routeTableByID is the view of one of the caller's tables as
// DescribeRouteTables shows it (InvalidRouteTableID.NotFound once deleted).
func (s *Service) routeTableByID(ctx context.Context, id string) (RouteTable, error) {
	tables, _, err := s.DescribeRouteTables(ctx, []string{id}, nil, Page{})
	if err != nil {
		return RouteTable{}, err
	}
	return tables[0], nil
}

// DeleteRouteTable deletes a table that is neither main nor associated
// with a subnet.
func (s *Service) DeleteRouteTable(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	s.netMu.Lock()
	defer s.netMu.Unlock()
	rt, rev, err := s.ownRouteTable(ctx, acct, id)
	if err != nil {
		return err
	}
	assocs, err := store.ListJSON[subnetAssociation](ctx, s.st, prefixRouteTableAssoc)
	if err != nil {
		return err
	}
	if rt.Main || containsFunc(assocs, func(a subnetAssociation) bool { return a.RouteTableID == rt.ID }) {
		return ec2err.New(ec2err.DependencyViolation, "The routeTable '%s' has dependencies and cannot be deleted.", rt.ID)
	}
	if dryRun {
		return DryRun()
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: prefixRouteTable + rt.ID, Delete: true, ExpectRevision: rev}); err != nil {
		return fmt.Errorf("delete %s: %w", rt.ID, err)
	}
	s.log.Info("route table deleted", "rtb", rt.ID, "account", acct)
	return nil
}

// ownRouteTable reads one of the caller's route tables.
func (s *Service) ownRouteTable(ctx context.Context, acct, id string) (RouteTable, int64, error) {
	if id == "" {
		return RouteTable{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter RouteTableId")
	}
	if !ids.Valid(ids.RouteTable, id) {
		return RouteTable{}, 0, ec2err.New(ec2err.InvalidRouteTableIDMalformed, "Invalid id: \"%s\" (expecting \"rtb-...\")", id)
	}
	if err := s.ensureDefaultVPC(ctx, acct); err != nil {
		return RouteTable{}, 0, err
	}
	rt, rev, err := store.GetJSON[RouteTable](ctx, s.st, prefixRouteTable+id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && rt.Owner != acct) {
		return RouteTable{}, 0, ec2err.New(ec2err.InvalidRouteTableIDNotFound, "The routeTable ID '%s' does not exist", id)
	} else if err != nil {
		return RouteTable{}, 0, fmt.Errorf("read %s: %w", id, err)
	}
	return rt, rev, nil
}

// vpcRouteTablesCheck is DeleteVpc's check of the VPC's route tables: a
// table other than the main one is a dependency, as is an attached
// internet gateway. It answers the delete of the main table (whichever
// table is main now).
func (s *Service) vpcRouteTablesCheck(ctx context.Context, vpcID string) ([]store.Op, error) {
	if gw, err := s.vpcInternetGateway(ctx, vpcID); err != nil {
		return nil, err
	} else if gw != "" {
		return nil, ec2err.New(ec2err.DependencyViolation, "The vpc '%s' has dependencies and cannot be deleted.", vpcID)
	}
	tables, err := store.ListJSON[RouteTable](ctx, s.st, prefixRouteTable)
	if err != nil {
		return nil, fmt.Errorf("list route tables: %w", err)
	}
	var ops []store.Op
	for _, rt := range tables {
		switch {
		case rt.VpcID != vpcID:
		case !rt.Main:
			return nil, ec2err.New(ec2err.DependencyViolation, "The vpc '%s' has dependencies and cannot be deleted.", vpcID)
		default:
			ops = append(ops, store.Op{Key: prefixRouteTable + rt.ID, Delete: true, ExpectRevision: store.AnyRevision})
		}
	}
	return ops, nil
}
