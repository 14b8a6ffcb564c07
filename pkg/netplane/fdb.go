package netplane

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sort"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"
)

// fdbEntry is one static forwarding entry of a VXLAN device: frames to MAC
// go to the VTEP Dst (the all-zero MAC: broadcast/unknown/multicast, one
// entry per peer, head-end replication).
type fdbEntry struct {
	MAC string
	Dst netip.Addr
}

var zeroMAC = net.HardwareAddr{0, 0, 0, 0, 0, 0}

// wantFDB is the static FDB a subnet needs on this host.
func (p *Plane) wantFDB(s Subnet) map[fdbEntry]bool {
	want := map[fdbEntry]bool{}
	for _, peer := range s.Peers {
		if peer != p.cfg.VTEP {
			want[fdbEntry{zeroMAC.String(), peer}] = true
		}
	}
	for _, nic := range s.NICs {
		if !p.local(nic) {
			want[fdbEntry{nic.MAC.String(), nic.Host}] = true
		}
	}
	return want
}

// syncFDB makes vx's static (self, with a destination) FDB entries exactly
// want, leaving the bridge's learned entries alone.
func (p *Plane) syncFDB(vx netlink.Link, want map[fdbEntry]bool) error {
	have, err := p.listFDB(vx)
	if err != nil {
		return err
	}
	var errs []error
	for e := range have {
		if !want[e] {
			if err := p.nl.NeighDel(fdbNeigh(vx, e)); err != nil {
				errs = append(errs, fmt.Errorf("remove fdb %s → %s: %w", e.MAC, e.Dst, err))
			}
		}
	}
	for _, e := range sortedFDB(want) {
		if !have[e] {
			if err := p.nl.NeighAppend(fdbNeigh(vx, e)); err != nil {
				errs = append(errs, fmt.Errorf("add fdb %s → %s: %w", e.MAC, e.Dst, err))
			}
		}
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("fdb of %s: %w", vx.Attrs().Name, err)
	}
	return nil
}

// listFDB returns vx's entries that carry a remote destination.
func (p *Plane) listFDB(vx netlink.Link) (map[fdbEntry]bool, error) {
	neighs, err := p.nl.NeighList(vx.Attrs().Index, unix.AF_BRIDGE)
	if err != nil {
		return nil, fmt.Errorf("list fdb of %s: %w", vx.Attrs().Name, err)
	}
	have := map[fdbEntry]bool{}
	for _, n := range neighs {
		dst, ok := netip.AddrFromSlice(n.IP)
		if !ok || n.LinkIndex != vx.Attrs().Index {
			continue
		}
		have[fdbEntry{n.HardwareAddr.String(), dst.Unmap()}] = true
	}
	return have, nil
}

func fdbNeigh(vx netlink.Link, e fdbEntry) *netlink.Neigh {
	mac, _ := net.ParseMAC(e.MAC)
	return &netlink.Neigh{
		LinkIndex: vx.Attrs().Index, Family: unix.AF_BRIDGE,
		State: netlink.NUD_PERMANENT | netlink.NUD_NOARP, Flags: netlink.NTF_SELF,
		IP: e.Dst.AsSlice(), HardwareAddr: mac,
	}
}

func sortedFDB(m map[fdbEntry]bool) []fdbEntry {
	out := make([]fdbEntry, 0, len(m))
	for e := range m {
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].MAC != out[j].MAC {
			return out[i].MAC < out[j].MAC
		}
		return out[i].Dst.Less(out[j].Dst)
	})
	return out
}
