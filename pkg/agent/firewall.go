package agent

import (
	"context"
	"fmt"
	"net/netip"
	"os"
	"path/filepath"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/netplane/firewall"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// agentFirewall is the agent's security group enforcer
// (pkg/netplane/firewall), opened on the first state with ports: an agent
// never given a security group leaves the host's netfilter alone.
type agentFirewall struct {
	mu sync.Mutex // serialises SetFirewall with its persisted copy
	fw *firewall.Firewall
}

// FirewallTable names the nftables tables of an agent with domainPrefix.
func FirewallTable(domainPrefix string) string { return "ec2lab_" + NetPrefix(domainPrefix) }

func (a *Agent) firewallPath() string { return filepath.Join(a.cfg.StateDir, "firewall.json") }

// SetFirewall makes the host enforce exactly the requested security groups
// on this agent's taps. The state is persisted first so a restarted agent
// restores it (Recover); an empty state removes the tables.
func (a *Agent) SetFirewall(ctx context.Context, req *agentv1.FirewallState) (*agentv1.SetFirewallResponse, error) {
	names := planeNames{tap: func(string, int) string { return "" }, bridge: func(string) string { return "" }}
	if len(req.GetPorts()) > 0 { // no ports, no data plane needed
		p, err := a.Plane()
		if err != nil {
			return nil, err
		}
		names = planeNames{tap: p.TapName, bridge: p.BridgeName}
	}
	d, err := desiredFirewall(req, names)
	if err != nil {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "%v", err)
	}
	f := &a.net.fw
	f.mu.Lock()
	defer f.mu.Unlock()
	hadPorts := a.savedFirewallHasPorts()
	if err := a.saveFirewall(req); err != nil {
		return nil, err
	}
	if f.fw == nil {
		if len(d.Ports) == 0 && !hadPorts {
			return &agentv1.SetFirewallResponse{}, nil // nothing enforced, nothing left
		}
		if f.fw, err = firewall.New(firewall.Config{TableName: FirewallTable(a.cfg.DomainPrefix), NetNS: a.cfg.NetNS,
			DevicePrefix: NetPrefix(a.cfg.DomainPrefix)}); err != nil {
			return nil, fmt.Errorf("set firewall: %w", err)
		}
	}
	if err := f.fw.Reconcile(ctx, d); err != nil {
		return nil, fmt.Errorf("set firewall: %w", err)
	}
	return &agentv1.SetFirewallResponse{}, nil
}

// recoverFirewall re-applies the last desired firewall after a restart.
func (a *Agent) recoverFirewall(ctx context.Context) error {
	req := &agentv1.FirewallState{}
	b, err := os.ReadFile(a.firewallPath())
	if os.IsNotExist(err) {
		return nil
	} else if err != nil {
		return fmt.Errorf("recover firewall: %w", err)
	}
	if err := protojson.Unmarshal(b, req); err != nil {
		a.log.Warn("recover: unreadable firewall state, keeping the last tables", "err", err)
		return nil
	}
	_, err = a.SetFirewall(ctx, req)
	return err
}

func (a *Agent) savedFirewallHasPorts() bool {
	req := &agentv1.FirewallState{}
	b, err := os.ReadFile(a.firewallPath())
	if err != nil {
		return false
	}
	return protojson.Unmarshal(b, req) != nil || len(req.GetPorts()) > 0
}

func (a *Agent) saveFirewall(req *agentv1.FirewallState) error {
	b, err := protojson.Marshal(req)
	if err != nil {
		return err
	}
	tmp := a.firewallPath() + ".tmp"
	if err := fsmode.WriteFile(tmp, b, fsmode.File); err != nil {
		return fmt.Errorf("save firewall: %w", err)
	}
	return os.Rename(tmp, a.firewallPath())
}

// planeNames name a port's tap and its subnet's bridge as the data plane
// made them.
type planeNames struct {
	tap    func(instanceID string, deviceIndex int) string
	bridge func(subnetID string) string
}

// desiredFirewall converts the request.
func desiredFirewall(req *agentv1.FirewallState, names planeNames) (firewall.Desired, error) {
	d := firewall.Desired{Members: map[string][]netip.Addr{}}
	for _, g := range req.GetGroups() {
		in, err := fwRules(g.GetIngress())
		if err != nil {
			return d, fmt.Errorf("group %s: %w", g.GetGroupId(), err)
		}
		out, err := fwRules(g.GetEgress())
		if err != nil {
			return d, fmt.Errorf("group %s: %w", g.GetGroupId(), err)
		}
		d.Groups = append(d.Groups, firewall.Group{ID: g.GetGroupId(), Ingress: in, Egress: out})
	}
	for _, p := range req.GetPorts() {
		port := firewall.Port{Tap: names.tap(p.GetInstanceId(), int(p.GetDeviceIndex())), MAC: p.GetMac(), Groups: p.GetGroups(),
			AnySource: p.GetSourceDestCheckOff()}
		if s := p.GetSubnetId(); s != "" {
			port.Bridge = names.bridge(s)
		}
		if p.GetIp() != "" {
			ip, err := netip.ParseAddr(p.GetIp())
			if err != nil {
				return d, fmt.Errorf("port of %s: %w", p.GetInstanceId(), err)
			}
			port.IP = ip
		}
		d.Ports = append(d.Ports, port)
	}
	for _, m := range req.GetMembers() {
		for _, s := range m.GetIps() {
			ip, err := netip.ParseAddr(s)
			if err != nil {
				return d, fmt.Errorf("member of %s: %w", m.GetGroupId(), err)
			}
			d.Members[m.GetGroupId()] = append(d.Members[m.GetGroupId()], ip)
		}
	}
	return d, nil
}

func fwRules(rules []*agentv1.FwRule) ([]firewall.Rule, error) {
	var out []firewall.Rule
	for _, r := range rules {
		fr := firewall.Rule{Protocol: r.GetProtocol(), FromPort: int(r.GetFromPort()), ToPort: int(r.GetToPort()),
			SourceGroups: r.GetSourceGroups()}
		for _, c := range r.GetCidrs() {
			pfx, err := netip.ParsePrefix(c)
			if err != nil {
				return nil, fmt.Errorf("rule cidr: %w", err)
			}
			fr.CIDRs = append(fr.CIDRs, pfx)
		}
		out = append(out, fr)
	}
	return out, nil
}
