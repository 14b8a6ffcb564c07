package controller

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"
)

// ElasticIPPool is the region's pool of Elastic IP addresses (the config's
// elastic_ip_pool): disjoint ranges of IPv4 addresses, in ascending order.
// The zero pool is empty.
type ElasticIPPool struct {
	ranges []ipRange
}

// ipRange is the addresses first..last, both included.
type ipRange struct{ first, last netip.Addr }

// ParseElasticIPPool reads the config's pool entries: an IPv4 CIDR
// (a.b.c.d/n; larger than a /31 its network and broadcast addresses are
// left out) or a range a.b.c.d-a.b.c.e. Overlapping entries are an error.
func ParseElasticIPPool(specs []string) (ElasticIPPool, error) {
	var p ElasticIPPool
	for _, spec := range specs {
		r, err := parseIPRange(strings.TrimSpace(spec))
		if err != nil {
			return ElasticIPPool{}, fmt.Errorf("elastic_ip_pool %q: %w", spec, err)
		}
		p.ranges = append(p.ranges, r)
	}
	slices.SortFunc(p.ranges, func(a, b ipRange) int { return a.first.Compare(b.first) })
	for i := 1; i < len(p.ranges); i++ {
		if prev := p.ranges[i-1]; !prev.last.Less(p.ranges[i].first) {
			return ElasticIPPool{}, fmt.Errorf("elastic_ip_pool: %s-%s overlaps %s-%s",
				prev.first, prev.last, p.ranges[i].first, p.ranges[i].last)
		}
	}
	return p, nil
}

func parseIPRange(spec string) (ipRange, error) {
	if first, last, ok := strings.Cut(spec, "-"); ok {
		a, errA := netip.ParseAddr(first)
		b, errB := netip.ParseAddr(last)
		switch {
		case errA != nil || errB != nil || !a.Is4() || !b.Is4():
			return ipRange{}, fmt.Errorf("want an IPv4 range a.b.c.d-a.b.c.e")
		case b.Less(a):
			return ipRange{}, fmt.Errorf("range ends before it starts")
		}
		return ipRange{a, b}, nil
	}
	pfx, err := netip.ParsePrefix(spec)
	if err != nil || !pfx.Addr().Is4() {
		return ipRange{}, fmt.Errorf("want an IPv4 CIDR a.b.c.d/n or a range a.b.c.d-a.b.c.e")
	}
	if pfx.Masked() != pfx {
		return ipRange{}, fmt.Errorf("CIDR has host bits set (network is %s)", pfx.Masked())
	}
	first, last := pfx.Addr(), lastOf(pfx)
	if pfx.Bits() < 31 {
		first, last = first.Next(), last.Prev()
	}
	return ipRange{first, last}, nil
}

// lastOf is the highest address of an IPv4 prefix.
func lastOf(p netip.Prefix) netip.Addr {
	b := p.Addr().As4()
	for i := p.Bits(); i < 32; i++ {
		b[i/8] |= 0x80 >> (i % 8)
	}
	return netip.AddrFrom4(b)
}

// Empty reports whether the pool has no address.
func (p ElasticIPPool) Empty() bool { return len(p.ranges) == 0 }

// Contains reports whether a is one of the pool's addresses.
func (p ElasticIPPool) Contains(a netip.Addr) bool {
	for _, r := range p.ranges {
		if !a.Less(r.first) && !r.last.Less(a) {
			return true
		}
	}
	return false
}

// lowestFree is the lowest pool address not in taken; false when every
// address is taken.
func (p ElasticIPPool) lowestFree(taken map[netip.Addr]bool) (netip.Addr, bool) {
	for _, r := range p.ranges {
		for a := r.first; a.IsValid() && !r.last.Less(a); a = a.Next() {
			if !taken[a] {
				return a, true
			}
		}
	}
	return netip.Addr{}, false
}
