package controller

import (
	"context"
	"fmt"
	"sync"
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

// TestCreateInVPCConcurrentRetries: retries of CreateRouteTable and of
// CreateNetworkAcl sent at once with one client token all answer the one
// object the first of them made, and only that object is recorded (the
// token's record is create-only: the others' writes conflict and they
// answer as a later retry would). A dry run with the token before records
// nothing.
func TestCreateInVPCConcurrentRetries(t *testing.T) {
	const retries, rounds = 8, 4
	r := newRig(t, 64, hostSpec{8, 8192})
	ctx := ctxFor(acct1)
	for i, c := range []struct {
		name   string
		create func(ctx context.Context, req CreateInVPC) (string, error)
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
			vpc, err := r.svc.CreateVpc(ctx, fmt.Sprintf("10.%d.0.0/16", 10+i), nil, false)
			if err != nil {
				t.Fatal(err)
			}
			for round := range rounds {
				n, _ := c.count(acct1, vpc.ID)(ctx)
				req := CreateInVPC{VpcID: vpc.ID, ClientToken: fmt.Sprintf("race-%d", round), DryRun: true}
				if _, err := c.create(ctx, req); errCode(err) != "DryRunOperation" {
					t.Fatalf("dry run: %v, want DryRunOperation", err)
				}
				if m, _ := c.count(acct1, vpc.ID)(ctx); m != n {
					t.Fatalf("dry run recorded one: %d, then %d", n, m)
				}
				req.DryRun = false
				got := concurrently(retries, func() (string, error) { return c.create(ctx, req) })
				if m, _ := c.count(acct1, vpc.ID)(ctx); m != n+1 {
					t.Errorf("round %d: %d concurrent retries recorded %d, want 1", round, retries, m-n)
				}
				want := ""
				for _, g := range got {
					if want == "" && g.err == nil {
						want = g.id
					}
				}
				for j, g := range got {
					if g.err != nil || g.id != want {
						t.Errorf("round %d: retry %d answered %q %v, want %q as the others", round, j, g.id, g.err, want)
					}
				}
			}
		})
	}
}

// idOrErr is what one of concurrently's calls answered.
type idOrErr struct {
	id  string
	err error
}

// concurrently runs n calls of f at once (goroutines released together)
// and returns their answers in order.
func concurrently(n int, f func() (string, error)) []idOrErr {
	out := make([]idOrErr, n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i].id, out[i].err = f()
		}()
	}
	close(start)
	wg.Wait()
	return out
}
