package controller

import (
	"context"
	"errors"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// CreateInVPC is the input of the creates that make a child object of a
// VPC with a client token (CreateRouteTable, CreateNetworkAcl).
type CreateInVPC struct {
	VpcID string
	Tags  []Tag
	// ClientToken makes the create idempotent: a retry with the same
	// token and parameters answers the object the first call made.
	ClientToken string
	DryRun      bool
}

// hash is the parameters a client token is checked against.
func (r CreateInVPC) hash() string {
	r.ClientToken, r.DryRun = "", false
	return hashOf(r)
}

// replayedID is the ID of the object an earlier op call with r's client
// token made ("" when there was none), or IdempotentParameterMismatch.
func (s *Service) replayedID(ctx context.Context, acct, op string, r CreateInVPC) (string, error) {
	rec, err := s.tokenRecord(ctx, acct, op, r.ClientToken, r.hash())
	if rec == nil || err != nil || len(rec.ResultIDs) == 0 {
		return "", err
	}
	return rec.ResultIDs[0], nil
}

// createInVPC runs op, a create of a VPC child: when an earlier call with
// r's client token made an object, it answers replay of that object's ID;
// else create, which writes the object, its client token (create-only) and
// the VPC under the revision it read in one transaction. A conflict there
// means a concurrent call won: one with the same token, whose object the
// loop then answers as a retry would be answered, or a sibling's create or
// the VPC's deletion, after which it checks and tries again.
func createInVPC[T any](ctx context.Context, s *Service, acct, op string, r CreateInVPC,
	replay func(id string) (T, error), create func() (T, error)) (T, error) {
	for attempt := 0; ; attempt++ {
		if id, err := s.replayedID(ctx, acct, op, r); err != nil {
			var zero T
			return zero, err
		} else if id != "" {
			return replay(id)
		}
		obj, err := create()
		if !errors.Is(err, store.ErrConflict) || attempt >= maxTxnRetries {
			return obj, err
		}
	}
}
