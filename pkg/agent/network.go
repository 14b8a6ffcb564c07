package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"google.golang.org/protobuf/encoding/protojson"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/imds"
	"github.com/ec2lab/ec2lab/pkg/netplane"
	"github.com/ec2lab/ec2lab/pkg/vpcdns"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// agentNet is the agent's host data plane (pkg/netplane), made on first
// use: one Plane per agent, its device names prefixed by a hash of the
// DomainPrefix so agents sharing a host never touch each other's devices.
type agentNet struct {
	once  sync.Once
	plane *netplane.Plane
	err   error
	mu    sync.Mutex    // serialises SyncNetwork with its persisted copy
	fw    agentFirewall // security groups on the Plane's taps (firewall.go)
}

// NetPrefix is the netplane device prefix of an agent with domainPrefix:
// 5 hex digits of its hash.
func NetPrefix(domainPrefix string) string {
	sum := sha256.Sum256([]byte(domainPrefix))
	return hex.EncodeToString(sum[:])[:5]
}

// Plane returns the agent's data plane, opening it on first use. Its
// state (dnsmasq files) lives in StateDir/net.
func (a *Agent) Plane() (*netplane.Plane, error) {
	a.net.once.Do(func() {
		a.net.plane, a.net.err = netplane.New(netplane.Config{Prefix: NetPrefix(a.cfg.DomainPrefix),
			StateDir: filepath.Join(a.cfg.StateDir, "net"), VTEP: a.cfg.VTEP, Logger: a.log,
			MetadataAddr: imds.Addr.Addr(), DNSAddr: vpcdns.LinkLocalAddr, NATUplink: a.cfg.NATUplink,
			PublicUplink: a.cfg.PublicUplink, NetNS: a.cfg.NetNS})
		if a.net.err != nil {
			a.net.err = fmt.Errorf("data plane: %w", a.net.err)
		}
	})
	return a.net.plane, a.net.err
}

func (a *Agent) networkPath() string { return filepath.Join(a.cfg.StateDir, "network.json") }

// SyncNetwork makes the host serve exactly the requested subnets. The
// request is persisted first so a restarted agent restores it (Recover).
func (a *Agent) SyncNetwork(ctx context.Context, req *agentv1.SyncNetworkRequest) (*agentv1.SyncNetworkResponse, error) {
	p, err := a.Plane()
	if err != nil {
		return nil, err
	}
	subnets, err := planeSubnets(req, p.Config().VTEP)
	if err != nil {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "%v", err)
	}
	zones, err := dnsZones(req, p.BridgeName)
	if err != nil {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "%v", err)
	}
	a.net.mu.Lock()
	defer a.net.mu.Unlock()
	if err := a.saveNetwork(req); err != nil {
		return nil, err
	}
	bridges, dnsAddrs := subnetBridges(p, subnets), dnsAddrsOf(p, subnets)
	a.stopMetadataExcept(bridges) // before their bridges go
	a.stopDNSExcept(dnsAddrs)
	err = p.Reconcile(ctx, subnets)
	a.dns.setZones(zones)
	if err = errors.Join(err, a.serveMetadata(ctx, bridges), a.serveDNS(ctx, dnsAddrs)); err != nil {
		return nil, fmt.Errorf("sync network: %w", err)
	}
	return &agentv1.SyncNetworkResponse{}, nil
}

// recoverNetwork re-applies the last desired network: devices and dnsmasqs
// of subnets no longer wanted (or of a crashed run) are removed.
func (a *Agent) recoverNetwork(ctx context.Context) error {
	req := &agentv1.SyncNetworkRequest{}
	if b, err := os.ReadFile(a.networkPath()); err == nil {
		if err := protojson.Unmarshal(b, req); err != nil {
			a.log.Warn("recover: unreadable network state, starting empty", "err", err)
			req = &agentv1.SyncNetworkRequest{}
		}
	} else if !os.IsNotExist(err) {
		return fmt.Errorf("recover network: %w", err)
	}
	a.keepHeldPublicIPs(req)
	_, err := a.SyncNetwork(ctx, req)
	return err
}

// keepHeldPublicIPs drops from a recovered network the public addresses
// the host no longer holds on its uplink: after a reboot an address may
// have moved to another host, and announcing it again would pull the
// LAN's traffic here until the controller's next push. Addresses still
// held (the agent restarted, the host did not) stay, so their guests keep
// their traffic. The controller's push adds back what is still ours.
// When the uplink cannot be read, every saved address waits.
func (a *Agent) keepHeldPublicIPs(req *agentv1.SyncNetworkRequest) {
	var held []netip.Addr
	p, err := a.Plane()
	if err == nil {
		held, err = p.HeldPublicAddrs()
	}
	if err != nil {
		a.log.Warn("recover: cannot read the public addresses held; each waits for the controller", "err", err)
	}
	for _, ip := range dropUnheldPublicIPs(req, held) {
		a.log.Info("recover: public address not held, waiting for the controller", "address", ip)
	}
}

// dropUnheldPublicIPs clears each NIC's public address and each subnet's
// NAT gateway address that is not in held and returns the addresses it
// cleared.
func dropUnheldPublicIPs(req *agentv1.SyncNetworkRequest, held []netip.Addr) []string {
	var dropped []string
	for _, sn := range req.GetSubnets() {
		for _, nic := range sn.GetNics() {
			ip, err := netip.ParseAddr(nic.GetPublicIp())
			if nic.GetPublicIp() == "" || (err == nil && slices.Contains(held, ip)) {
				continue
			}
			dropped = append(dropped, nic.GetPublicIp())
			nic.PublicIp = ""
		}
		if gw, err := netip.ParseAddr(sn.GetNatGateway()); sn.GetNatGateway() != "" && (err != nil || !slices.Contains(held, gw)) {
			dropped = append(dropped, sn.GetNatGateway())
			sn.NatGateway = ""
		}
	}
	return dropped
}

// saveNetwork persists req; an empty network is no file (what Recover
// reads as empty), so a host without subnets keeps no network state.
func (a *Agent) saveNetwork(req *agentv1.SyncNetworkRequest) error {
	if len(req.GetSubnets()) == 0 {
		if err := os.Remove(a.networkPath()); err != nil && !os.IsNotExist(err) {
			return fmt.Errorf("save network: %w", err)
		}
		return nil
	}
	b, err := protojson.Marshal(req)
	if err != nil {
		return err
	}
	tmp := a.networkPath() + ".tmp"
	if err := fsmode.WriteFile(tmp, b, fsmode.File); err != nil {
		return fmt.Errorf("save network: %w", err)
	}
	return os.Rename(tmp, a.networkPath())
}

// planeSubnets converts the request; without a local VTEP (single-host
// mode) subnets are plain bridges: no VNI, no peers.
func planeSubnets(req *agentv1.SyncNetworkRequest, vtep netip.Addr) ([]netplane.Subnet, error) {
	var out []netplane.Subnet
	for _, ns := range req.GetSubnets() {
		cidr, err := netip.ParsePrefix(ns.GetCidr())
		if err != nil {
			return nil, fmt.Errorf("subnet %s: cidr: %w", ns.GetSubnetId(), err)
		}
		dns, err := planeDNS(ns)
		if err != nil {
			return nil, err
		}
		acl, err := planeACL(ns.GetAcl())
		if err != nil {
			return nil, fmt.Errorf("subnet %s: %w", ns.GetSubnetId(), err)
		}
		s := netplane.Subnet{ID: ns.GetSubnetId(), CIDR: cidr, DNS: dns, ACL: acl}
		if ns.GetNatGateway() != "" {
			if s.NATGateway, err = netip.ParseAddr(ns.GetNatGateway()); err != nil {
				return nil, fmt.Errorf("subnet %s: NAT gateway: %w", s.ID, err)
			}
		}
		if vtep.IsValid() {
			s.VNI = ns.GetVni()
			for _, p := range ns.GetPeers() {
				a, err := netip.ParseAddr(p)
				if err != nil {
					return nil, fmt.Errorf("subnet %s: peer: %w", s.ID, err)
				}
				s.Peers = append(s.Peers, a)
			}
		}
		for _, n := range ns.GetNics() {
			nic, err := planeNIC(n, vtep.IsValid())
			if err != nil {
				return nil, fmt.Errorf("subnet %s: %w", s.ID, err)
			}
			s.NICs = append(s.NICs, nic)
		}
		out = append(out, s)
	}
	return out, nil
}

func planeNIC(n *agentv1.NetNic, overlay bool) (netplane.NIC, error) {
	mac, err := net.ParseMAC(n.GetMac())
	if err != nil {
		return netplane.NIC{}, fmt.Errorf("nic of %s: %w", n.GetInstanceId(), err)
	}
	ip, err := netip.ParseAddr(n.GetIp())
	if err != nil {
		return netplane.NIC{}, fmt.Errorf("nic of %s: %w", n.GetInstanceId(), err)
	}
	nic := netplane.NIC{InstanceID: n.GetInstanceId(), DeviceIndex: int(n.GetDeviceIndex()), MAC: mac, IP: ip,
		Hostname: n.GetHostname()}
	if pub := n.GetPublicIp(); pub != "" {
		if nic.PublicIP, err = netip.ParseAddr(pub); err != nil {
			return netplane.NIC{}, fmt.Errorf("nic of %s: public ip: %w", n.GetInstanceId(), err)
		}
	}
	if overlay && n.GetHostVtep() != "" {
		if nic.Host, err = netip.ParseAddr(n.GetHostVtep()); err != nil {
			return netplane.NIC{}, fmt.Errorf("nic of %s: host vtep: %w", n.GetInstanceId(), err)
		}
	}
	return nic, nil
}

// domainNICs are the instance's virtio NICs on its subnets' bridges, with
// taps named so the data plane knows them as its own; with the data plane
// in a namespace they are ethernet taps the agent adopts (taps.go).
func (a *Agent) domainNICs(req *agentv1.CreateInstanceRequest) ([]hypervisor.NIC, error) {
	if len(req.GetNics()) == 0 {
		return nil, nil
	}
	p, err := a.Plane()
	if err != nil {
		return nil, err
	}
	var out []hypervisor.NIC
	for _, n := range req.GetNics() {
		if n.GetSubnetId() == "" || n.GetMac() == "" {
			return nil, missing("nics.subnet_id and nics.mac")
		}
		br := n.GetBridge()
		if br == "" {
			br = p.BridgeName(n.GetSubnetId())
		}
		out = append(out, hypervisor.NIC{Bridge: br, MAC: n.GetMac(),
			Tap: p.TapName(req.GetInstanceId(), int(n.GetDeviceIndex())), Ethernet: p.Config().NetNS != ""})
	}
	return out, nil
}

// planeACL converts a subnet's network ACL (unset: nil, none).
func planeACL(acl *agentv1.NetAcl) (*netplane.ACL, error) {
	if acl == nil {
		return nil, nil
	}
	rules := func(rs []*agentv1.NetAclRule) ([]netplane.ACLRule, error) {
		out := make([]netplane.ACLRule, 0, len(rs))
		for _, r := range rs {
			cidr, err := netip.ParsePrefix(r.GetCidr())
			if err != nil {
				return nil, fmt.Errorf("network ACL rule %d: %w", r.GetNumber(), err)
			}
			out = append(out, netplane.ACLRule{Number: int(r.GetNumber()), Allow: r.GetAllow(), Protocol: int(r.GetProtocol()),
				CIDR: cidr, PortFrom: int(r.GetPortFrom()), PortTo: int(r.GetPortTo()), ICMPType: int(r.GetIcmpType()),
				ICMPCode: int(r.GetIcmpCode())})
		}
		return out, nil
	}
	in, err := rules(acl.GetIngress())
	if err != nil {
		return nil, err
	}
	out, err := rules(acl.GetEgress())
	if err != nil {
		return nil, err
	}
	return &netplane.ACL{Ingress: in, Egress: out}, nil
}
