package controller

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// desiredFirewall is, per host ID, the security group state its firewall
// enforces: its instances' NICs with their groups, those groups' rules, and
// the member addresses (on all hosts) of every group the rules name.
// Hosts without instances get an empty state (no tables).
func (s *Service) desiredFirewall(ctx context.Context) (map[string]host.Firewall, error) {
	insts, err := s.instances(ctx)
	if err != nil {
		return nil, err
	}
	all, err := store.ListJSON[SecurityGroup](ctx, s.st, prefixSecGroup)
	if err != nil {
		return nil, err
	}
	groups, defaults := map[string]SecurityGroup{}, map[string]string{} // default group by VPC
	for _, g := range all {
		groups[g.ID] = g
		if g.Name == DefaultGroupName {
			defaults[g.VpcID] = g.ID
		}
	}
	members := map[string][]string{}
	ports := map[string][]host.FirewallPort{}
	for _, in := range insts {
		if !onNetwork(*in) {
			continue
		}
		sgs := GroupIDs(in.SecurityGroups)
		if len(sgs) == 0 && defaults[in.VpcID] != "" {
			sgs = []string{defaults[in.VpcID]} // launched before security groups
		}
		if len(sgs) == 0 {
			continue
		}
		for _, id := range sgs {
			members[id] = append(members[id], in.PrivateIP)
		}
		ports[in.HostID] = append(ports[in.HostID], host.FirewallPort{InstanceID: in.ID, IP: in.PrivateIP,
			MAC: in.MAC, Groups: sgs, SourceDestCheckOff: in.SourceDestCheckOff, SubnetID: in.SubnetID})
	}
	out := map[string]host.Firewall{}
	for hostID, list := range ports {
		sort.Slice(list, func(i, j int) bool { return list[i].InstanceID < list[j].InstanceID })
		out[hostID] = hostFirewall(list, groups, members)
	}
	return out, nil
}

// hostFirewall assembles one host's state from its ports.
func hostFirewall(ports []host.FirewallPort, groups map[string]SecurityGroup, members map[string][]string) host.Firewall {
	st := host.Firewall{Ports: ports}
	used, peers := map[string]bool{}, map[string]bool{}
	for _, p := range ports {
		for _, id := range p.Groups {
			used[id] = true
		}
	}
	for _, id := range sortedKeys(used) {
		g, ok := groups[id]
		if !ok {
			st.Groups = append(st.Groups, host.FirewallGroup{GroupID: id}) // deleted: allows nothing
			continue
		}
		fg := host.FirewallGroup{GroupID: id, Ingress: fwRules(g.Ingress, peers), Egress: fwRules(g.Egress, peers)}
		st.Groups = append(st.Groups, fg)
	}
	for _, id := range sortedKeys(peers) {
		ips := append([]string(nil), members[id]...)
		sort.Strings(ips)
		st.Members = append(st.Members, host.FirewallMembers{GroupID: id, IPs: ips})
	}
	return st
}

func fwRules(rules []SGRule, peers map[string]bool) []host.FirewallRule {
	var out []host.FirewallRule
	for _, r := range rules {
		fr := host.FirewallRule{Protocol: r.Protocol, FromPort: r.FromPort, ToPort: r.ToPort}
		if r.CIDR != "" {
			fr.CIDRs = []string{r.CIDR}
			if r.Protocol == "-1" && r.CIDR == "0.0.0.0/0" {
				fr.CIDRs = append(fr.CIDRs, "::/0")
			}
		}
		if r.GroupID != "" {
			fr.SourceGroups, peers[r.GroupID] = []string{r.GroupID}, true
		}
		out = append(out, fr)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// firewallChanged pushes the changed hosts' firewalls at once, so a rule
// change reaches running instances without waiting for the reconciler.
func (s *Service) firewallChanged(ctx context.Context) {
	if err := s.pushFirewall(ctx, false); err != nil {
		s.log.Warn("push firewall", "err", err) // the reconciler retries
	}
}

// pushFirewall sends each connected agent its firewall when it changed or
// netResync has passed (or always with force).
func (s *Service) pushFirewall(ctx context.Context, force bool) error {
	s.net.fwMu.Lock()
	defer s.net.fwMu.Unlock()
	want, err := s.desiredFirewall(ctx)
	if err != nil {
		return fmt.Errorf("desired firewall: %w", err)
	}
	if s.net.fwSent == nil {
		s.net.fwSent = map[string]netSent{}
	}
	var firstErr error
	for hostID, ag := range s.connectedAgents() {
		req := want[hostID] // none: the empty state
		digest := digestOf(req)
		last := s.net.fwSent[hostID]
		if !force && last.digest == digest && s.now().Sub(last.at) < netResync {
			continue
		}
		if err := ag.SetFirewall(ctx, req); err != nil {
			if errors.Is(err, ec2err.ErrUnsupported) {
				continue // an agent without a firewall
			}
			delete(s.net.fwSent, hostID)
			if firstErr == nil {
				firstErr = fmt.Errorf("set firewall on %s: %w", hostID, err)
			}
			continue
		}
		if last.digest != digest {
			s.log.Info("firewall set", "host", hostID, "ports", len(req.Ports), "groups", len(req.Groups))
		}
		s.net.fwSent[hostID] = netSent{digest: digest, at: s.now()}
	}
	return firstErr
}
