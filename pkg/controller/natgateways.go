package controller

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// NAT gateways: an account creates one in a subnet with one of its Elastic
// IPs; the subnets whose route table sends 0.0.0.0/0 to it reach the
// uplink as that address and cannot be reached through it. A gateway runs
// on one host of its zone (natgateways_sweep.go places it), whose data
// plane source-NATs the routed subnets' local guests (netsync_natgw.go).

const prefixNatGateway = "/natgateways/"

// NAT gateway states and connectivity types, as EC2 names them.
const (
	NatGatewayPending     = "pending"
	NatGatewayAvailable   = "available"
	NatGatewayDeleting    = "deleting"
	NatGatewayDeleted     = "deleted"
	NatGatewayFailed      = "failed"
	NatConnectivityPublic = "public"
	// natGatewayKept is how long a deleted gateway stays visible, as in EC2.
	natGatewayKept = time.Hour
)

// NatGateway is the record of a NAT gateway.
type NatGateway struct {
	ID             string    `json:"id"`
	Owner          string    `json:"owner"`
	VpcID          string    `json:"vpc_id"`
	SubnetID       string    `json:"subnet_id"`
	AZ             string    `json:"az"` // its subnet's, which never changes
	State          string    `json:"state"`
	FailureCode    string    `json:"failure_code,omitempty"`
	FailureMessage string    `json:"failure_message,omitempty"`
	AllocationID   string    `json:"allocation_id"`
	PublicIP       string    `json:"public_ip"`
	AssociationID  string    `json:"association_id,omitempty"`
	PrivateIP      string    `json:"private_ip"`
	CreateTime     time.Time `json:"create_time"`
	DeleteTime     time.Time `json:"delete_time,omitzero"`
	Tags           []Tag     `json:"tags,omitempty"`
	// HostID is the host that runs the gateway, once placed.
	HostID string `json:"host_id,omitempty"`
}

// NetworkInterfaceID is the gateway's interface (derived from its ID).
func (g NatGateway) NetworkInterfaceID() string { return ids.NatGatewayInterface(g.ID) }

// live tells whether the gateway holds its addresses (not deleted or failed).
func (g NatGateway) live() bool { return g.State != NatGatewayDeleted && g.State != NatGatewayFailed }

// routable tells whether routes through the gateway are active.
func (g NatGateway) routable() bool {
	return g.State == NatGatewayPending || g.State == NatGatewayAvailable
}

// NatGatewayRequest is CreateNatGateway's parameters.
type NatGatewayRequest struct {
	SubnetID         string
	AllocationID     string
	ConnectivityType string // public (the default); private is refused
	PrivateIP        string // empty: the subnet's lowest free address
	Tags             []Tag
	ClientToken      string
	DryRun           bool
}

// hash is the parameters a client token is checked against.
func (r NatGatewayRequest) hash() string {
	r.ClientToken, r.DryRun = "", false
	return hashOf(r)
}

// CreateNatGateway records a pending gateway in the caller's subnet, takes
// its private address in the subnet and associates its Elastic IP with
// the gateway's interface, in one transaction; the sweep places it.
func (s *Service) CreateNatGateway(ctx context.Context, req NatGatewayRequest) (NatGateway, error) {
	acct, err := account(ctx)
	if err != nil {
		return NatGateway{}, err
	}
	if err := checkNatGatewayRequest(req); err != nil {
		return NatGateway{}, err
	}
	if won, ok, err := s.natTokenWinner(ctx, acct, req); err != nil || ok {
		return won, err
	}
	sn, _, err := s.ownSubnet(ctx, acct, req.SubnetID)
	if err != nil {
		return NatGateway{}, err
	}
	if _, _, err := s.ownAddress(ctx, acct, req.AllocationID, ""); err != nil {
		return NatGateway{}, err
	}
	release, err := s.admit(ctx, acct, QuotaNATGateways, sn.AZ, 1, s.countNatGateways(acct, sn.AZ))
	if err != nil {
		return NatGateway{}, err
	}
	defer release()
	// s.mu (RunInstances allocates addresses under it), then eipMu: the
	// order StartInstances takes them in.
	s.mu.Lock()
	defer s.mu.Unlock()
	s.eipMu.Lock()
	defer s.eipMu.Unlock()
	// A retry with the token that waited for the first call answers it.
	if won, ok, err := s.natTokenWinner(ctx, acct, req); err != nil || ok {
		return won, err
	}
	addr, _, err := s.ownAddress(ctx, acct, req.AllocationID, "")
	if err != nil {
		return NatGateway{}, err
	}
	if addr.Association != nil {
		return NatGateway{}, ec2err.New(ec2err.ResourceAlreadyAssociated,
			"Elastic IP address [%s] is already associated (%s).", addr.AllocationID, addr.Association.ID)
	}
	if req.DryRun {
		return NatGateway{}, DryRun()
	}
	g := NatGateway{ID: ids.New(ids.NatGateway), Owner: acct, VpcID: sn.VpcID, SubnetID: sn.ID, AZ: sn.AZ, State: NatGatewayPending,
		AllocationID: addr.AllocationID, PublicIP: addr.PublicIP, CreateTime: s.now().UTC(), Tags: req.Tags}
	if err := s.recordNatGateway(ctx, &g, sn, req); err != nil {
		return NatGateway{}, err
	}
	s.log.Info("NAT gateway created", "nat", g.ID, "subnet", sn.ID, "public_ip", g.PublicIP, "account", acct)
	s.Kick()
	return g, nil
}

// checkNatGatewayRequest checks what needs no record.
func checkNatGatewayRequest(req NatGatewayRequest) error {
	switch {
	case req.SubnetID == "":
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter SubnetId")
	case req.ConnectivityType == "private":
		return ec2err.New(ec2err.UnsupportedOperation, "ec2lab has no private NAT gateways (ConnectivityType private)")
	case req.ConnectivityType != "" && req.ConnectivityType != NatConnectivityPublic:
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter connectivityType is invalid.", req.ConnectivityType)
	case req.AllocationID == "":
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AllocationId (a public NAT gateway needs an Elastic IP)")
	}
	return validateTags(req.Tags)
}

// natTokenWinner is the gateway an earlier call with req's client token
// made (ok), or IdempotentParameterMismatch when that call had other
// parameters.
func (s *Service) natTokenWinner(ctx context.Context, acct string, req NatGatewayRequest) (NatGateway, bool, error) {
	rec, err := s.tokenRecord(ctx, acct, "CreateNatGateway", req.ClientToken, req.hash())
	if err != nil || rec == nil || len(rec.ResultIDs) == 0 {
		return NatGateway{}, false, err
	}
	g, err := s.ownNatGateway(ctx, acct, rec.ResultIDs[0])
	return g, err == nil, err
}

// recordNatGateway gives g its private address and writes it, the
// address's claim, its Elastic IP's association and the client token at
// once; the caller holds s.mu (where RunInstances allocates addresses)
// and eipMu. A commit that a concurrent write beat (another replica took
// the address or changed the Elastic IP) is tried again, at most
// allocateAttempts times, from what the store then holds; one whose
// client token a concurrent request (on another replica) recorded answers
// with that request's gateway, whatever the commit's error.
func (s *Service) recordNatGateway(ctx context.Context, g *NatGateway, sn Subnet, req NatGatewayRequest) error {
	for attempt := 1; ; attempt++ {
		err := s.tryRecordNatGateway(ctx, g, sn, req)
		if err == nil {
			return nil
		}
		if won, ok, terr := s.natTokenWinner(ctx, g.Owner, req); terr != nil || ok {
			*g = won
			return terr
		}
		if !errors.Is(err, store.ErrConflict) {
			return err
		}
		if attempt >= allocateAttempts {
			return fmt.Errorf("record %s: its address or Elastic IP changed under it %d times in a row: %w", g.ID, attempt, err)
		}
	}
}

// tryRecordNatGateway is one try of recordNatGateway.
func (s *Service) tryRecordNatGateway(ctx context.Context, g *NatGateway, sn Subnet, req NatGatewayRequest) error {
	plan, err := s.newAddressPlan(ctx, g.Owner)
	if err != nil {
		return err
	}
	pool, err := plan.pool(sn.ID)
	if err != nil {
		return err
	}
	ip, err := pool.Allocate(g.ID, req.PrivateIP)
	if err != nil {
		return err
	}
	g.PrivateIP = ip.String()
	if g.AssociationID == "" {
		g.AssociationID = ids.New(ids.Association)
	}
	claim, err := plan.claimOp(sn.ID, g.PrivateIP, g.ID)
	if err != nil {
		return err
	}
	rec, err := store.PutJSON(prefixNatGateway+g.ID, *g, store.MustNotExist)
	if err != nil {
		return fmt.Errorf("record %s: %w", g.ID, err)
	}
	assoc, err := s.natAssociationOp(ctx, *g)
	if err != nil {
		return err
	}
	ops := []store.Op{rec, claim, assoc}
	if req.ClientToken != "" {
		ops = append(ops, tokenOp(g.Owner, "CreateNatGateway", req.ClientToken, req.hash(), []string{g.ID}))
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return fmt.Errorf("record %s: %w", g.ID, err)
	}
	return nil
}

// natAssociationOp writes g's Elastic IP associated with its interface
// (revision-checked: the address must not have changed since it was read
// unassociated).
func (s *Service) natAssociationOp(ctx context.Context, g NatGateway) (store.Op, error) {
	a, rev, err := store.GetJSON[Address](ctx, s.st, addressKey(g.AllocationID))
	if err != nil {
		return store.Op{}, fmt.Errorf("read address %s: %w", g.AllocationID, err)
	}
	if a.Association != nil {
		return store.Op{}, ec2err.New(ec2err.ResourceAlreadyAssociated, "Elastic IP address [%s] is already associated (%s).", a.AllocationID, a.Association.ID)
	}
	a.Association = &AddressAssociation{ID: g.AssociationID, NatGatewayID: g.ID, NetworkInterfaceID: g.NetworkInterfaceID(),
		NetworkInterfaceOwner: g.Owner, PrivateIP: g.PrivateIP}
	return store.PutJSON(addressKey(a.AllocationID), a, rev)
}

// DeleteNatGateway starts deleting the caller's gateway: it goes to
// deleting at once, and the sweep frees its addresses and marks it
// deleted. Deleting a gateway already deleting or deleted changes nothing.
func (s *Service) DeleteNatGateway(ctx context.Context, id string, dryRun bool) (string, error) {
	acct, err := account(ctx)
	if err != nil {
		return "", err
	}
	g, err := s.ownNatGateway(ctx, acct, id)
	if err != nil {
		return "", err
	}
	if dryRun {
		return "", DryRun()
	}
	if g.State == NatGatewayDeleting || g.State == NatGatewayDeleted {
		return g.ID, nil
	}
	if _, err := update(ctx, s.st, prefixNatGateway+g.ID, func(r *NatGateway) error {
		if r.State != NatGatewayDeleted {
			r.State = NatGatewayDeleting
		}
		return nil
	}); err != nil {
		return "", fmt.Errorf("delete %s: %w", g.ID, err)
	}
	s.log.Info("NAT gateway deleting", "nat", g.ID, "account", acct)
	s.Kick()
	return g.ID, nil
}

// ownNatGateway is the caller's gateway of ID id.
func (s *Service) ownNatGateway(ctx context.Context, acct, id string) (NatGateway, error) {
	if !ids.Valid(ids.NatGateway, id) {
		return NatGateway{}, ec2err.New(ec2err.NatGatewayMalformed, "The NAT gateway ID '%s' is malformed", id)
	}
	g, _, err := store.GetJSON[NatGateway](ctx, s.st, prefixNatGateway+id)
	if errors.Is(err, store.ErrNotFound) || (err == nil && g.Owner != acct) {
		return NatGateway{}, natGatewayNotFound(id)
	}
	if err != nil {
		return NatGateway{}, fmt.Errorf("read %s: %w", id, err)
	}
	return g, nil
}

func natGatewayNotFound(id string) error {
	return ec2err.New(ec2err.NatGatewayNotFound, "The NAT gateway ID '%s' does not exist", id)
}

// natGateways are every NAT gateway by ID.
func (s *Service) natGateways(ctx context.Context) (map[string]NatGateway, error) {
	all, err := store.ListJSON[NatGateway](ctx, s.st, prefixNatGateway)
	if err != nil {
		return nil, fmt.Errorf("list NAT gateways: %w", err)
	}
	out := make(map[string]NatGateway, len(all))
	for _, g := range all {
		out[g.ID] = g
	}
	return out, nil
}

func (s *Service) countNatGateways(acct, az string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixNatGateway, func(g NatGateway) bool { return g.Owner == acct && g.live() && g.AZ == az })
}

// natGatewayHooks registers the gateways' tags and their sweep.
func (s *Service) natGatewayHooks(h *hooks) {
	h.tags(wrapTagErrors(recordTags(s, ids.NatGateway, "natgateway", prefixNatGateway,
		func(r *NatGateway) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })))
	h.sweep("nat-gateways", s.sweepNatGateways)
}
