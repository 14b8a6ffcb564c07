package network

import (
	"crypto/sha256"
	"fmt"
	"net"
	"net/netip"
	"strings"
)

// MAC is the deterministic MAC address of an instance's network interface
// deviceIndex: a locally administered unicast address (02:…) whose other
// five bytes come from a hash of the instance ID and the index, so an
// instance keeps its MAC across stop/start and host moves.
func MAC(instanceID string, deviceIndex int) net.HardwareAddr {
	return HashMAC(fmt.Sprintf("%s/eth%d", instanceID, deviceIndex))
}

// HashMAC is a locally administered unicast MAC derived from seed.
func HashMAC(seed string) net.HardwareAddr {
	sum := sha256.Sum256([]byte(seed))
	mac := net.HardwareAddr(append([]byte{0x02}, sum[:5]...))
	return mac
}

// PrivateDNSName is EC2's private DNS name of addr in region:
// ip-10-0-0-4.ec2.internal in us-east-1, ip-10-0-0-4.<region>.compute.internal
// elsewhere.
func PrivateDNSName(addr netip.Addr, region string) string {
	return Hostname(addr) + "." + PrivateDNSDomain(region)
}

// PrivateDNSDomain is the suffix of region's private DNS names, which
// DHCP hands out as the domain name: ec2.internal in us-east-1,
// <region>.compute.internal elsewhere.
func PrivateDNSDomain(region string) string {
	if region == "us-east-1" {
		return "ec2.internal"
	}
	return region + ".compute.internal"
}

// Hostname is the short private host name of addr (ip-10-0-0-4).
func Hostname(addr netip.Addr) string {
	return "ip-" + strings.ReplaceAll(addr.String(), ".", "-")
}
