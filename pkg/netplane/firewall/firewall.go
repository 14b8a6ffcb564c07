// Package firewall owns the host enforcement of security groups: two
// nftables tables named Config.TableName, rebuilt in one netlink
// transaction by every Reconcile, so rule changes reach running instances
// at once.
//
// The bridge-family table marks each bridged frame with the IDs of the
// ports (guest taps) it enters and leaves by and drops frames from a tap
// with a foreign source MAC or IPv4/ARP sender address, or with a VLAN tag,
// whether bridged or bound for the host. The inet-family table does the filtering in
// the forward hook, which sees bridged IP traffic through br_netfilter
// (bridge-nf-call-iptables/ip6tables, enabled by New in its namespace):
// established and related flows pass, invalid ones drop, a flow leaving a
// tap must match one of its groups' egress rules and a flow entering a tap
// one of its groups' ingress rules. The bridge family alone cannot do
// this: it has no conntrack on the kernels ec2lab targets, and the inet
// hook sees only the bridge, not the port, as iif/oif.
//
// Not filtered beyond those sender checks: ARP, IPv6 neighbour discovery,
// and traffic to and from the host itself (the bridge address: DHCP from dnsmasq, the gateway), as
// EC2 exempts DHCP, DNS and metadata from security groups.
package firewall

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"sync"

	"github.com/google/nftables"
	"github.com/vishvananda/netns"
)

// Config configures a Firewall.
type Config struct {
	// TableName names both tables, e.g. "ec2lab_<prefix>"; one per agent.
	TableName string
	// NetNS, when set, is the named network namespace (ip netns) holding
	// the bridges; tests use it to pose as a host.
	NetNS string
	// DevicePrefix starts the names of the bridges this Firewall governs
	// and of their ports (the agent's Plane's prefix). Frames of other
	// devices are left alone: port marks are per Firewall, so two agents
	// on one host, or a stale table, must never read or clear each other's.
	// Empty: every bridge.
	DevicePrefix string
}

// Firewall enforces a Desired state on one host.
type Firewall struct {
	cfg    Config
	ns     netns.NsHandle
	mu     sync.Mutex
	closed bool
	conn   *nftables.Conn // the current operation's; its queue dies with it
}

var tableNameRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,63}$`)

// New enables br_netfilter in the namespace and opens a netlink
// connection to nftables there. It changes no rules until Reconcile.
func New(cfg Config) (*Firewall, error) {
	if !tableNameRE.MatchString(cfg.TableName) {
		return nil, fmt.Errorf("firewall: invalid table name %q", cfg.TableName)
	}
	f := &Firewall{cfg: cfg, ns: netns.None()}
	if cfg.NetNS != "" {
		ns, err := netns.GetFromName(cfg.NetNS)
		if err != nil {
			return nil, fmt.Errorf("firewall: netns %s: %w", cfg.NetNS, err)
		}
		f.ns = ns
	}
	if err := enableBrNetfilter(f.ns); err != nil {
		f.closeNS()
		return nil, fmt.Errorf("firewall: %w", err)
	}
	if err := f.dial(); err != nil {
		f.closeNS()
		return nil, err
	}
	if _, err := f.ours(); err != nil {
		f.closeNS()
		return nil, fmt.Errorf("firewall: %w", err)
	}
	return f, nil
}

// dial starts a fresh connection, so that a batch abandoned half-built by
// an error is never sent by a later operation.
func (f *Firewall) dial() error {
	var opts []nftables.ConnOption
	if f.ns.IsOpen() {
		opts = append(opts, nftables.WithNetNSFd(int(f.ns)))
	}
	conn, err := nftables.New(opts...)
	if err != nil {
		return fmt.Errorf("firewall: nftables: %w", err)
	}
	f.conn = conn
	return nil
}

// Reconcile replaces the tables' content with d in one transaction. With
// no ports it removes the tables.
func (f *Firewall) Reconcile(ctx context.Context, d Desired) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	p, err := compile(d)
	if err != nil {
		return fmt.Errorf("firewall: %w", err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return errors.New("firewall: closed")
	}
	if err := f.dial(); err != nil {
		return err
	}
	if len(p.ports) == 0 {
		return f.removeTables()
	}
	if err := f.apply(p); err != nil {
		return fmt.Errorf("firewall: apply %s: %w", f.cfg.TableName, err)
	}
	return nil
}

// Close removes the tables and closes the connection.
func (f *Firewall) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil
	}
	f.closed = true
	err := f.dial()
	if err == nil {
		err = f.removeTables()
	}
	return errors.Join(err, f.closeNS())
}

func (f *Firewall) closeNS() error {
	if !f.ns.IsOpen() {
		return nil
	}
	err := f.ns.Close()
	f.ns = netns.None()
	return err
}
