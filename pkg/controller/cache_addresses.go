package controller

import (
	"context"
	"net/netip"

	"github.com/ec2lab/ec2lab/pkg/network"
)

// addrIndex keeps, per subnet, the private addresses instances hold
// (holdsAddress), updated by the record cache as records change, so that
// RunInstances starts its address pools from it instead of walking and
// parsing every instance of the subnet.
type addrIndex struct {
	bySubnet map[string]*network.AddrBits
}

func (x *addrIndex) reset() { x.bySubnet = map[string]*network.AddrBits{} }

// change moves the index from old to cur (either may be nil).
func (x *addrIndex) change(old, cur *Instance) {
	if old != nil && holdsAddress(*old) {
		if a, err := netip.ParseAddr(old.PrivateIP); err == nil && x.bySubnet[old.SubnetID] != nil {
			x.bySubnet[old.SubnetID].Remove(a)
			if x.bySubnet[old.SubnetID].Len() == 0 {
				delete(x.bySubnet, old.SubnetID)
			}
		}
	}
	if cur != nil && holdsAddress(*cur) {
		if a, err := netip.ParseAddr(cur.PrivateIP); err == nil {
			if x.bySubnet[cur.SubnetID] == nil {
				x.bySubnet[cur.SubnetID] = &network.AddrBits{}
			}
			x.bySubnet[cur.SubnetID].Add(a)
		}
	}
}

// subnetAddresses returns a copy of the addresses instances hold in subnet.
func (s *Service) subnetAddresses(ctx context.Context, subnet string) (out *network.AddrBits, err error) {
	err = s.cache.read(ctx, func() {
		if b := s.cache.addrs.bySubnet[subnet]; b != nil {
			out = b.Clone()
		} else {
			out = &network.AddrBits{}
		}
	})
	return out, err
}
