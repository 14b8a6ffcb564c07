package ids

import "strings"

// Prefixes of the IDs derived from another resource's ID (below).
const (
	NetworkInterface = "eni"
	RouteTable       = "rtb"
	RouteTableAssoc  = "rtbassoc"
	NetworkACL       = "acl"
	NetworkACLAssoc  = "aclassoc"
)

// Prefixes of the IDs the derivations start from (pkg/network names the
// network ones for the records that hold them).
const (
	vpcPrefix    = "vpc"
	subnetPrefix = "subnet"
)

// derive is id's 17 hex digits under prefix to; "" when id is not a
// well-shaped ID of prefix from.
func derive(id, from, to string) string {
	if !Valid(from, id) {
		return ""
	}
	return to + "-" + strings.TrimPrefix(id, from+"-")
}

// PrimaryNetworkInterface is the ID of an instance's primary network
// interface, derived from the instance ID (its hex digits under the eni-
// prefix) so that no record has to hold it; "" when instanceID is malformed.
func PrimaryNetworkInterface(instanceID string) string {
	return derive(instanceID, Instance, NetworkInterface)
}

// InstanceOfPrimaryNetworkInterface is the instance whose primary network
// interface eniID is (PrimaryNetworkInterface reversed); "" when eniID is
// malformed.
func InstanceOfPrimaryNetworkInterface(eniID string) string {
	return derive(eniID, NetworkInterface, Instance)
}

// NatGatewayInterface is the ID of a NAT gateway's network interface,
// derived from the gateway's ID as an instance's primary one is ("" when
// natID is malformed).
func NatGatewayInterface(natID string) string { return derive(natID, NatGateway, NetworkInterface) }

// PrimaryNetworkInterfaceAttachment is the attachment ID of an instance's
// primary network interface ("" when instanceID is malformed).
func PrimaryNetworkInterfaceAttachment(instanceID string) string {
	return derive(instanceID, Instance, "eni-attach")
}

// MainRouteTable is the ID of the main route table a VPC is created with
// (stable per VPC; "" when vpcID is malformed).
func MainRouteTable(vpcID string) string { return derive(vpcID, vpcPrefix, RouteTable) }

// MainRouteTableAssociation is the ID of the association that makes a
// VPC's main route table main ("" when vpcID is malformed).
func MainRouteTableAssociation(vpcID string) string {
	return derive(vpcID, vpcPrefix, RouteTableAssoc)
}

// DefaultNetworkACL is the ID of the default network ACL a VPC is created
// with ("" when vpcID is malformed).
func DefaultNetworkACL(vpcID string) string { return derive(vpcID, vpcPrefix, NetworkACL) }

// DefaultNetworkACLAssociation is the ID of a subnet's association with
// its VPC's default network ACL ("" when subnetID is malformed).
func DefaultNetworkACLAssociation(subnetID string) string {
	return derive(subnetID, subnetPrefix, NetworkACLAssoc)
}
