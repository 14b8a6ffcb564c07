package controller

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// sweepNatGateways moves every gateway along its life: a pending one in
// a VPC without an internet gateway fails; another pending one is
// placed on a host and becomes available once that host's network carries
// it; an available one whose host is gone moves to another host of its
// zone; a deleting one gives its addresses back and is deleted; a deleted
// one is forgotten after natGatewayKept.
func (s *Service) sweepNatGateways(ctx context.Context) {
	all, err := store.ListJSON[NatGateway](ctx, s.st, prefixNatGateway)
	if err != nil {
		s.log.Warn("NAT gateways: list", "err", err)
		return
	}
	for _, g := range all {
		var err error
		switch g.State {
		case NatGatewayPending:
			err = s.startNatGateway(ctx, g)
		case NatGatewayAvailable:
			err = s.placeNatGateway(ctx, g)
		case NatGatewayDeleting:
			err = s.retireNatGateway(ctx, g, NatGatewayDeleted, "", "")
		case NatGatewayDeleted, NatGatewayFailed:
			if s.now().Sub(g.DeleteTime) > natGatewayKept {
				_, err = s.st.Txn(ctx, store.Op{Key: prefixNatGateway + g.ID, Delete: true, ExpectRevision: store.AnyRevision})
			}
		}
		if err != nil {
			s.log.Warn("NAT gateway sweep", "nat", g.ID, "state", g.State, "err", err)
		}
	}
}

// placeNatGateway keeps g on a healthy, connected host of its subnet's
// zone (natGatewayHost) and, once the chosen host's network carries it,
// makes a pending gateway available. Without such a host it waits
// (pending, or available with no data plane) for one.
func (s *Service) placeNatGateway(ctx context.Context, g NatGateway) error {
	hostID, err := s.natGatewayHost(ctx, g)
	if err != nil || hostID == "" {
		return err
	}
	if hostID == g.HostID && g.State == NatGatewayAvailable {
		return nil
	}
	if _, err := update(ctx, s.st, prefixNatGateway+g.ID, func(r *NatGateway) error {
		if !r.routable() {
			return errNatGatewayGone
		}
		r.HostID = hostID
		return nil
	}); err != nil {
		return ignoreGone(err)
	}
	if err := s.syncHostNetwork(ctx, hostID); err != nil {
		return fmt.Errorf("place on %s: %w", hostID, err)
	}
	if _, err := update(ctx, s.st, prefixNatGateway+g.ID, func(r *NatGateway) error {
		if !r.routable() || r.HostID != hostID {
			return errNatGatewayGone
		}
		r.State = NatGatewayAvailable
		return nil
	}); err != nil {
		return ignoreGone(err)
	}
	s.log.Info("NAT gateway available", "nat", g.ID, "host", hostID, "public_ip", g.PublicIP)
	return nil
}

// errNatGatewayGone ends a placement the gateway's deletion overtook.
var errNatGatewayGone = errors.New("NAT gateway deleted meanwhile")

func ignoreGone(err error) error {
	if errors.Is(err, errNatGatewayGone) || errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// natGatewayHost is the host g should run on ("" when none can): one of
// the healthy, connected hosts of its subnet's zone. The data plane NATs
// only the guests on the gateway's own host, so the gateway goes where
// the instances of the subnets routed to it run: its host while that
// runs some of them (or no host does), else the host running most of
// them, then most of the VPC's instances, then the lowest ID.
func (s *Service) natGatewayHost(ctx context.Context, g NatGateway) (string, error) {
	fit, err := s.natGatewayCandidates(ctx, g)
	if err != nil || len(fit) == 0 {
		return "", err
	}
	routes, _, err := s.defaultRoutes(ctx)
	if err != nil {
		return "", err
	}
	insts, err := s.instances(ctx)
	if err != nil {
		return "", err
	}
	routed, inVPC := map[string]int{}, map[string]int{}
	for _, in := range insts {
		if in.VpcID != g.VpcID || !onNetwork(*in) {
			continue
		}
		inVPC[in.HostID]++
		if routes[in.SubnetID].NatGatewayID == g.ID {
			routed[in.HostID]++
		}
	}
	sort.SliceStable(fit, func(i, j int) bool {
		if routed[fit[i]] != routed[fit[j]] {
			return routed[fit[i]] > routed[fit[j]]
		}
		return inVPC[fit[i]] > inVPC[fit[j]]
	})
	for _, id := range fit {
		if id == g.HostID && (routed[id] > 0 || routed[fit[0]] == 0) {
			return id, nil // stay: moving would cut its flows for nothing
		}
	}
	return fit[0], nil
}

// natGatewayCandidates are the healthy, connected hosts of g's subnet's
// zone, by ID.
func (s *Service) natGatewayCandidates(ctx context.Context, g NatGateway) ([]string, error) {
	azs, err := s.subnetAZs(ctx)
	if err != nil {
		return nil, err
	}
	hosts, err := s.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	connected := s.connectedAgents()
	var fit []string
	for _, h := range hosts {
		if _, ok := connected[h.ID]; ok && h.Healthy && h.AZ == azs[g.SubnetID] {
			fit = append(fit, h.ID)
		}
	}
	return fit, nil
}

// retireNatGateway disassociates g's Elastic IP and moves it to state
// (deleted, or failed with the code and message); its private address is
// free from then on and the next network push takes it off its host.
func (s *Service) retireNatGateway(ctx context.Context, g NatGateway, state, code, msg string) error {
	s.eipMu.Lock()
	defer s.eipMu.Unlock()
	if err := s.disassociate(ctx, g.AllocationID, g.AssociationID); err != nil {
		return err
	}
	if _, err := updateAlso(ctx, s.st, prefixNatGateway+g.ID, func(r *NatGateway) ([]store.Op, error) {
		held := r.live()
		r.State, r.DeleteTime, r.HostID = state, s.now().UTC(), ""
		r.FailureCode, r.FailureMessage = code, msg
		if held { // its private address's claim goes with it
			return s.releaseClaimOps(ctx, r.SubnetID, r.PrivateIP, r.ID)
		}
		return nil, nil
	}); err != nil {
		return ignoreGone(err)
	}
	s.log.Info("NAT gateway "+state, "nat", g.ID, "public_ip", g.PublicIP, "failure", code)
	return nil
}

// startNatGateway fails a pending gateway whose VPC has no internet
// gateway attached, as EC2 does (Gateway.NotAttached: it could never
// reach out), and places the others.
func (s *Service) startNatGateway(ctx context.Context, g NatGateway) error {
	igw, err := s.vpcInternetGateway(ctx, g.VpcID)
	if err != nil {
		return err
	}
	if igw == "" {
		return s.retireNatGateway(ctx, g, NatGatewayFailed, ec2err.GatewayNotAttached,
			fmt.Sprintf("Network %s has no Internet gateway attached", g.VpcID))
	}
	return s.placeNatGateway(ctx, g)
}
