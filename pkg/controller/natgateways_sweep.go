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
	var view *natPlacement // read once, when a gateway needs placing
	placing := func() (*natPlacement, error) {
		if view == nil {
			v, err := s.natPlacementView(ctx)
			if err != nil {
				return nil, err
			}
			view = &v
		}
		return view, nil
	}
	for _, g := range all {
		var err error
		switch g.State {
		case NatGatewayPending, NatGatewayAvailable:
			var v *natPlacement
			if v, err = placing(); err == nil {
				err = s.startNatGateway(ctx, g, *v)
			}
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

// placeNatGateway keeps g on a healthy, connected host of its zone
// (natPlacement.host) and, once the chosen host's network carries it,
// makes a pending gateway available. Without such a host it waits
// (pending, or available with no data plane) for one.
func (s *Service) placeNatGateway(ctx context.Context, g NatGateway, view natPlacement) error {
	hostID := view.host(g)
	if hostID == "" {
		return nil
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

// natPlacement is what placing gateways reads: each subnet's default
// route, the instances and the hosts that may run a gateway (healthy and
// connected).
type natPlacement struct {
	routes map[string]Route
	insts  []*Instance
	hosts  []HostRecord
}

// natPlacementView reads a natPlacement.
func (s *Service) natPlacementView(ctx context.Context) (natPlacement, error) {
	routes, err := s.defaultRoutes(ctx)
	if err != nil {
		return natPlacement{}, err
	}
	insts, err := s.instances(ctx)
	if err != nil {
		return natPlacement{}, err
	}
	all, err := s.Hosts(ctx)
	if err != nil {
		return natPlacement{}, err
	}
	connected := s.connectedAgents()
	v := natPlacement{routes: routes.routes, insts: insts}
	for _, h := range all {
		if _, ok := connected[h.ID]; ok && h.Healthy {
			v.hosts = append(v.hosts, h)
		}
	}
	return v, nil
}

// host is the host g should run on ("" when none can): one of the
// healthy, connected hosts of its zone. The data plane NATs only the
// guests on the gateway's own host, so the gateway goes where the
// instances of the subnets routed to it run: its host while that runs
// some of them (or no host does), else the host running most of them,
// then most of the VPC's instances, then the lowest ID.
func (v natPlacement) host(g NatGateway) string {
	var fit []string
	for _, h := range v.hosts {
		if h.AZ == g.AZ {
			fit = append(fit, h.ID)
		}
	}
	if len(fit) == 0 {
		return ""
	}
	routed, inVPC := map[string]int{}, map[string]int{}
	for _, in := range v.insts {
		if in.VpcID != g.VpcID || !onNetwork(*in) {
			continue
		}
		inVPC[in.HostID]++
		if v.routes[in.SubnetID].NatGatewayID == g.ID {
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
			return id // stay: moving would cut its flows for nothing
		}
	}
	return fit[0]
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
func (s *Service) startNatGateway(ctx context.Context, g NatGateway, view natPlacement) error {
	if g.State != NatGatewayPending {
		return s.placeNatGateway(ctx, g, view)
	}
	igw, err := s.vpcInternetGateway(ctx, g.VpcID)
	if err != nil {
		return err
	}
	if igw == "" {
		return s.retireNatGateway(ctx, g, NatGatewayFailed, ec2err.GatewayNotAttached,
			fmt.Sprintf("Network %s has no Internet gateway attached", g.VpcID))
	}
	return s.placeNatGateway(ctx, g, view)
}
