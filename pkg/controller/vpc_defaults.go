package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// What a VPC is created with and deleted with, besides its own record:
// its default security group (secgroups.go), its main route table
// (routetables.go) and its default network ACL (networkacls.go).

// vpcDefaultsOps record the default group, main route table and default
// network ACL of a VPC being created.
func vpcDefaultsOps(acct, vpcID string, mainRoutes ...Route) []store.Op {
	rt := mainRouteTable(acct, vpcID)
	rt.Stored = mainRoutes
	acl := defaultNetworkACL(acct, vpcID)
	rtOp, _ := store.PutJSON(prefixRouteTable+rt.ID, rt, store.MustNotExist)
	aclOp, _ := store.PutJSON(prefixNetworkACL+acl.ID, acl, store.MustNotExist)
	return append(defaultGroupOps(acct, vpcID), rtOp, aclOp)
}

// vpcDeleteOps remove a VPC's default group, main route table and default
// network ACL with it; any other security group or route table, or an
// attached internet gateway, is a dependency.
func (s *Service) vpcDeleteOps(ctx context.Context, vpcID string) ([]store.Op, error) {
	ops, err := s.vpcGroupsDeleteOps(ctx, vpcID)
	if err != nil {
		return nil, err
	}
	rtOps, err := s.vpcRouteTablesCheck(ctx, vpcID)
	if err != nil {
		return nil, err
	}
	acl := defaultNetworkACL("", vpcID)
	return append(append(ops, rtOps...),
		store.Op{Key: prefixNetworkACL + acl.ID, Delete: true, ExpectRevision: store.AnyRevision}), nil
}
