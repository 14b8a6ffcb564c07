// Package ids makes and checks EC2-shaped resource IDs: a prefix, a dash and
// 17 lowercase hex digits (i-0123456789abcdef0).
package ids

import (
	"crypto/rand"
	"encoding/hex"
	"regexp"
)

// Resource ID prefixes, as EC2 uses them.
const (
	Instance       = "i"
	Volume         = "vol"
	Snapshot       = "snap"
	Image          = "ami"
	Reservation    = "r"
	KeyPair        = "key"
	PlacementGroup = "pg"
	LaunchTemplate = "lt"
	Host           = "h"
	// InternetGateway is the prefix of internet gateways (igw-...).
	InternetGateway = "igw"
	// DhcpOptions is the prefix of DHCP option sets (dopt-...).
	DhcpOptions = "dopt"
	// NatGateway is the prefix of NAT gateways (nat-...).
	NatGateway = "nat"
	Request    = "req"
	// Elastic IP addresses: an allocation and its association.
	Allocation  = "eipalloc"
	Association = "eipassoc"
)

// New returns a fresh random ID with the given prefix.
func New(prefix string) string {
	var b [9]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err) // crypto/rand never fails on Linux
	}
	return prefix + "-" + hex.EncodeToString(b[:])[:17]
}

var shape = regexp.MustCompile(`^([a-z]+)-[0-9a-f]{17}$`)

// Valid reports whether id has the shape prefix-<17 hex>.
func Valid(prefix, id string) bool {
	m := shape.FindStringSubmatch(id)
	return m != nil && m[1] == prefix
}

// Prefix returns the prefix of a well-shaped ID, or "" when it is malformed.
func Prefix(id string) string {
	m := shape.FindStringSubmatch(id)
	if m == nil {
		return ""
	}
	return m[1]
}
