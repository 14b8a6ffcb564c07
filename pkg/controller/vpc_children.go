package controller

import "context"

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
