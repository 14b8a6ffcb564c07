package network

import (
	"maps"
	"math/bits"
	"net/netip"
)

// AddrBits is a sparse bitmap of IPv4 addresses: a set whose lowest free
// address in a range is found a 64-address word at a time, so a subnet's
// next free address costs at most one lookup per 64 addresses however many
// are taken. The zero value is empty and ready to use; it is not safe for
// concurrent use.
type AddrBits struct {
	words map[uint32]uint64 // address>>6 → bit (address&63) set when taken
	dups  map[uint32]int    // extra holders of an address (a record conflict)
	n     int
}

func addrWord(a netip.Addr) (uint32, uint64) {
	b := a.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	return v >> 6, 1 << (v & 63)
}

func addrOf(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}

// Add takes a (an IPv4 address); taking a taken address counts a second
// holder, which Remove must release too before a is free again.
func (s *AddrBits) Add(a netip.Addr) {
	if !a.Is4() {
		return
	}
	w, bit := addrWord(a)
	if s.words == nil {
		s.words = map[uint32]uint64{}
	}
	if s.words[w]&bit != 0 {
		if s.dups == nil {
			s.dups = map[uint32]int{}
		}
		s.dups[w<<6|uint32(bits.TrailingZeros64(bit))]++
		return
	}
	s.words[w] |= bit
	s.n++
}

// Remove releases one holder of a.
func (s *AddrBits) Remove(a netip.Addr) {
	if !s.Has(a) {
		return
	}
	w, bit := addrWord(a)
	v := w<<6 | uint32(bits.TrailingZeros64(bit))
	if s.dups[v] > 0 {
		s.dups[v]--
		if s.dups[v] == 0 {
			delete(s.dups, v)
		}
		return
	}
	if s.words[w] &^= bit; s.words[w] == 0 {
		delete(s.words, w)
	}
	s.n--
}

// Has reports whether a is taken (nil: nothing is).
func (s *AddrBits) Has(a netip.Addr) bool {
	if s == nil || !a.Is4() {
		return false
	}
	w, bit := addrWord(a)
	return s.words[w]&bit != 0
}

// Len is the number of distinct addresses taken.
func (s *AddrBits) Len() int {
	if s == nil {
		return 0
	}
	return s.n
}

// Clone returns an independent copy.
func (s *AddrBits) Clone() *AddrBits {
	return &AddrBits{words: maps.Clone(s.words), dups: maps.Clone(s.dups), n: s.n}
}

// FirstFree returns the lowest address in [lo, hi] taken neither in s nor
// in also (nil: none), false when there is none.
func (s *AddrBits) FirstFree(lo, hi netip.Addr, also *AddrBits) (netip.Addr, bool) {
	if !lo.Is4() || !hi.Is4() || lo.Compare(hi) > 0 {
		return netip.Addr{}, false
	}
	lw, _ := addrWord(lo)
	hw, _ := addrWord(hi)
	first, last := lo.As4(), hi.As4()
	from := uint32(first[0])<<24 | uint32(first[1])<<16 | uint32(first[2])<<8 | uint32(first[3])
	to := uint32(last[0])<<24 | uint32(last[1])<<16 | uint32(last[2])<<8 | uint32(last[3])
	for w := lw; ; w++ {
		taken := s.word(w) | also.word(w)
		if w == lw {
			taken |= 1<<(from&63) - 1 // below lo
		}
		if w == hw && to&63 != 63 {
			taken |= ^uint64(0) << (to&63 + 1) // above hi
		}
		if taken != ^uint64(0) {
			return addrOf(w<<6 | uint32(bits.TrailingZeros64(^taken))), true
		}
		if w == hw {
			return netip.Addr{}, false
		}
	}
}

func (s *AddrBits) word(w uint32) uint64 {
	if s == nil {
		return 0
	}
	return s.words[w]
}
