package netplane

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"

	"github.com/vishvananda/netlink"
)

// zoneAlias starts the alias (ifalias) of a bridge that records its
// conntrack zone: the zone lives and dies with the bridge, survives agent
// restarts, and every Plane on the host sees which zones are taken.
const zoneAlias = "ec2lab-ct-zone="

// zoneOf reads the zone recorded on link (0 when none).
func zoneOf(link netlink.Link) uint16 {
	s, ok := strings.CutPrefix(link.Attrs().Alias, zoneAlias)
	if !ok {
		return 0
	}
	z, err := strconv.ParseUint(s, 10, 16)
	if err != nil {
		return 0
	}
	return uint16(z)
}

// usedZones maps every zone recorded on a link of the namespace, of any
// Plane, to that link's name.
func (p *Plane) usedZones() (map[uint16]string, error) {
	links, err := p.nl.LinkList()
	if err != nil {
		return nil, fmt.Errorf("list links: %w", err)
	}
	used := map[uint16]string{}
	for _, l := range links {
		if z := zoneOf(l); z != 0 {
			if _, dup := used[z]; !dup {
				used[z] = l.Attrs().Name
			}
		}
	}
	return used, nil
}

// ensureZone returns bridge br's conntrack zone: the one recorded on it
// when no other link holds it, else a free one (first probing from a hash
// of the Plane prefix and subnet, so a subnet tends to keep its zone),
// recorded on the bridge. used is updated.
func (p *Plane) ensureZone(br netlink.Link, subnetID string, used map[uint16]string) (uint16, error) {
	name := br.Attrs().Name
	if z := zoneOf(br); z != 0 && used[z] == name {
		return z, nil
	}
	sum := sha256.Sum256([]byte(p.cfg.Prefix + "/" + subnetID))
	z := uint16(binary.BigEndian.Uint16(sum[:2])%65535 + 1)
	for n := 0; used[z] != ""; n++ {
		if n == 65535 {
			return 0, fmt.Errorf("bridge %s: no free conntrack zone", name)
		}
		if z++; z == 0 {
			z = 1
		}
	}
	if err := p.nl.LinkSetAlias(br, zoneAlias+strconv.Itoa(int(z))); err != nil {
		return 0, fmt.Errorf("record zone of %s: %w", name, err)
	}
	used[z] = name
	p.log.Info("conntrack zone assigned", "bridge", name, "subnet", subnetID, "zone", z)
	return z, nil
}
