package netplane

import (
	"context"
	"fmt"
	"net"

	"github.com/vishvananda/netlink"
	"github.com/vishvananda/netns"
)

// AdoptTap makes tap a port of bridge in the Plane's namespace. A Plane
// with a NetNS cannot have libvirt put its guests' taps on its bridges
// (libvirt looks bridges up in its own namespace), so guests get
// interface type='ethernet' taps in the agent's namespace and the agent
// adopts each after the domain starts: the tap moves into the Plane's
// namespace, takes the bridge's MTU, joins it and comes up. A tap already
// adopted (found in the Plane's namespace on the bridge, up) is left as it
// is; a tap in neither namespace is an error.
func (p *Plane) AdoptTap(ctx context.Context, tap, bridge string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := ctx.Err(); err != nil {
		return err
	}
	br, err := p.nl.LinkByName(bridge)
	if err != nil {
		return fmt.Errorf("adopt tap %s: bridge %s: %w", tap, bridge, err)
	}
	link, err := p.nl.LinkByName(tap)
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("adopt tap %s: %w", tap, err)
	}
	if link == nil {
		if link, err = p.moveIn(tap); err != nil {
			return fmt.Errorf("adopt tap %s: %w", tap, err)
		}
		p.log.Info("tap moved into the plane's namespace", "tap", tap, "netns", p.cfg.NetNS)
	}
	return p.enslave(link, br)
}

// moveIn moves tap from the agent's own namespace into the Plane's.
func (p *Plane) moveIn(tap string) (netlink.Link, error) {
	if p.cfg.NetNS == "" {
		return nil, fmt.Errorf("no such device")
	}
	root, err := rootHandle()
	if err != nil {
		return nil, err
	}
	defer root.Close()
	link, err := root.LinkByName(tap)
	if err != nil {
		return nil, fmt.Errorf("in the agent's namespace: %w", err)
	}
	if err := root.LinkSetNsFd(link, int(p.ns)); err != nil {
		return nil, fmt.Errorf("move into %s: %w", p.cfg.NetNS, err)
	}
	return p.nl.LinkByName(tap)
}

// ownNS is the namespace the process started in, opened while package
// initialisation runs on the main thread: later, a thread left in another
// namespace (inNetNS) may be the one /proc/self names.
var ownNS, ownNSErr = netns.Get()

// rootHandle is a netlink handle in the process's own namespace, whatever
// namespace the calling thread is in.
func rootHandle() (*netlink.Handle, error) {
	if ownNSErr != nil {
		return nil, fmt.Errorf("own netns: %w", ownNSErr)
	}
	h, err := netlink.NewHandleAt(ownNS)
	if err != nil {
		return nil, fmt.Errorf("netlink handle: %w", err)
	}
	return h, nil
}

// enslave gives link br's MTU, makes it br's port and brings it up, each
// step only when needed.
func (p *Plane) enslave(link, br netlink.Link) error {
	name := link.Attrs().Name
	if mtu := br.Attrs().MTU; link.Attrs().MTU != mtu && link.Attrs().MasterIndex != br.Attrs().Index {
		if err := p.nl.LinkSetMTU(link, mtu); err != nil {
			return fmt.Errorf("adopt tap %s: mtu %d: %w", name, mtu, err)
		}
	}
	if link.Attrs().MasterIndex != br.Attrs().Index {
		if err := p.nl.LinkSetMaster(link, br); err != nil {
			return fmt.Errorf("adopt tap %s: attach to %s: %w", name, br.Attrs().Name, err)
		}
	}
	if link.Attrs().Flags&net.FlagUp == 0 {
		if err := p.nl.LinkSetUp(link); err != nil {
			return fmt.Errorf("adopt tap %s: up: %w", name, err)
		}
	}
	return nil
}
