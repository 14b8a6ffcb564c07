package ec2query

import (
	"github.com/ec2lab/ec2lab/pkg/ids"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// An instance's primary network interface (botocore: InstanceNetworkInterface),
// made from the instance's own network fields; its IDs derive from the
// instance ID (pkg/ids).

type eniAttachmentXML struct {
	AttachTime          string `xml:"attachTime,omitempty"`
	AttachmentID        string `xml:"attachmentId"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
	DeviceIndex         int32  `xml:"deviceIndex"`
	Status              string `xml:"status"`
	NetworkCardIndex    int32  `xml:"networkCardIndex"`
}

type eniPrivateIPXML struct {
	PrivateDNSName   string `xml:"privateDnsName,omitempty"`
	PrivateIPAddress string `xml:"privateIpAddress"`
	Primary          bool   `xml:"primary"`
}

type instanceENIXML struct {
	Attachment         eniAttachmentXML  `xml:"attachment"`
	Description        string            `xml:"description"`
	GroupSet           groupSetXML       `xml:"groupSet"`
	Ipv6Addresses      emptySet          `xml:"ipv6AddressesSet"`
	MacAddress         string            `xml:"macAddress,omitempty"`
	NetworkInterfaceID string            `xml:"networkInterfaceId"`
	OwnerID            string            `xml:"ownerId,omitempty"`
	PrivateDNSName     string            `xml:"privateDnsName,omitempty"`
	PrivateIPAddress   string            `xml:"privateIpAddress,omitempty"`
	PrivateIPAddresses []eniPrivateIPXML `xml:"privateIpAddressesSet>item"`
	SourceDestCheck    bool              `xml:"sourceDestCheck"`
	Status             string            `xml:"status"`
	SubnetID           string            `xml:"subnetId"`
	VpcID              string            `xml:"vpcId"`
	InterfaceType      string            `xml:"interfaceType"`
}

// networkInterfaces is the instance's networkInterfaceSet: its primary
// interface, or none when the instance is in no subnet (or terminated).
func networkInterfaces(in *ec2labv1.Instance) []instanceENIXML {
	eni := ids.PrimaryNetworkInterface(in.GetInstanceId())
	if in.GetSubnetId() == "" || eni == "" || in.GetState().GetName() == "terminated" {
		return nil
	}
	x := instanceENIXML{
		Attachment: eniAttachmentXML{AttachTime: xmlTime(in.GetLaunchTime()),
			AttachmentID:        ids.PrimaryNetworkInterfaceAttachment(in.GetInstanceId()),
			DeleteOnTermination: true, Status: "attached"},
		GroupSet: groupSet(in.GetSecurityGroups()), MacAddress: in.GetMacAddress(), NetworkInterfaceID: eni,
		OwnerID: in.GetOwnerId(), PrivateDNSName: in.GetPrivateDnsName(), PrivateIPAddress: in.GetPrivateIpAddress(),
		SourceDestCheck: true, Status: "in-use", SubnetID: in.GetSubnetId(), VpcID: in.GetVpcId(), InterfaceType: "interface",
	}
	if ip := in.GetPrivateIpAddress(); ip != "" {
		x.PrivateIPAddresses = []eniPrivateIPXML{{PrivateDNSName: in.GetPrivateDnsName(), PrivateIPAddress: ip, Primary: true}}
	}
	return []instanceENIXML{x}
}
