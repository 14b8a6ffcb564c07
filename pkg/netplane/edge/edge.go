// Package edge owns the nftables rules at the layer-3 border of an ec2lab
// data plane's subnet bridges: one inet table per Plane (Config.TableName),
// rebuilt atomically by every Reconcile.
//
// Per bridge it
//   - puts everything the bridge carries in the bridge's own conntrack
//     zone (raw prerouting for frames entering it, raw output for what the
//     host sends into it), so two VPCs that reuse addresses never share a
//     connection: identical 5-tuples on two bridges are two flows;
//   - gives packets sent to the bridge's gateway MAC the bridge's Mark, so
//     the host's answers (with fwmark_reflect) and policy routing go back
//     out of this bridge, not another one with the same CIDR;
//   - lets guests reach only the host services of their own bridge (its
//     gateway, the metadata address, its Services such as the VPC's DNS
//     server, DHCP broadcasts) and nothing else of the host;
//   - drops every routed packet into or out of the bridge: bridged frames
//     (in and out by the same bridge) are left to the security groups
//     (package firewall), and subnets never reach each other or the world
//     through the host.
//
// Elastic IPs are 1:1 NATs (Bridge.OneToOne): a public address on
// Config.Uplink is DNATed to its guest and the guest's flows out of the
// uplink SNATed to it; only those guests' flows are routed, and the host
// drops what reaches a public address un-NATed. A subnet's network ACL
// (Bridge.ACL) is enforced statelessly on every routed packet of its
// bridge, each direction in rule-number order.
//
// NAT egress is opt-in per bridge (Bridge.NAT, off by default): the
// bridge's new flows out of Config.Uplink get its Mark as conntrack mark
// and are masqueraded; their replies get it back as packet mark, so the
// Plane's policy routing returns them to the right bridge. Routed flows
// keep the default conntrack zone (their replies arrive on the shared
// uplink, which knows no zone; google/nftables cannot encode the
// direction of a "ct original zone set"); a routed flow whose tuple
// another bridge already holds is dropped, never crossed. Without a NAT
// bridge the table has no nat chain and no masquerade rule at all.
//
// A NAT gateway (Bridge.NATGateway) is NAT egress to one public address
// instead of the uplink's own: the bridge's new flows leave SNATed to it,
// and the host drops whatever reaches the address that is not a reply.
package edge

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"regexp"
	"slices"
	"sync"

	"github.com/google/nftables"
	"github.com/vishvananda/netns"
)

// Config configures an Edge.
type Config struct {
	// TableName names the inet table, e.g. "ec2lab_<prefix>_edge".
	TableName string
	// NetNS, when set, is the named network namespace (ip netns) holding
	// the bridges; tests use it to pose as a host.
	NetNS string
	// MetadataAddr, when valid, is a host address guests may reach on
	// every bridge besides its gateway (the metadata service).
	MetadataAddr netip.Addr
	// Uplink is the interface NAT bridges masquerade out of; required when
	// any bridge has NAT.
	Uplink string
}

// Bridge is one subnet bridge of the data plane.
type Bridge struct {
	Name string
	// Zone is the bridge's conntrack zone (1..65535, unique on the host).
	Zone       uint16
	CIDR       netip.Prefix
	Gateway    netip.Addr
	GatewayMAC net.HardwareAddr
	// NAT masquerades the subnet's traffic out of Config.Uplink.
	NAT bool
	// NATGateway, when valid, is the public address of the NAT gateway the
	// subnet's guests reach the uplink through: their new flows out of
	// Config.Uplink leave as it (source NAT, ahead of NAT), and nothing
	// from the uplink reaches them but those flows' replies.
	NATGateway netip.Addr
	// OneToOne are the Elastic IPs of the bridge's guests on this host:
	// each Public address, answered on Config.Uplink, is its Private
	// address's both ways (1:1 NAT).
	OneToOne []OneToOne
	// ACL, when set, is the subnet's network ACL, enforced on the
	// bridge's routed flows (NAT, 1:1 NAT); nil allows them all.
	ACL *ACL
	// Services are more host addresses of this bridge that its guests may
	// reach (the VPC's DNS server addresses).
	Services []netip.Addr
}

// OneToOne is one 1:1 NAT: packets from the uplink to Public go to Private
// on the bridge, and Private's flows out of the uplink leave as Public.
type OneToOne struct {
	Private, Public netip.Addr
}

// routes tells whether any of the bridge's packets are routed through the
// uplink (NAT egress, a NAT gateway or a 1:1 NAT).
func (b Bridge) routes() bool { return b.egress() || len(b.OneToOne) > 0 }

// egress tells whether all of the bridge's guests' new flows may leave by
// the uplink (NAT egress or a NAT gateway), not only those of its 1:1 NATs.
func (b Bridge) egress() bool { return b.NAT || b.NATGateway.IsValid() }

// Mark is the packet mark, NAT conntrack mark and routing table of the
// bridge in zone: 0x0ec0 in the high half, the zone in the low. The Plane
// routes packets with this mark by the table, which holds only the
// bridge's subnet.
func Mark(zone uint16) uint32 { return 0x0ec0<<16 | uint32(zone) }

// Edge enforces the border rules on one host (or namespace).
type Edge struct {
	cfg Config
	ns  netns.NsHandle
	mu  sync.Mutex
}

var tableNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// New checks cfg and opens the namespace; it changes nothing.
func New(cfg Config) (*Edge, error) {
	if !tableNameRE.MatchString(cfg.TableName) {
		return nil, fmt.Errorf("edge: invalid table name %q", cfg.TableName)
	}
	if cfg.Uplink != "" && (len(cfg.Uplink) > 15 || !ifnameRE.MatchString(cfg.Uplink)) {
		return nil, fmt.Errorf("edge: invalid uplink name %q", cfg.Uplink)
	}
	e := &Edge{cfg: cfg, ns: netns.None()}
	if cfg.NetNS != "" {
		ns, err := netns.GetFromName(cfg.NetNS)
		if err != nil {
			return nil, fmt.Errorf("edge: netns %s: %w", cfg.NetNS, err)
		}
		e.ns = ns
	}
	return e, nil
}

var ifnameRE = regexp.MustCompile(`^[A-Za-z0-9_.:@-]+$`)

// conn opens a fresh nftables connection in the Edge's namespace.
func (e *Edge) conn() (*nftables.Conn, error) {
	var opts []nftables.ConnOption
	if e.ns.IsOpen() {
		opts = append(opts, nftables.WithNetNSFd(int(e.ns)))
	}
	c, err := nftables.New(opts...)
	if err != nil {
		return nil, fmt.Errorf("edge: nftables: %w", err)
	}
	return c, nil
}

// Reconcile replaces the table with the rules of bridges in one
// transaction; with no bridges it removes the table.
func (e *Edge) Reconcile(ctx context.Context, bridges []Bridge) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := compile(e.cfg, bridges)
	if err != nil {
		return fmt.Errorf("edge: %w", err)
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.conn()
	if err != nil {
		return err
	}
	if len(bridges) == 0 {
		return e.remove(c)
	}
	p.write(c, e.cfg.TableName)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("edge: apply %s: %w", e.cfg.TableName, err)
	}
	return nil
}

// Present reports whether the table exists.
func (e *Edge) Present() (bool, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	c, err := e.conn()
	if err != nil {
		return false, err
	}
	t, err := e.table(c)
	return t != nil, err
}

func (e *Edge) table(c *nftables.Conn) (*nftables.Table, error) {
	ts, err := c.ListTablesOfFamily(nftables.TableFamilyINet)
	if err != nil {
		return nil, fmt.Errorf("edge: list tables: %w", err)
	}
	for _, t := range ts {
		if t.Name == e.cfg.TableName {
			return t, nil
		}
	}
	return nil, nil
}

func (e *Edge) remove(c *nftables.Conn) error {
	t, err := e.table(c)
	if err != nil || t == nil {
		return err
	}
	c.DelTable(t)
	if err := c.Flush(); err != nil {
		return fmt.Errorf("edge: delete %s: %w", e.cfg.TableName, err)
	}
	return nil
}

// Close releases the namespace handle; the table stays.
func (e *Edge) Close() error {
	if !e.ns.IsOpen() {
		return nil
	}
	err := e.ns.Close()
	e.ns = netns.None()
	return err
}

// validate rejects bridges the rules cannot express.
func validate(cfg Config, bridges []Bridge) error {
	seen := map[string]bool{}
	zones := map[uint16]string{}
	publics := map[netip.Addr]bool{}
	var errs []error
	for _, b := range bridges {
		switch {
		case b.Name == "" || len(b.Name) > 15 || seen[b.Name]:
			errs = append(errs, fmt.Errorf("bridge %q: empty, too long or listed twice", b.Name))
		case zones[b.Zone] != "" && b.Zone != 0:
			errs = append(errs, fmt.Errorf("bridges %s and %s share zone %d", zones[b.Zone], b.Name, b.Zone))
		case !b.CIDR.Addr().Is4() || !b.Gateway.Is4() || len(b.GatewayMAC) != 6:
			errs = append(errs, fmt.Errorf("bridge %s: want an IPv4 CIDR and gateway and a gateway MAC", b.Name))
		case b.routes() && cfg.Uplink == "":
			errs = append(errs, fmt.Errorf("bridge %s: NAT without an uplink", b.Name))
		case b.routes() && b.Zone == 0:
			errs = append(errs, fmt.Errorf("bridge %s: NAT without a conntrack zone", b.Name))
		case slices.ContainsFunc(b.Services, func(a netip.Addr) bool { return !a.Is4() }):
			errs = append(errs, fmt.Errorf("bridge %s: service addresses %v: want IPv4", b.Name, b.Services))
		case b.NATGateway.IsValid() && !b.NATGateway.Is4():
			errs = append(errs, fmt.Errorf("bridge %s: NAT gateway address %s: want IPv4", b.Name, b.NATGateway))
		}
		errs = append(errs, validateOneToOne(b, publics)...)
		errs = append(errs, validateACL(b)...)
		seen[b.Name] = true
		if b.Zone != 0 && zones[b.Zone] == "" {
			zones[b.Zone] = b.Name
		}
	}
	for _, b := range bridges {
		if publics[b.NATGateway] {
			errs = append(errs, fmt.Errorf("bridge %s: NAT gateway address %s is also a 1:1 NAT's", b.Name, b.NATGateway))
		}
	}
	return errors.Join(errs...)
}

// validateOneToOne checks a bridge's 1:1 NATs: IPv4, the private address
// in the bridge's subnet, every public address used once on the host.
func validateOneToOne(b Bridge, publics map[netip.Addr]bool) []error {
	var errs []error
	for _, o := range b.OneToOne {
		switch {
		case !o.Public.Is4() || !o.Private.Is4() || !b.CIDR.Contains(o.Private):
			errs = append(errs, fmt.Errorf("bridge %s: 1:1 NAT %s → %s: want IPv4, the private address in %s", b.Name, o.Public, o.Private, b.CIDR))
		case publics[o.Public]:
			errs = append(errs, fmt.Errorf("bridge %s: public address %s used twice", b.Name, o.Public))
		}
		publics[o.Public] = true
	}
	return errs
}
