package firewall

import (
	"encoding/binary"
	"net"
	"net/netip"

	"github.com/google/nftables"
	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// Expression builders, each loading into register 1 and comparing there.

func cmpEq(data []byte) *expr.Cmp {
	return &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: data}
}

func u16(v int) []byte { return binary.BigEndian.AppendUint16(nil, uint16(v)) }

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// ifname matches the input (in=true) or output interface name.
func ifname(in bool, name string) []expr.Any {
	key := expr.MetaKeyOIFNAME
	if in {
		key = expr.MetaKeyIIFNAME
	}
	return []expr.Any{&expr.Meta{Key: key, Register: 1}, cmpEq([]byte(name + "\x00"))}
}

// namePrefixNot matches an interface name (meta key) that does not start
// with prefix (nft's `iifname != "prefix*"`).
func namePrefixNot(key expr.MetaKey, prefix string) []expr.Any {
	return []expr.Any{&expr.Meta{Key: key, Register: 1},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: []byte(prefix)}}
}

// nfproto matches IPv4 or IPv6 packets.
func nfproto(v6 bool) []expr.Any {
	p := byte(unix.NFPROTO_IPV4)
	if v6 {
		p = unix.NFPROTO_IPV6
	}
	return []expr.Any{&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, cmpEq([]byte{p})}
}

// l4proto matches the transport protocol.
func l4proto(p uint8) []expr.Any {
	return []expr.Any{&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, cmpEq([]byte{p})}
}

// transport loads n bytes at off of the transport header.
func transport(off, n uint32) *expr.Payload {
	return &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: off, Len: n}
}

// ports matches the destination port range lo..hi (tcp, udp).
func ports(lo, hi int) []expr.Any {
	if lo == 0 && hi == 65535 {
		return nil
	}
	return []expr.Any{transport(2, 2), &expr.Range{Op: expr.CmpOpEq, Register: 1, FromData: u16(lo), ToData: u16(hi)}}
}

// icmpTypeCode matches an ICMP type and code, -1 meaning any.
func icmpTypeCode(typ, code int) []expr.Any {
	var es []expr.Any
	if typ >= 0 {
		es = append(es, transport(0, 1), cmpEq([]byte{byte(typ)}))
	}
	if code >= 0 {
		es = append(es, transport(1, 1), cmpEq([]byte{byte(code)}))
	}
	return es
}

// addr loads the source (src=true) or destination address.
func addr(v6, src bool) *expr.Payload {
	off, n := uint32(16), uint32(4)
	switch {
	case v6 && src:
		off, n = 8, 16
	case v6:
		off, n = 24, 16
	case src:
		off = 12
	}
	return &expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: n}
}

// inPrefix matches the loaded address against p.
func inPrefix(v6, src bool, p netip.Prefix) []expr.Any {
	if p.Bits() == 0 {
		return nil
	}
	es := []expr.Any{addr(v6, src)}
	n := len(p.Addr().AsSlice())
	if p.Bits() < n*8 {
		mask := net.CIDRMask(p.Bits(), n*8)
		es = append(es, &expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: uint32(n), Mask: mask, Xor: make([]byte, n)})
	}
	return append(es, cmpEq(p.Addr().AsSlice()))
}

// inSet matches the loaded address against a named set.
func inSet(v6, src bool, set *nftables.Set) []expr.Any {
	return []expr.Any{addr(v6, src), &expr.Lookup{SourceRegister: 1, SetName: set.Name, SetID: set.ID}}
}

// srcNot matches packets whose source address is not a.
func srcNot(a netip.Addr) []expr.Any {
	return []expr.Any{addr(a.Is6(), true), &expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: a.AsSlice()}}
}

// etherSrcNot matches frames whose source MAC is not mac.
func etherSrcNot(mac net.HardwareAddr) []expr.Any {
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseLLHeader, Offset: 6, Len: 6},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: mac},
	}
}

// Ethernet types.
const (
	etherIPv4   = 0x0800
	etherARP    = 0x0806
	ether8021Q  = 0x8100
	ether8021AD = 0x88a8
)

// etherType matches frames of an Ethernet type. nftables reads a VLAN tag
// the kernel moved out of the frame as if it were still in place, so a
// tagged frame is ether8021Q here whatever it carries.
func etherType(etype int) []expr.Any {
	return []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseLLHeader, Offset: 12, Len: 2},
		cmpEq(u16(etype)),
	}
}

// senderIPv4Not matches bridged IPv4 packets (etype etherIPv4) or ARP
// messages (etherARP) whose sender address is neither a nor 0.0.0.0 (a DHCP
// client without a lease, an ARP probe).
func senderIPv4Not(etype int, a netip.Addr) []expr.Any {
	off := uint32(12) // IPv4 source address
	if etype == etherARP {
		off = 14 // ARP sender protocol address (Ethernet/IPv4)
	}
	return append(etherType(etype),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: 4},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: a.AsSlice()},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: []byte{0, 0, 0, 0}},
	)
}

// ctState matches packets whose conntrack state has any of bits.
func ctState(bits uint32) []expr.Any {
	return []expr.Any{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: u32(bits), Xor: u32(0)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: u32(0)},
	}
}

// markIs matches packets with mark&mask == v.
func markIs(mask, v uint32) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: u32(mask), Xor: u32(0)},
		cmpEq(u32(v)),
	}
}

// markSet sets the mark to (mark&mask)^xor.
func markSet(mask, xor uint32) []expr.Any {
	return []expr.Any{
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: u32(mask), Xor: u32(xor)},
		&expr.Meta{Key: expr.MetaKeyMARK, SourceRegister: true, Register: 1},
	}
}

func verdict(k expr.VerdictKind) *expr.Verdict { return &expr.Verdict{Kind: k} }

func jump(chain string) *expr.Verdict { return &expr.Verdict{Kind: expr.VerdictJump, Chain: chain} }
