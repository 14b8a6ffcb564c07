package controller

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// netQuotaCases are the quotas of the VPC's routing edge: internet
// gateways per region, NAT gateways per zone, route tables and network ACLs per VPC, routes per
// route table and rules per network ACL (one direction).
func netQuotaCases() []quotaCase {
	vpcFor := func(t *testing.T, r *rig, acct string) VPC {
		t.Helper()
		r.svc.cfg.Quotas.Defaults[QuotaVPCs] = 100 // the rig is shared by every case
		v, err := r.svc.CreateVpc(ctxFor(acct), "10.200.0.0/16", nil, false)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	return []quotaCase{
		{key: QuotaGateways, code: "InternetGatewayLimitExceeded", limit: 2, each: 1,
			setup: func(*testing.T, *rig, string) string { return "" },
			create: func(r *rig, ctx context.Context, _, _ string, _ int) error {
				_, err := r.svc.CreateInternetGateway(ctx, nil, false)
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countGateways(acct) }},
		{key: QuotaNATGateways, code: "NatGatewayLimitExceeded", limit: 2, each: 1,
			setup: func(t *testing.T, r *rig, acct string) string {
				if r.svc.eipPool.Empty() {
					p, err := ParseElasticIPPool([]string{"198.51.100.0/27"})
					if err != nil {
						t.Fatal(err)
					}
					r.svc.eipPool = p
				}
				subs, _, err := r.svc.DescribeSubnets(ctxFor(acct), nil, []Filter{{Name: "availability-zone", Values: []string{"lab-1a"}},
					{Name: "default-for-az", Values: []string{"true"}}}, Page{})
				if err != nil || len(subs) != 1 {
					t.Fatalf("default subnet: %v %v", subs, err)
				}
				return subs[0].ID
			},
			create: func(r *rig, ctx context.Context, _, subnet string, _ int) error {
				a, err := r.svc.AllocateAddress(ctx, AllocateRequest{})
				if err != nil {
					return err
				}
				_, err = r.svc.CreateNatGateway(ctx, NatGatewayRequest{SubnetID: subnet, AllocationID: a.AllocationID})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) {
				return r.svc.countNatGateways(acct, "lab-1a")
			}},
		{key: QuotaRouteTables, code: "RouteTableLimitExceeded", limit: 3, each: 1, // the main table counts
			setup: func(t *testing.T, r *rig, acct string) string { return vpcFor(t, r, acct).ID },
			create: func(r *rig, ctx context.Context, _, vpc string, _ int) error {
				_, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: vpc})
				return err
			},
			used: func(r *rig, acct, vpc string) func(context.Context) (int64, error) {
				return r.svc.countRouteTables(acct, vpc)
			}},
		{key: QuotaNetworkACLs, code: "NetworkAclLimitExceeded", limit: 3, each: 1, // the default ACL counts
			setup: func(t *testing.T, r *rig, acct string) string { return vpcFor(t, r, acct).ID },
			create: func(r *rig, ctx context.Context, _, vpc string, _ int) error {
				_, err := r.svc.CreateNetworkACL(ctx, CreateInVPC{VpcID: vpc})
				return err
			},
			used: func(r *rig, acct, vpc string) func(context.Context) (int64, error) {
				return r.svc.countNetworkACLs(acct, vpc)
			}},
		{key: QuotaRoutes, code: "RouteLimitExceeded", limit: 2, each: 1,
			setup: func(t *testing.T, r *rig, acct string) string {
				ctx := ctxFor(acct)
				v := vpcFor(t, r, acct)
				gw, err := r.svc.CreateInternetGateway(ctx, nil, false)
				if err != nil {
					t.Fatal(err)
				}
				if err := r.svc.AttachInternetGateway(ctx, gw.ID, v.ID, false); err != nil {
					t.Fatal(err)
				}
				rt, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: v.ID})
				if err != nil {
					t.Fatal(err)
				}
				return rt.ID + "/" + gw.ID // table/gateway
			},
			create: func(r *rig, ctx context.Context, _, scope string, i int) error {
				table, gw, _ := strings.Cut(scope, "/")
				return r.svc.CreateRoute(ctx, RouteSpec{RouteTableID: table, GatewayID: gw,
					DestinationCIDR: fmt.Sprintf("192.168.%d.0/24", i)}, false)
			},
			used: func(r *rig, _, scope string) func(context.Context) (int64, error) {
				return func(ctx context.Context) (int64, error) {
					table, _, _ := strings.Cut(scope, "/")
					rt, _, err := store.GetJSON[RouteTable](ctx, r.svc.st, prefixRouteTable+table)
					return int64(len(rt.Stored)), err
				}
			}},
		{key: QuotaACLRules, code: "NetworkAclEntryLimitExceeded", limit: 3, each: 1,
			setup: func(t *testing.T, r *rig, acct string) string {
				acl, err := r.svc.CreateNetworkACL(ctxFor(acct), CreateInVPC{VpcID: vpcFor(t, r, acct).ID})
				if err != nil {
					t.Fatal(err)
				}
				// An egress entry does not count against the ingress rules.
				if err := r.svc.CreateNetworkACLEntry(ctxFor(acct), ACLEntrySpec{NetworkACLID: acl.ID, RuleNumber: 1,
					Protocol: "-1", RuleAction: "allow", Egress: true, CIDR: "0.0.0.0/0"}, false); err != nil {
					t.Fatal(err)
				}
				return acl.ID
			},
			create: func(r *rig, ctx context.Context, _, acl string, i int) error {
				return r.svc.CreateNetworkACLEntry(ctx, ACLEntrySpec{NetworkACLID: acl, RuleNumber: 10 + i,
					Protocol: "-1", RuleAction: "allow", CIDR: "0.0.0.0/0"}, false)
			},
			used: func(r *rig, _, acl string) func(context.Context) (int64, error) {
				return func(ctx context.Context) (int64, error) {
					rec, _, err := store.GetJSON[NetworkACL](ctx, r.svc.st, prefixNetworkACL+acl)
					return aclRulesIn(rec.Entries, false), err
				}
			}},
	}
}
