package netplane

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"

	"github.com/vishvananda/netlink"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/netplane/edge"
	"github.com/ec2lab/ec2lab/pkg/network"
)

// Reconcile makes this host serve exactly the desired subnets: bridges
// (with their conntrack zones and sysctls), VXLAN devices and FDB entries,
// tap attachment, dnsmasq processes, the edge table and NAT reply routes
// are created or corrected, and every owned device, process, state file or
// rule not desired is removed. It is idempotent; it keeps going after a
// failing subnet and returns all errors joined.
func (p *Plane) Reconcile(ctx context.Context, desired []Subnet) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := validate(desired); err != nil {
		return err
	}
	if err := prepareStateDir(p.cfg.StateDir); err != nil {
		return err
	}
	running, err := p.runningDnsmasq()
	if err != nil {
		return err
	}
	used, err := p.usedZones()
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	var bridges []edge.Bridge
	routes := map[uint16]bridgeRoute{}
	var errs []error
	for _, s := range desired {
		if err := ctx.Err(); err != nil {
			return err
		}
		b, link, err := p.ensureSubnet(ctx, s, running, used)
		if err != nil {
			errs = append(errs, fmt.Errorf("subnet %s: %w", s.ID, err))
		}
		if link != nil {
			bridges = append(bridges, b)
			if b.Zone != 0 {
				routes[b.Zone] = bridgeRoute{zone: b.Zone, cidr: s.CIDR, link: link}
			}
		}
		p.markKept(s, keep)
	}
	errs = append(errs, p.syncEdge(ctx, bridges, routes, used))
	errs = append(errs, p.removeExtra(ctx, keep, running))
	return errors.Join(errs...)
}

// ensureSubnet realizes one subnet and returns its bridge as the edge
// table sees it (link is nil when the bridge could not be made).
func (p *Plane) ensureSubnet(ctx context.Context, s Subnet, running map[string]process, used map[uint16]string) (edge.Bridge, netlink.Link, error) {
	br, created, err := p.ensureBridge(s)
	if err != nil {
		return edge.Bridge{}, nil, err
	}
	b := edge.Bridge{Name: br.Attrs().Name, CIDR: s.CIDR, Gateway: network.Gateway(s.CIDR), GatewayMAC: gatewayMAC(s.ID),
		NAT: p.cfg.NATUplink != "", NATGateway: p.natGateway(s), Services: p.DNSAddrs(s), OneToOne: p.oneToOne(s), ACL: s.ACL}
	var errs []error
	b.Zone, err = p.ensureZone(br, s.ID, used)
	errs = append(errs, err, p.writeSysctls(bridgeSysctls(b.Name, routesOut(b))))
	vx, err := p.ensureVXLAN(s, br)
	if err != nil {
		return b, br, errors.Join(append(errs, err)...)
	}
	if vx != nil {
		errs = append(errs, p.syncFDB(vx, p.wantFDB(s)))
	}
	errs = append(errs, p.attachTaps(s, br), p.ensureDnsmasq(ctx, s, br.Attrs().Name, running, created))
	return b, br, errors.Join(errs...)
}

// syncEdge applies the edge table and the bridges' return routes, makes
// the host's answers carry the mark of what they answer, and turns
// forwarding on on the uplink when NAT uses it.
func (p *Plane) syncEdge(ctx context.Context, bridges []edge.Bridge, routes map[uint16]bridgeRoute, used map[uint16]string) error {
	var errs []error
	if len(bridges) > 0 {
		errs = append(errs, p.writeSysctls(reflectSysctls))
	}
	routed := slices.ContainsFunc(bridges, routesOut)
	if routed {
		errs = append(errs, p.writeSysctls(uplinkSysctls(p.uplink())))
	}
	// Public addresses leave before the rules guarding them and arrive
	// only once those rules are in: without them the host would answer on
	// an address with its own services.
	public := publicAddrs(bridges)
	errs = append(errs, p.syncPublicAddrs(public, false))
	edgeErr := p.edge.Reconcile(ctx, bridges)
	if edgeErr == nil {
		errs = append(errs, p.syncPublicAddrs(public, true))
	}
	errs = append(errs, edgeErr, p.syncRoutes(routes, used))
	return errors.Join(errs...)
}

// markKept records the owned names subnet s accounts for.
func (p *Plane) markKept(s Subnet, keep map[string]bool) {
	keep[p.BridgeName(s.ID)] = true
	if s.VNI != 0 {
		keep[p.VXLANName(s.ID)] = true
	}
	for _, nic := range s.NICs {
		if p.local(nic) {
			keep[p.TapName(nic.InstanceID, nic.DeviceIndex)] = true
		}
	}
}

// removeExtra stops undesired dnsmasqs, deletes undesired owned links
// (taps and VXLANs before bridges) and their state files.
func (p *Plane) removeExtra(ctx context.Context, keep map[string]bool, running map[string]process) error {
	var errs []error
	for br, proc := range running {
		if !keep[br] {
			if err := stopProcess(ctx, proc.pid); err != nil {
				errs = append(errs, err)
			}
			p.log.Info("dnsmasq stopped", "bridge", br, "pid", proc.pid)
		}
	}
	links, err := p.ownedLinks()
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	for _, l := range links {
		if keep[l.Attrs().Name] {
			continue
		}
		if err := p.nl.LinkDel(l); err != nil && !isNotFound(err) {
			errs = append(errs, fmt.Errorf("remove %s: %w", l.Attrs().Name, err))
			continue
		}
		p.log.Info("link removed", "link", l.Attrs().Name)
	}
	errs = append(errs, p.removeStateFiles(keep))
	if len(keep) == 0 {
		os.Remove(p.cfg.StateDir) // only when empty: nothing left at all
	}
	return errors.Join(errs...)
}

// ownedLinks lists this Plane's links, bridges last.
func (p *Plane) ownedLinks() ([]netlink.Link, error) {
	all, err := p.nl.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	var out []netlink.Link
	for _, l := range all {
		if p.owned(l.Attrs().Name) != 0 {
			out = append(out, l)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		return p.owned(out[i].Attrs().Name) != kindBridge && p.owned(out[j].Attrs().Name) == kindBridge
	})
	return out, nil
}

func (p *Plane) removeStateFiles(keep map[string]bool) error {
	entries, err := readDirIfExists(p.cfg.StateDir)
	if err != nil {
		return fmt.Errorf("read state dir: %w", err)
	}
	var errs []error
	for _, e := range entries {
		br, _, _ := strings.Cut(e.Name(), ".")
		if p.owned(br) == kindBridge && !keep[br] {
			if err := os.Remove(filepath.Join(p.cfg.StateDir, e.Name())); err != nil {
				errs = append(errs, err)
			}
		}
	}
	return errors.Join(errs...)
}

// prepareStateDir creates dir (fsmode.Dir) and checks that dnsmasq, which
// drops to its own account, can reach it: otherwise it would silently
// serve no leases.
func prepareStateDir(dir string) error {
	if err := fsmode.MkdirAll(dir, fsmode.Dir); err != nil {
		return fmt.Errorf("state dir: %w", err)
	}
	for d := dir; d != "/" && d != "."; d = filepath.Dir(d) {
		fi, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("state dir: %w", err)
		}
		if fi.Mode().Perm()&0o001 == 0 {
			return fmt.Errorf("state dir %s: %s is not searchable by others (dnsmasq drops root)", dir, d)
		}
	}
	return nil
}

// validate rejects a desired set the data plane cannot realize.
func validate(desired []Subnet) error {
	seen := map[string]bool{}
	for _, s := range desired {
		if s.ID == "" || seen[s.ID] {
			return fmt.Errorf("desired subnets: empty or duplicate ID %q", s.ID)
		}
		seen[s.ID] = true
		if !s.CIDR.IsValid() || !s.CIDR.Addr().Is4() || s.CIDR.Bits() > 30 {
			return fmt.Errorf("subnet %s: bad CIDR %s", s.ID, s.CIDR)
		}
		for _, nic := range s.NICs {
			if len(nic.MAC) != 6 || !s.CIDR.Contains(nic.IP) {
				return fmt.Errorf("subnet %s: NIC of %s has MAC %s, IP %s", s.ID, nic.InstanceID, nic.MAC, nic.IP)
			}
		}
		if d := s.DNS; d != nil && (!d.Server.Is4() || !validDomain(d.Domain)) {
			return fmt.Errorf("subnet %s: DNS server %s, domain %q", s.ID, d.Server, d.Domain)
		}
	}
	return nil
}

// domainRE is a DNS domain dnsmasq may hand out: dot-separated labels of
// letters, digits and hyphens (nothing that could break its options).
var domainRE = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$`)

func validDomain(d string) bool { return len(d) <= 253 && domainRE.MatchString(d) }

func readDirIfExists(dir string) ([]os.DirEntry, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil
	}
	return entries, err
}
