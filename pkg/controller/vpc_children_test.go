package controller

import (
	"context"
	"testing"
)

// TestCreateInVPCClientToken: CreateRouteTable and CreateNetworkAcl retried
// with the same client token answer the first call's object and record
// nothing more; the token with other parameters answers
// IdempotentParameterMismatch and another token makes another object.
func TestCreateInVPCClientToken(t *testing.T) {
	r := newIGWRig(t)
	ctx := ctxFor(acct1)
	type create func(ctx context.Context, req CreateInVPC) (string, error)
	for _, c := range []struct {
		name   string
		create create
		count  func(acct, vpc string) func(context.Context) (int64, error)
	}{
		{"route table", func(ctx context.Context, req CreateInVPC) (string, error) {
			rt, err := r.svc.CreateRouteTable(ctx, req)
			return rt.ID, err
		}, r.svc.countRouteTables},
		{"network acl", func(ctx context.Context, req CreateInVPC) (string, error) {
			acl, err := r.svc.CreateNetworkACL(ctx, req)
			return acl.ID, err
		}, r.svc.countNetworkACLs},
	} {
		t.Run(c.name, func(t *testing.T) {
			req := CreateInVPC{VpcID: r.vpcA, Tags: []Tag{{Key: "Name", Value: "edge"}}, ClientToken: "tok-" + c.name}
			first, err := c.create(ctx, req)
			if err != nil {
				t.Fatal(err)
			}
			n, _ := c.count(acct1, r.vpcA)(ctx)
			again, err := c.create(ctx, req)
			if err != nil || again != first {
				t.Fatalf("retry: %q %v, want %q", again, err, first)
			}
			if m, _ := c.count(acct1, r.vpcA)(ctx); m != n {
				t.Errorf("retry recorded another: %d, then %d", n, m)
			}
			other := req
			other.Tags = nil
			if _, err := c.create(ctx, other); errCode(err) != "IdempotentParameterMismatch" {
				t.Errorf("same token, other tags: %v, want IdempotentParameterMismatch", err)
			}
			if m, _ := c.count(acct1, r.vpcA)(ctx); m != n {
				t.Errorf("mismatch recorded another: %d, then %d", n, m)
			}
			fresh := req
			fresh.ClientToken = "other-" + c.name
			if id, err := c.create(ctx, fresh); err != nil || id == first {
				t.Errorf("another token: %q %v, want a new object", id, err)
			}
		})
	}
}
