package network

import (
	"net/netip"
)

// Gateway is the subnet's router address (network + 1), which the host data
// plane puts on the subnet's bridge.
func Gateway(p netip.Prefix) netip.Addr { return nth(p, 1) }

// DNSServer is the Amazon-provided DNS address of the subnet (network + 2).
func DNSServer(p netip.Prefix) netip.Addr { return nth(p, 2) }

// Broadcast is the last address of p.
func Broadcast(p netip.Prefix) netip.Addr { return nth(p, size(p)-1) }

// FirstUsable is the lowest address an instance can get (network + 4).
func FirstUsable(p netip.Prefix) netip.Addr { return nth(p, reservedAtStart) }

// LastUsable is the highest address an instance can get (broadcast - 1).
func LastUsable(p netip.Prefix) netip.Addr { return nth(p, size(p)-1-reservedEnd) }

// Reserved reports whether EC2 keeps addr for itself in p: the first four
// addresses (network, router, DNS, future use) and the last (broadcast).
func Reserved(p netip.Prefix, addr netip.Addr) bool {
	i, ok := index(p, addr)
	return ok && (i < reservedAtStart || i >= size(p)-reservedEnd)
}

// Usable is the number of addresses instances can get in p.
func Usable(p netip.Prefix) int { return size(p) - reservedAtStart - reservedEnd }

// Netmask is p's mask in dotted form (255.255.255.0).
func Netmask(p netip.Prefix) netip.Addr {
	m := ^uint32(0) << (32 - p.Bits())
	return netip.AddrFrom4([4]byte{byte(m >> 24), byte(m >> 16), byte(m >> 8), byte(m)})
}

func size(p netip.Prefix) int { return 1 << (32 - p.Bits()) }

func toUint(a netip.Addr) uint32 {
	b := a.As4()
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func fromUint(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// nth is the i-th address of p (0 = network).
func nth(p netip.Prefix, i int) netip.Addr {
	return fromUint(toUint(p.Masked().Addr()) + uint32(i))
}

// index is addr's offset in p.
func index(p netip.Prefix, addr netip.Addr) (int, bool) {
	if !addr.Is4() || !p.Contains(addr) {
		return 0, false
	}
	return int(toUint(addr) - toUint(p.Masked().Addr())), true
}
