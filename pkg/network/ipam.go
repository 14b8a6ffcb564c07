package network

import (
	"maps"
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Pool hands out a subnet's private IPv4 addresses, one per owner (a network
// interface or instance ID), never the same address twice. It is not safe
// for concurrent use; the controller serializes access per subnet. A pool
// made with NewPoolOver starts from the addresses others already hold (a
// snapshot of the controller's index), so nothing per call walks the
// subnet's holders.
type Pool struct {
	cidr    netip.Prefix
	held    *AddrBits // held by others before this pool (read-only)
	taken   AddrBits  // what this pool handed out
	byAddr  map[netip.Addr]string
	byOwner map[string]netip.Addr
}

// NewPool returns an empty pool for a subnet's block.
func NewPool(cidr netip.Prefix) *Pool { return NewPoolOver(cidr, nil) }

// NewPoolOver returns a pool for a subnet's block in which the addresses of
// held are in use (held is not changed; nil: none).
func NewPoolOver(cidr netip.Prefix, held *AddrBits) *Pool {
	return &Pool{cidr: cidr.Masked(), held: held, byAddr: map[netip.Addr]string{}, byOwner: map[string]netip.Addr{}}
}

// Allocate gives owner an address: requested when not empty (the
// PrivateIpAddress of RunInstances), else the lowest free one. An owner
// that already holds an address gets it again when it asks for nothing or
// for that same address.
func (p *Pool) Allocate(owner, requested string) (netip.Addr, error) {
	if requested != "" {
		addr, err := netip.ParseAddr(requested)
		if err != nil || !addr.Is4() {
			return netip.Addr{}, ec2err.New(CodeInvalidParameterValue,
				"Invalid value '%s' for privateIpAddress", requested)
		}
		return addr, p.Assign(owner, addr)
	}
	if held, ok := p.byOwner[owner]; ok {
		return held, nil
	}
	held := p.held
	if held == nil {
		held = &AddrBits{}
	}
	if a, ok := held.FirstFree(FirstUsable(p.cidr), LastUsable(p.cidr), &p.taken); ok {
		p.take(owner, a)
		return a, nil
	}
	return netip.Addr{}, ec2err.New(CodeInsufficientFreeAddrs,
		"Insufficient Free IP Addresses in subnet (%s).", p.cidr)
}

// Assign gives owner exactly addr, checking it as a requested
// PrivateIpAddress: inside the subnet, not reserved, not someone else's.
func (p *Pool) Assign(owner string, addr netip.Addr) error {
	if !p.cidr.Contains(addr) {
		return ec2err.New(CodeInvalidParameterValue,
			"Address %s does not fall within the subnet's address range", addr)
	}
	if Reserved(p.cidr, addr) {
		return ec2err.New(CodeInvalidParameterValue,
			"Address %s is in subnet's reserved address range", addr)
	}
	if holder, used := p.byAddr[addr]; (used && holder != owner) || p.held.Has(addr) {
		return ec2err.New(CodeInvalidIPAddressInUse, "Address %s is in use.", addr)
	}
	if held, ok := p.byOwner[owner]; ok && held != addr {
		return ec2err.New(CodeInvalidParameterValue,
			"%s already has the private address %s", owner, held)
	}
	p.take(owner, addr)
	return nil
}

func (p *Pool) take(owner string, addr netip.Addr) {
	p.byAddr[addr] = owner
	p.byOwner[owner] = addr
	p.taken.Add(addr)
}

// Release frees owner's address, returning it (false when it held none).
func (p *Pool) Release(owner string) (netip.Addr, bool) {
	addr, ok := p.byOwner[owner]
	if ok {
		delete(p.byOwner, owner)
		delete(p.byAddr, addr)
		p.taken.Remove(addr)
	}
	return addr, ok
}

// Lookup returns owner's address.
func (p *Pool) Lookup(owner string) (netip.Addr, bool) {
	addr, ok := p.byOwner[owner]
	return addr, ok
}

// Available is the subnet's AvailableIpAddressCount.
func (p *Pool) Available() int { return Usable(p.cidr) - len(p.byAddr) - p.held.Len() }

// Allocations returns a copy of address → owner of what this pool handed
// out (not the addresses it was made over).
func (p *Pool) Allocations() map[netip.Addr]string { return maps.Clone(p.byAddr) }
