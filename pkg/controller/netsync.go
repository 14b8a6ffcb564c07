package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/network"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// netResync is how often every agent is sent its full network even when
// nothing changed, so a restarted agent converges.
const netResync = 30 * time.Second

// netSync remembers the last network pushed to each host. Its mutex is held
// across computing and pushing, so pushes never overtake each other.
type netSync struct {
	mu   sync.Mutex
	sent map[string]netSent
	// fwMu and fwSent do the same for the firewalls (fwsync.go).
	fwMu   sync.Mutex
	fwSent map[string]netSent
}

type netSent struct {
	digest string
	at     time.Time
}

// desiredNetwork is, per host ID, the subnets the host must serve: those in
// which an instance placed on it holds an address, each with all the
// subnet's NICs (every host's DHCP server knows every lease) and their
// public addresses (netsync_public.go), the VTEPs of the other hosts
// carrying it, its VPC's DNS server (vpc_dns.go), its network ACL and,
// on the host running it, the NAT gateway it routes to (natgateways.go).
func (s *Service) desiredNetwork(ctx context.Context) (map[string][]host.Subnet, error) {
	insts, err := s.instances(ctx)
	if err != nil {
		return nil, err
	}
	subs, err := store.ListJSON[Subnet](ctx, s.st, prefixSubnet)
	if err != nil {
		return nil, err
	}
	hosts, err := s.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	dns, err := s.vpcDNS(ctx, insts)
	if err != nil {
		return nil, err
	}
	routes, err := s.defaultRoutes(ctx)
	if err != nil {
		return nil, fmt.Errorf("route tables: %w", err)
	}
	public, err := s.publicIPs(ctx, insts, routes.public())
	if err != nil {
		return nil, fmt.Errorf("public addresses: %w", err)
	}
	acls, err := s.subnetACLs(ctx)
	if err != nil {
		return nil, fmt.Errorf("network ACLs: %w", err)
	}
	nats := routes.natRouted()
	vtep := map[string]string{}
	for _, h := range hosts {
		vtep[h.ID] = h.VTEP
	}
	nics := map[string][]host.SubnetNIC{}
	carriers := map[string]map[string]bool{} // subnet → host IDs
	for _, in := range insts {
		if !onNetwork(*in) {
			continue
		}
		nics[in.SubnetID] = append(nics[in.SubnetID], host.SubnetNIC{InstanceID: in.ID, MAC: in.MAC,
			IP: in.PrivateIP, Hostname: hostnameOf(*in), HostVTEP: vtep[in.HostID], PublicIP: public[in.ID]})
		if carriers[in.SubnetID] == nil {
			carriers[in.SubnetID] = map[string]bool{}
		}
		carriers[in.SubnetID][in.HostID] = true
	}
	out := map[string][]host.Subnet{}
	for _, sn := range subs {
		list := nics[sn.ID]
		sort.Slice(list, func(i, j int) bool { return list[i].InstanceID < list[j].InstanceID })
		for hostID := range carriers[sn.ID] {
			ns := host.Subnet{SubnetID: sn.ID, CIDR: sn.CIDR, VNI: sn.VNI, NICs: list, DNS: dns[sn.VpcID], ACL: acls[sn.ID]}
			if g, ok := nats[sn.ID]; ok && g.HostID == hostID {
				ns.NATGateway = g.PublicIP
			}
			for other := range carriers[sn.ID] {
				if other != hostID && vtep[other] != "" {
					ns.Peers = append(ns.Peers, vtep[other])
				}
			}
			sort.Strings(ns.Peers)
			out[hostID] = append(out[hostID], ns)
		}
	}
	for _, list := range out {
		sort.Slice(list, func(i, j int) bool { return list[i].SubnetID < list[j].SubnetID })
	}
	return out, nil
}

func hostnameOf(in Instance) string {
	if a, err := parseAddr(in.PrivateIP); err == nil {
		return network.Hostname(a)
	}
	return ""
}

// networkHooks registers the push of the hosts' networks.
func (s *Service) networkHooks(h *hooks) { h.sweep("network", s.syncNetwork) }

// syncNetwork pushes each connected agent its network when it changed or
// netResync has passed (called from every reconcile pass).
func (s *Service) syncNetwork(ctx context.Context) {
	s.pushNetwork(ctx, "", false)
	s.firewallChanged(ctx)
}

// syncHostNetwork pushes one host's network now (before a launch, so the
// bridge the domain plugs into exists).
func (s *Service) syncHostNetwork(ctx context.Context, hostID string) error {
	err := s.pushNetwork(ctx, hostID, true)
	s.firewallChanged(ctx)
	return err
}

func (s *Service) pushNetwork(ctx context.Context, only string, force bool) error {
	s.net.mu.Lock()
	defer s.net.mu.Unlock()
	want, err := s.desiredNetwork(ctx)
	if err != nil {
		return fmt.Errorf("desired network: %w", err)
	}
	if s.net.sent == nil {
		s.net.sent = map[string]netSent{}
	}
	var firstErr error
	for hostID, ag := range s.connectedAgents() {
		if only != "" && hostID != only {
			continue
		}
		req := want[hostID]
		digest := digestOf(req)
		last := s.net.sent[hostID]
		if !force && last.digest == digest && s.now().Sub(last.at) < netResync {
			continue
		}
		if err := ag.SyncNetwork(ctx, req); err != nil {
			if errors.Is(err, ec2err.ErrUnsupported) {
				continue // an agent without a data plane
			}
			s.log.Warn("sync network failed", "host", hostID, "err", err)
			delete(s.net.sent, hostID)
			if firstErr == nil {
				firstErr = fmt.Errorf("sync network on %s: %w", hostID, err)
			}
			continue
		}
		if last.digest != digest {
			s.log.Info("network synced", "host", hostID, "subnets", len(req))
		}
		s.net.sent[hostID] = netSent{digest: digest, at: s.now()}
	}
	return firstErr
}

func (s *Service) connectedAgents() map[string]host.Host {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]host.Host, len(s.agents))
	for id, c := range s.agents {
		out[id] = c
	}
	return out
}

// digestOf fingerprints what was last pushed to a host (JSON of plain
// structs is deterministic).
func digestOf(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// instanceNics is the host's view of an instance's network interfaces.
func instanceNics(in Instance) []host.NIC {
	if in.SubnetID == "" || in.PrivateIP == "" {
		return nil
	}
	return []host.NIC{{SubnetID: in.SubnetID, MAC: in.MAC, PrivateIP: in.PrivateIP}}
}

// onNetwork reports whether the instance's NIC is on its host's data plane:
// it holds an address and is not being torn down (a shutting-down
// instance's domain is going; its address is released at terminated).
func onNetwork(in Instance) bool {
	return holdsAddress(in) && in.HostID != "" && in.State != StateShuttingDown
}

// releaseNetwork updates the instance's host right after its domain is
// destroyed, so the subnet's bridge and DHCP server go with its last NIC
// (the reconciler retries on failure).
func (s *Service) releaseNetwork(ctx context.Context, in Instance) {
	if err := s.syncHostNetwork(ctx, in.HostID); err != nil {
		s.log.Warn("release network", "instance", in.ID, "err", err)
	}
}
