package edge

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"strings"

	"github.com/google/nftables/expr"
	"golang.org/x/sys/unix"
)

// frag is one piece of a rule: its expressions and how nft would print
// them, so the rule set can be tested (and read) as text.
type frag struct {
	text  string
	exprs []expr.Any
}

// rule is a list of fragments ending in a statement or verdict.
type rule []frag

func (r rule) String() string {
	parts := make([]string, len(r))
	for i, f := range r {
		parts[i] = f.text
	}
	return strings.Join(parts, " ")
}

func (r rule) exprs() []expr.Any {
	var out []expr.Any
	for _, f := range r {
		out = append(out, f.exprs...)
	}
	return out
}

func cmpEq(data []byte) *expr.Cmp { return &expr.Cmp{Op: expr.CmpOpEq, Register: 1, Data: data} }

func u32(v uint32) []byte { return binary.NativeEndian.AppendUint32(nil, v) }

// iif and oif match the input or output interface name.
func iif(name string) frag { return ifname(expr.MetaKeyIIFNAME, "iifname", name) }
func oif(name string) frag { return ifname(expr.MetaKeyOIFNAME, "oifname", name) }

func ifname(key expr.MetaKey, word, name string) frag {
	return frag{fmt.Sprintf("%s %q", word, name),
		[]expr.Any{&expr.Meta{Key: key, Register: 1}, cmpEq([]byte(name + "\x00"))}}
}

// daddr matches IPv4 packets to a.
func daddr(a netip.Addr) frag {
	return frag{"ip daddr " + a.String(), []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, cmpEq([]byte{unix.NFPROTO_IPV4}),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 16, Len: 4}, cmpEq(a.AsSlice()),
	}}
}

// saddr matches IPv4 packets from a.
func saddr(a netip.Addr) frag {
	return frag{"ip saddr " + a.String(), []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, cmpEq([]byte{unix.NFPROTO_IPV4}),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: 12, Len: 4}, cmpEq(a.AsSlice()),
	}}
}

// peerIn matches IPv4 packets from p (or to p, when dst).
func peerIn(p netip.Prefix, dst bool) frag {
	word, off := "ip saddr ", uint32(12)
	if dst {
		word, off = "ip daddr ", 16
	}
	mask := net.CIDRMask(p.Bits(), 32)
	return frag{word + p.Masked().String(), []expr.Any{
		&expr.Meta{Key: expr.MetaKeyNFPROTO, Register: 1}, cmpEq([]byte{unix.NFPROTO_IPV4}),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseNetworkHeader, Offset: off, Len: 4},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: mask, Xor: make([]byte, 4)},
		cmpEq(p.Masked().Addr().AsSlice()),
	}}
}

// l4proto matches the transport protocol.
func l4proto(p uint8) frag {
	return frag{fmt.Sprintf("meta l4proto %d", p), []expr.Any{&expr.Meta{Key: expr.MetaKeyL4PROTO, Register: 1}, cmpEq([]byte{p})}}
}

// dportRange matches a TCP or UDP destination port in lo..hi.
func dportRange(lo, hi int) frag {
	return frag{fmt.Sprintf("th dport %d-%d", lo, hi), []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: 2, Len: 2},
		&expr.Range{Op: expr.CmpOpEq, Register: 1, FromData: binary.BigEndian.AppendUint16(nil, uint16(lo)),
			ToData: binary.BigEndian.AppendUint16(nil, uint16(hi))},
	}}
}

// transportByte matches one byte of the transport header (ICMP type, code).
func transportByte(name string, off uint32, v int) frag {
	return frag{fmt.Sprintf("%s %d", name, v), []expr.Any{
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseTransportHeader, Offset: off, Len: 1}, cmpEq([]byte{byte(v)}),
	}}
}

func jump(chain string) frag {
	return frag{"jump " + chain, []expr.Any{&expr.Verdict{Kind: expr.VerdictJump, Chain: chain}}}
}

func verdictFrag(text string, k expr.VerdictKind) frag {
	return frag{text, []expr.Any{&expr.Verdict{Kind: k}}}
}

// etherDaddr matches frames sent to mac (a bridged packet's link header).
func etherDaddr(mac net.HardwareAddr) frag {
	return frag{"ether daddr " + mac.String(), []expr.Any{
		&expr.Meta{Key: expr.MetaKeyIIFTYPE, Register: 1}, cmpEq(binary.NativeEndian.AppendUint16(nil, unix.ARPHRD_ETHER)),
		&expr.Payload{DestRegister: 1, Base: expr.PayloadBaseLLHeader, Offset: 0, Len: 6}, cmpEq(mac),
	}}
}

// ctZoneSet puts the packet's connection in zone (both directions).
func ctZoneSet(zone uint16) frag {
	return frag{fmt.Sprintf("ct zone set %d", zone), []expr.Any{
		&expr.Immediate{Register: 1, Data: binary.NativeEndian.AppendUint16(nil, zone)},
		&expr.Ct{Key: expr.CtKeyZONE, Register: 1, SourceRegister: true},
	}}
}

// ctStateNew and ctEstablished match the connection's state.
func ctStateNew() frag {
	return ctStateFrag("ct state new", expr.CtStateBitNEW)
}

func ctEstablished() frag {
	return ctStateFrag("ct state established,related", expr.CtStateBitESTABLISHED|expr.CtStateBitRELATED)
}

func ctStateFrag(text string, bits uint32) frag {
	return frag{text, []expr.Any{
		&expr.Ct{Register: 1, Key: expr.CtKeySTATE},
		&expr.Bitwise{SourceRegister: 1, DestRegister: 1, Len: 4, Mask: u32(bits), Xor: u32(0)},
		&expr.Cmp{Op: expr.CmpOpNeq, Register: 1, Data: u32(0)},
	}}
}

// ctMark matches the connection mark m.
func ctMark(m uint32) frag {
	return frag{fmt.Sprintf("ct mark 0x%08x", m), []expr.Any{&expr.Ct{Register: 1, Key: expr.CtKeyMARK}, cmpEq(u32(m))}}
}

// ctMarkSet sets the connection mark.
func ctMarkSet(m uint32) frag {
	return frag{fmt.Sprintf("ct mark set 0x%08x", m), []expr.Any{
		&expr.Immediate{Register: 1, Data: u32(m)},
		&expr.Ct{Key: expr.CtKeyMARK, Register: 1, SourceRegister: true},
	}}
}

// metaMark matches the packet mark m.
func metaMark(m uint32) frag {
	return frag{fmt.Sprintf("meta mark 0x%08x", m), []expr.Any{&expr.Meta{Key: expr.MetaKeyMARK, Register: 1}, cmpEq(u32(m))}}
}

// metaMarkSet sets the packet mark.
func metaMarkSet(m uint32) frag {
	return frag{fmt.Sprintf("meta mark set 0x%08x", m), []expr.Any{
		&expr.Immediate{Register: 1, Data: u32(m)},
		&expr.Meta{Key: expr.MetaKeyMARK, Register: 1, SourceRegister: true},
	}}
}

// dnat and snat rewrite an IPv4 packet's destination or source to a.
func dnat(a netip.Addr) frag { return natTo("dnat ip to ", expr.NATTypeDestNAT, a) }
func snat(a netip.Addr) frag { return natTo("snat ip to ", expr.NATTypeSourceNAT, a) }

func natTo(text string, typ expr.NATType, a netip.Addr) frag {
	return frag{text + a.String(), []expr.Any{
		&expr.Immediate{Register: 1, Data: a.AsSlice()},
		&expr.NAT{Type: typ, Family: unix.NFPROTO_IPV4, RegAddrMin: 1},
	}}
}

func masquerade() frag { return frag{"masquerade", []expr.Any{&expr.Masq{}}} }

func accept() frag { return frag{"accept", []expr.Any{&expr.Verdict{Kind: expr.VerdictAccept}}} }

func drop() frag { return frag{"drop", []expr.Any{&expr.Verdict{Kind: expr.VerdictDrop}}} }
