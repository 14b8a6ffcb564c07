package controller

import (
	"strconv"
)

// instanceNetworkField answers DescribeInstances filters on the primary
// network interface, the security groups and the placement group.
func instanceNetworkField(in Instance, name string) ([]string, bool) {
	switch name {
	case "subnet-id", "network-interface.subnet-id":
		return nonEmpty(in.SubnetID), true
	case "vpc-id", "network-interface.vpc-id":
		return nonEmpty(in.VpcID), true
	case "private-ip-address", "network-interface.private-ip-address",
		"network-interface.addresses.private-ip-address":
		return nonEmpty(in.PrivateIP), true
	case "private-dns-name", "network-interface.private-dns-name":
		return nonEmpty(in.PrivateDNSName), true
	case "network-interface.mac-address":
		return nonEmpty(in.MAC), true
	case "network-interface.network-interface-id":
		return nonEmpty(primaryENI(in)), true
	case "network-interface.status":
		return nonEmpty(map[bool]string{true: "in-use"}[primaryENI(in) != ""]), true
	case "network-interface.attachment.device-index":
		return nonEmpty(map[bool]string{true: "0"}[primaryENI(in) != ""]), true
	case "instance.group-id", "group-id", "network-interface.group-id":
		return GroupIDs(in.SecurityGroups), true
	case "instance.group-name", "group-name", "network-interface.group-name":
		var out []string
		for _, g := range in.SecurityGroups {
			out = append(out, g.Name)
		}
		return out, true
	case "placement-group-name":
		return nonEmpty(in.PlacementGroup), true
	case "placement-partition-number":
		if in.Partition == 0 {
			return nil, true
		}
		return []string{strconv.Itoa(in.Partition)}, true
	}
	return nil, false
}

// primaryENI is the ID of the instance's primary network interface, ""
// when it has none (no subnet, or terminated).
func primaryENI(in Instance) string {
	for _, ni := range in.NetworkInterfaces() {
		if ni.Attachment.DeviceIndex == primaryDeviceIndex {
			return ni.ID
		}
	}
	return ""
}

// nonEmpty is the one value v, or none when v is "" (filters then never match).
func nonEmpty(v string) []string {
	if v == "" {
		return nil
	}
	return []string{v}
}
