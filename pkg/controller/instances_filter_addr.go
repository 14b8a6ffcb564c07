package controller

import (
	"context"
	"strings"
)

// instanceAddressFilters are the DescribeInstances filters on public
// addresses: they need the instances' Elastic IP associations, read once
// before filtering (instanceAddressField).
var instanceAddressFilters = map[string]bool{
	"ip-address": true,
	"network-interface.association.public-ip": true, "network-interface.addresses.association.public-ip": true,
	"network-interface.association.ip-owner-id": true, "network-interface.addresses.association.ip-owner-id": true,
	"network-interface.association.allocation-id": true, "network-interface.association.association-id": true,
}

// addressesForFilters are the Elastic IP associations by instance when a
// filter needs them, else nil.
func (s *Service) addressesForFilters(ctx context.Context, filters []Filter) (map[string][]ENIAssociation, error) {
	for _, f := range filters {
		if instanceAddressFilters[f.Name] {
			return s.associationsByInstance(ctx)
		}
	}
	return nil, nil
}

// instanceAddressField answers the address filters of an instance whose
// Addresses are read: ip-address is the primary interface's public
// address, the network-interface.* forms any interface's (an Elastic IP
// or the auto-assigned address).
func instanceAddressField(in Instance, name string) ([]string, bool) {
	if !instanceAddressFilters[name] {
		return nil, false
	}
	if name == "ip-address" {
		return nonEmpty(in.PublicIP()), true
	}
	field := strings.Replace(strings.TrimPrefix(name, "network-interface."), "addresses.association.ip-owner-id",
		"association.ip-owner-id", 1)
	var out []string
	for _, ni := range in.NetworkInterfaces() {
		v, _ := eniAssociationField(ni.Association, field)
		out = append(out, v...)
	}
	return out, true
}
