package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// An instance's network interfaces (botocore: InstanceNetworkInterface),
// as the controller reports them in Instance.network_interfaces.

type eniAttachmentXML struct {
	AttachTime          string `xml:"attachTime,omitempty"`
	AttachmentID        string `xml:"attachmentId"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	DeviceIndex         int32  `xml:"deviceIndex"`
	Status              string `xml:"status"`
	NetworkCardIndex    int32  `xml:"networkCardIndex"`
}

type eniPrivateIPXML struct {
	PrivateDNSName   string             `xml:"privateDnsName,omitempty"`
	PrivateIPAddress string             `xml:"privateIpAddress"`
	Primary          bool               `xml:"primary"`
	Association      *eniAssociationXML `xml:"association,omitempty"`
}

type instanceENIXML struct {
	Attachment         *eniAttachmentXML  `xml:"attachment,omitempty"`
	Description        string             `xml:"description"`
	GroupSet           groupSetXML        `xml:"groupSet"`
	Ipv6Addresses      emptySet           `xml:"ipv6AddressesSet"`
	MacAddress         string             `xml:"macAddress,omitempty"`
	NetworkInterfaceID string             `xml:"networkInterfaceId"`
	OwnerID            string             `xml:"ownerId,omitempty"`
	PrivateDNSName     string             `xml:"privateDnsName,omitempty"`
	PrivateIPAddress   string             `xml:"privateIpAddress,omitempty"`
	PrivateIPAddresses []eniPrivateIPXML  `xml:"privateIpAddressesSet>item"`
	SourceDestCheck    bool               `xml:"sourceDestCheck"`
	Status             string             `xml:"status"`
	SubnetID           string             `xml:"subnetId"`
	VpcID              string             `xml:"vpcId"`
	InterfaceType      string             `xml:"interfaceType"`
	Association        *eniAssociationXML `xml:"association,omitempty"`
}

// networkInterfaces is the instance's networkInterfaceSet.
func networkInterfaces(in *ec2labv1.Instance) []instanceENIXML {
	var out []instanceENIXML
	for _, ni := range in.GetNetworkInterfaces() {
		out = append(out, instanceENIXML{Attachment: eniAttachment(ni.GetAttachment()), Description: ni.GetDescription(),
			GroupSet: groupSet(ni.GetGroups()), MacAddress: ni.GetMacAddress(), NetworkInterfaceID: ni.GetNetworkInterfaceId(),
			OwnerID: ni.GetOwnerId(), PrivateDNSName: ni.GetPrivateDnsName(), PrivateIPAddress: ni.GetPrivateIpAddress(),
			PrivateIPAddresses: eniPrivateIPs(ni, false), SourceDestCheck: ni.GetSourceDestCheck(), Status: ni.GetStatus(),
			SubnetID: ni.GetSubnetId(), VpcID: ni.GetVpcId(), InterfaceType: ni.GetInterfaceType(),
			Association: eniAssociation(ni.GetAssociation(), false)})
	}
	return out
}

func eniAttachment(a *ec2labv1.NetworkInterfaceAttachment) *eniAttachmentXML {
	if a == nil {
		return nil
	}
	return &eniAttachmentXML{AttachTime: xmlTime(a.GetAttachTime()), AttachmentID: a.GetAttachmentId(),
		DeleteOnTermination: a.GetDeleteOnTermination(), DeviceIndex: a.GetDeviceIndex(), Status: a.GetStatus(),
		NetworkCardIndex: a.GetNetworkCardIndex()}
}

// eniPrivateIPs is an interface's privateIpAddressesSet; withIDs for
// DescribeNetworkInterfaces, whose associations carry their IDs.
func eniPrivateIPs(ni *ec2labv1.NetworkInterface, withIDs bool) []eniPrivateIPXML {
	var out []eniPrivateIPXML
	for _, p := range ni.GetPrivateIpAddresses() {
		out = append(out, eniPrivateIPXML{PrivateDNSName: p.GetPrivateDnsName(), PrivateIPAddress: p.GetPrivateIpAddress(),
			Primary: p.GetPrimary(), Association: eniAssociation(p.GetAssociation(), withIDs)})
	}
	return out
}

// primarySourceDestCheck is the instance's sourceDestCheck: its primary
// interface's (absent when it has none).
func primarySourceDestCheck(in *ec2labv1.Instance) *bool {
	for _, ni := range in.GetNetworkInterfaces() {
		if ni.GetAttachment().GetDeviceIndex() == 0 {
			v := ni.GetSourceDestCheck()
			return &v
		}
	}
	return nil
}
