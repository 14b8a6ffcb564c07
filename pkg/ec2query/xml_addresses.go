package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// Elastic IP addresses: EC2's AllocateAddress, AssociateAddress and
// DescribeAddresses results, and the association of an interface address.

type allocateAddressBody struct {
	meta
	PublicIP           string `xml:"publicIp"`
	Domain             string `xml:"domain"`
	AllocationID       string `xml:"allocationId"`
	PublicIPv4Pool     string `xml:"publicIpv4Pool,omitempty"`
	NetworkBorderGroup string `xml:"networkBorderGroup,omitempty"`
}

func allocateAddressXML(r *ec2labv1.AllocateAddressResponse) body {
	return &allocateAddressBody{PublicIP: r.GetPublicIp(), Domain: r.GetDomain(), AllocationID: r.GetAllocationId(),
		PublicIPv4Pool: r.GetPublicIpv4Pool(), NetworkBorderGroup: r.GetNetworkBorderGroup()}
}

type associateAddressBody struct {
	meta
	Return        bool   `xml:"return"`
	AssociationID string `xml:"associationId"`
}

func associateAddressXML(r *ec2labv1.AssociateAddressResponse) body {
	return &associateAddressBody{Return: true, AssociationID: r.GetAssociationId()}
}

// addressXML is EC2's Address shape.
type addressXML struct {
	PublicIP                string     `xml:"publicIp"`
	AllocationID            string     `xml:"allocationId"`
	Domain                  string     `xml:"domain"`
	InstanceID              string     `xml:"instanceId,omitempty"`
	AssociationID           string     `xml:"associationId,omitempty"`
	NetworkInterfaceID      string     `xml:"networkInterfaceId,omitempty"`
	NetworkInterfaceOwnerID string     `xml:"networkInterfaceOwnerId,omitempty"`
	PrivateIPAddress        string     `xml:"privateIpAddress,omitempty"`
	TagSet                  *tagSetXML `xml:"tagSet,omitempty"`
	PublicIPv4Pool          string     `xml:"publicIpv4Pool,omitempty"`
	NetworkBorderGroup      string     `xml:"networkBorderGroup,omitempty"`
}

type describeAddressesBody struct {
	meta
	Items []addressXML `xml:"addressesSet>item"`
}

func describeAddressesXML(r *ec2labv1.DescribeAddressesResponse) body {
	b := &describeAddressesBody{}
	for _, a := range r.GetAddresses() {
		b.Items = append(b.Items, addressXML{PublicIP: a.GetPublicIp(), AllocationID: a.GetAllocationId(), Domain: a.GetDomain(),
			InstanceID: a.GetInstanceId(), AssociationID: a.GetAssociationId(), NetworkInterfaceID: a.GetNetworkInterfaceId(),
			NetworkInterfaceOwnerID: a.GetNetworkInterfaceOwnerId(), PrivateIPAddress: a.GetPrivateIpAddress(),
			TagSet: tagsXML(a.GetTags()), PublicIPv4Pool: a.GetPublicIpv4Pool(), NetworkBorderGroup: a.GetNetworkBorderGroup()})
	}
	return b
}

// eniAssociationXML is EC2's NetworkInterfaceAssociation and, without its
// IDs, an instance's InstanceNetworkInterfaceAssociation.
type eniAssociationXML struct {
	PublicIP      string `xml:"publicIp"`
	PublicDNSName string `xml:"publicDnsName"`
	IPOwnerID     string `xml:"ipOwnerId"`
	AllocationID  string `xml:"allocationId,omitempty"`
	AssociationID string `xml:"associationId,omitempty"`
}

func eniAssociation(a *ec2labv1.NetworkInterfaceAssociation, withIDs bool) *eniAssociationXML {
	if a == nil {
		return nil
	}
	x := &eniAssociationXML{PublicIP: a.GetPublicIp(), PublicDNSName: a.GetPublicDnsName(), IPOwnerID: a.GetIpOwnerId()}
	if withIDs {
		x.AllocationID, x.AssociationID = a.GetAllocationId(), a.GetAssociationId()
	}
	return x
}
