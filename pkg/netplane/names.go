package netplane

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/network"
)

// hashLen is how many hex digits of a hash name a device: with a prefix of
// at most 5 and one kind letter, names stay within IFNAMSIZ-1 (15).
const hashLen = 9

// Device kinds, the letter after the prefix.
const (
	kindBridge = 'b'
	kindTap    = 't'
	kindVXLAN  = 'v'
)

func (p *Plane) name(kind byte, seed string) string {
	sum := sha256.Sum256([]byte(seed))
	return p.cfg.Prefix + string(kind) + hex.EncodeToString(sum[:])[:hashLen]
}

// BridgeName is the bridge of subnetID on this Plane.
func (p *Plane) BridgeName(subnetID string) string { return p.name(kindBridge, subnetID) }

// VXLANName is the VXLAN device of subnetID on this Plane.
func (p *Plane) VXLANName(subnetID string) string { return p.name(kindVXLAN, subnetID) }

// TapName is the tap libvirt should create for an instance's NIC (the
// hypervisor NIC's Tap): owned, so Reconcile can tell leftovers.
func (p *Plane) TapName(instanceID string, deviceIndex int) string {
	return p.name(kindTap, fmt.Sprintf("%s/%d", instanceID, deviceIndex))
}

// owned returns the kind of a device name this Plane owns, or 0.
func (p *Plane) owned(name string) byte {
	m := p.ownedRE.FindStringSubmatch(name)
	if m == nil {
		return 0
	}
	return m[1][0]
}

// local reports whether nic lives on this host.
func (p *Plane) local(nic NIC) bool {
	return !nic.Host.IsValid() || nic.Host == p.cfg.VTEP
}

// hostname is the DHCP host name of nic.
func hostname(nic NIC) string {
	if nic.Hostname != "" {
		return nic.Hostname
	}
	return network.Hostname(nic.IP)
}
