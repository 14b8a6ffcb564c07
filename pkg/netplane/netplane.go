// Package netplane owns an ec2lab host's virtual network data plane: one
// Linux bridge per subnet with the subnet's gateway address, one VXLAN
// device per subnet (VNI, static FDB entries towards the other hosts' VTEPs)
// and one dnsmasq per bridge answering DHCP with static leases only.
// Guests' taps are created by libvirt (interface type='bridge') with names
// from TapName; a Plane in its own namespace (Config.NetNS) gets them as
// type='ethernet' taps in the agent's namespace and adopts them (AdoptTap).
//
// Subnets of different VPCs may share a CIDR on one host: every bridge has
// its own conntrack zone (recorded in the bridge's alias) and the Plane's
// edge table (package edge) keeps each bridge's traffic to itself and its
// own host services. Bridges never forward (per-bridge forwarding sysctl
// off, routed packets dropped) unless Config.NATUplink opts in to NAT
// egress, which adds the masquerade and per-bridge reply routes; without
// it there is no NAT rule and no route out.
//
// Everything it creates carries the Plane's name prefix; Reconcile makes
// the host match a desired set of subnets, creating what is missing and
// removing every prefixed device or dnsmasq that is not desired, so an
// agent restart converges with nothing left over.
package netplane

import (
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"path/filepath"
	"regexp"
	"sync"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"

	"github.com/ec2lab/ec2lab/pkg/fspath"
	"github.com/ec2lab/ec2lab/pkg/netplane/edge"
)

// VXLANPort is the IANA VXLAN UDP port.
const VXLANPort = 4789

// vxlanOverhead is what VXLAN encapsulation adds to a frame (IPv4 underlay).
const vxlanOverhead = 50

// Config configures a Plane.
type Config struct {
	// Prefix starts every device name this Plane owns: 1-5 lowercase
	// letters or digits, distinct per agent on one host. Default "ec2".
	Prefix string
	// StateDir holds dnsmasq's pid, lease, hosts and log files.
	// Default /run/ec2lab/netplane/<prefix>.
	StateDir string
	// VTEP is this host's VXLAN endpoint address; required when a subnet
	// has a VNI.
	VTEP netip.Addr
	// UnderlayMTU is the MTU of the VTEP's network (default 1500); guests on
	// VXLAN subnets are told UnderlayMTU-50 by DHCP.
	UnderlayMTU int
	// NetNS, when set, is the named network namespace (ip netns) the Plane
	// works in; tests use it to pose as separate hosts.
	NetNS string
	// MetadataAddr, when valid (IPv4), is added as a /32 to every subnet
	// bridge besides the gateway, so guests reach a host service there
	// (the instance metadata service, 169.254.169.254) through their
	// default gateway. Unset, a bridge has only its gateway address.
	MetadataAddr netip.Addr
	// DNSAddr, when valid (IPv4), is added as a /32 to the bridge of every
	// subnet with a DNS server (Subnet.DNS), besides the server's own
	// address: the Amazon DNS server's 169.254.169.253, answered by a host
	// service as the metadata address is.
	DNSAddr netip.Addr
	// NATUplink, when set, opts this host in to NAT egress: every subnet
	// bridge masquerades its traffic out of this interface (which gets IP
	// forwarding on). Empty, the default, subnets have no way out.
	NATUplink string
	// PublicUplink, when set, is the interface the Elastic IPs of this
	// host's NICs (NIC.PublicIP) are answered on: each gets a /32 address
	// there (labelled <uplink>:<prefix>, so the Plane knows its own) and a
	// 1:1 NAT to its NIC, with the bridge forwarding only that NIC's flows.
	// With NATUplink set too, both must name one interface. Empty, the default:
	// public addresses are ignored and nothing changes on any uplink.
	PublicUplink string
	// Dnsmasq is the dnsmasq binary (default "dnsmasq" on $PATH).
	Dnsmasq string
	// DnsmasqUser is the account dnsmasq drops to: it alone (and root)
	// reads the hosts file, which is private to it. Default "dnsmasq"
	// (Debian's dnsmasq-base makes it), else "nobody" (then the hosts file
	// is readable by nobody, and New logs so).
	DnsmasqUser string
	Logger      *slog.Logger
}

// Subnet is one subnet this host must serve.
type Subnet struct {
	ID   string
	CIDR netip.Prefix
	// VNI > 0 joins the subnet's bridge to a VXLAN segment.
	VNI uint32
	// Peers are the VTEPs of the other hosts with NICs in this subnet;
	// broadcast, unknown-unicast and multicast frames go to all of them.
	Peers []netip.Addr
	// NICs are all the subnet's NICs, on this host and elsewhere: every
	// host's dnsmasq knows every lease so they answer alike.
	NICs []NIC
	// DNS, when set, is the subnet's VPC's DNS server.
	DNS *DNS
	// ACL, when set, is the subnet's network ACL, enforced on its flows
	// routed through the host (NAT egress, Elastic IPs); nil allows all.
	ACL *ACL
	// NATGateway, when valid, is the public address of the NAT gateway
	// this host runs for the subnet (it routes 0.0.0.0/0 to the gateway):
	// with Config.PublicUplink set, the address is answered there and the
	// subnet's local guests' new flows out of it leave as that address.
	// Without a public uplink it is ignored, as Elastic IPs are.
	NATGateway netip.Addr
}

// ACL and ACLRule are a subnet's network ACL as the edge table enforces
// it (package edge).
type (
	ACL     = edge.ACL
	ACLRule = edge.ACLRule
)

// DNS is the DNS server of a subnet's VPC. The Plane only gives the bridge
// its addresses (Server and Config.DNSAddr, reachable from the bridge's
// guests) and tells DHCP clients about it; a host service answers there.
type DNS struct {
	// Server is the VPC's base address + 2.
	Server netip.Addr
	// Domain is handed out by DHCP as the domain name (the suffix of the
	// instances' private DNS names).
	Domain string
	// Support is the VPC's enableDnsSupport: DHCP names Server as the
	// guests' resolver only while it is on.
	Support bool
	// DHCP, when set, is the VPC's DHCP option set: DHCP hands out its
	// options instead of Domain and Server.
	DHCP *DHCPOptions
}

// DHCPOptions are a VPC's DHCP option set as DHCP hands it out (empty
// fields: the option is not sent).
type DHCPOptions struct {
	DomainName                             string
	DNSServers, NTPServers, NetBIOSServers []netip.Addr
	NetBIOSNodeType                        int
}

// NIC is one instance network interface.
type NIC struct {
	InstanceID  string
	DeviceIndex int
	MAC         net.HardwareAddr
	IP          netip.Addr
	// Hostname is handed out by DHCP (default ip-a-b-c-d).
	Hostname string
	// Host is the VTEP of the host the NIC lives on; zero (or this host's
	// VTEP) for a local NIC.
	Host netip.Addr
	// PublicIP, when valid, is the NIC's Elastic IP: a local NIC's is
	// answered on Config.PublicUplink (when set) and NATed 1:1 to IP.
	PublicIP netip.Addr
}

// Plane drives one host's (or network namespace's) data plane.
type Plane struct {
	cfg     Config
	log     *slog.Logger
	mu      sync.Mutex
	nl      *netlink.Handle
	ns      netns.NsHandle
	ownedRE *regexp.Regexp
	edge    *edge.Edge
	// dnsmasqUID and dnsmasqGID own the hosts files (DnsmasqUser's).
	dnsmasqUID, dnsmasqGID int
}

var prefixRE = regexp.MustCompile(`^[a-z0-9]{1,5}$`)

// New checks cfg, fills defaults and opens a netlink handle in the Plane's
// namespace.
func New(cfg Config) (*Plane, error) {
	if cfg.Prefix == "" {
		cfg.Prefix = "ec2"
	}
	if !prefixRE.MatchString(cfg.Prefix) {
		return nil, fmt.Errorf("netplane prefix %q: want 1-5 lowercase letters or digits", cfg.Prefix)
	}
	if cfg.MetadataAddr.IsValid() && !cfg.MetadataAddr.Is4() {
		return nil, fmt.Errorf("netplane metadata address %s: want IPv4", cfg.MetadataAddr)
	}
	if cfg.DNSAddr.IsValid() && !cfg.DNSAddr.Is4() {
		return nil, fmt.Errorf("netplane DNS address %s: want IPv4", cfg.DNSAddr)
	}
	if err := checkUplinks(cfg); err != nil {
		return nil, err
	}
	if cfg.StateDir == "" {
		cfg.StateDir = filepath.Join("/run/ec2lab/netplane", cfg.Prefix)
	}
	// dnsmasq changes directory before it writes its pid file.
	if err := fspath.RequireAbs("netplane state dir", cfg.StateDir); err != nil {
		return nil, err
	}
	if cfg.UnderlayMTU == 0 {
		cfg.UnderlayMTU = 1500
	}
	if cfg.Dnsmasq == "" {
		cfg.Dnsmasq = "dnsmasq"
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	p := &Plane{cfg: cfg, log: cfg.Logger.With("netplane", cfg.Prefix), ns: -1,
		ownedRE: regexp.MustCompile(`^` + cfg.Prefix + `([btv])([0-9a-f]{` + fmt.Sprint(hashLen) + `})$`)}
	if err := p.resolveDnsmasqUser(); err != nil {
		return nil, err
	}
	if err := p.open(); err != nil {
		return nil, err
	}
	e, err := edge.New(edge.Config{TableName: p.EdgeTable(), NetNS: cfg.NetNS, MetadataAddr: cfg.MetadataAddr, Uplink: p.uplink()})
	if err != nil {
		p.Close()
		return nil, err
	}
	p.edge = e
	return p, nil
}

// checkUplinks accepts one uplink for NAT egress and Elastic IPs, named so
// the Plane's address label (<uplink>:<prefix>) fits the kernel's 15 bytes.
func checkUplinks(cfg Config) error {
	if cfg.NATUplink != "" && cfg.PublicUplink != "" && cfg.NATUplink != cfg.PublicUplink {
		return fmt.Errorf("netplane: NAT uplink %q and public uplink %q: want one interface", cfg.NATUplink, cfg.PublicUplink)
	}
	if l := len(cfg.PublicUplink) + 1 + len(cfg.Prefix); cfg.PublicUplink != "" && l > 15 {
		return fmt.Errorf("netplane: public uplink %q: its address label %s:%s is over 15 bytes", cfg.PublicUplink, cfg.PublicUplink, cfg.Prefix)
	}
	return nil
}

// uplink is the interface of NAT egress and Elastic IPs ("": none).
func (p *Plane) uplink() string {
	if p.cfg.NATUplink != "" {
		return p.cfg.NATUplink
	}
	return p.cfg.PublicUplink
}

// EdgeTable names the Plane's inet table of zone, isolation and NAT rules.
func (p *Plane) EdgeTable() string { return "ec2lab_" + p.cfg.Prefix + "_edge" }

func (p *Plane) open() error {
	if p.cfg.NetNS == "" {
		h, err := netlink.NewHandle()
		if err != nil {
			return fmt.Errorf("netlink handle: %w", err)
		}
		p.nl = h
		return nil
	}
	ns, err := netns.GetFromName(p.cfg.NetNS)
	if err != nil {
		return fmt.Errorf("netns %s: %w", p.cfg.NetNS, err)
	}
	h, err := netlink.NewHandleAt(ns)
	if err != nil {
		ns.Close()
		return fmt.Errorf("netlink handle in %s: %w", p.cfg.NetNS, err)
	}
	p.nl, p.ns = h, ns
	return nil
}

// Close releases the netlink handle; what the Plane created stays.
func (p *Plane) Close() error {
	p.nl.Close()
	if p.edge != nil {
		p.edge.Close()
	}
	if p.ns >= 0 {
		return p.ns.Close()
	}
	return nil
}

// Config returns the Plane's configuration with defaults filled in.
func (p *Plane) Config() Config { return p.cfg }
