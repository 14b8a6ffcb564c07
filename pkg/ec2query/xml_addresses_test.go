package ec2query

import (
	"encoding/xml"
	"strings"
	"testing"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestAddressXML checks EC2's element names of the Elastic IP results and
// of an interface address's association (botocore: Address,
// NetworkInterfaceAssociation, InstanceNetworkInterfaceAssociation).
func TestAddressXML(t *testing.T) {
	assoc := &ec2labv1.NetworkInterfaceAssociation{PublicIp: "198.51.100.1", IpOwnerId: "111111111111",
		AllocationId: "eipalloc-0123456789abcdef0", AssociationId: "eipassoc-0123456789abcdef0"}
	for _, tc := range []struct {
		name      string
		v         any
		want, not []string
	}{
		{"allocate", allocateAddressXML(&ec2labv1.AllocateAddressResponse{AllocationId: "eipalloc-0123456789abcdef0",
			PublicIp: "198.51.100.1", Domain: "vpc", PublicIpv4Pool: "amazon", NetworkBorderGroup: "lab-1"}),
			[]string{"<publicIp>198.51.100.1</publicIp><domain>vpc</domain><allocationId>eipalloc-0123456789abcdef0</allocationId><publicIpv4Pool>amazon</publicIpv4Pool><networkBorderGroup>lab-1</networkBorderGroup>"}, nil},
		{"associate", associateAddressXML(&ec2labv1.AssociateAddressResponse{AssociationId: "eipassoc-0123456789abcdef0"}),
			[]string{"<return>true</return><associationId>eipassoc-0123456789abcdef0</associationId>"}, nil},
		{"describe", describeAddressesXML(&ec2labv1.DescribeAddressesResponse{Addresses: []*ec2labv1.Address{{
			AllocationId: "eipalloc-0123456789abcdef0", PublicIp: "198.51.100.1", Domain: "vpc", AssociationId: "eipassoc-0123456789abcdef0",
			InstanceId: "i-0123456789abcdef0", NetworkInterfaceId: "eni-0123456789abcdef0", NetworkInterfaceOwnerId: "111111111111",
			PrivateIpAddress: "10.0.0.5", Tags: []*ec2labv1.Tag{{Key: "Name", Value: "web"}}}, {AllocationId: "eipalloc-1", PublicIp: "198.51.100.2", Domain: "vpc"}}}),
			[]string{"<addressesSet><item><publicIp>198.51.100.1</publicIp><allocationId>eipalloc-0123456789abcdef0</allocationId><domain>vpc</domain><instanceId>i-0123456789abcdef0</instanceId><associationId>eipassoc-0123456789abcdef0</associationId><networkInterfaceId>eni-0123456789abcdef0</networkInterfaceId><networkInterfaceOwnerId>111111111111</networkInterfaceOwnerId><privateIpAddress>10.0.0.5</privateIpAddress><tagSet>",
				"<item><publicIp>198.51.100.2</publicIp><allocationId>eipalloc-1</allocationId><domain>vpc</domain><tagSet></tagSet></item>"}, nil},
		{"interface", eniAssociation(assoc, true),
			[]string{"<publicIp>198.51.100.1</publicIp><publicDnsName></publicDnsName><ipOwnerId>111111111111</ipOwnerId><allocationId>eipalloc-0123456789abcdef0</allocationId><associationId>eipassoc-0123456789abcdef0</associationId>"}, nil},
		{"instance interface", eniAssociation(assoc, false), []string{"<ipOwnerId>111111111111</ipOwnerId>"}, []string{"allocationId", "associationId"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := xml.Marshal(tc.v)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tc.want {
				if !strings.Contains(string(out), w) {
					t.Errorf("lacks %s:\n%s", w, out)
				}
			}
			for _, n := range tc.not {
				if strings.Contains(string(out), n) {
					t.Errorf("has %s:\n%s", n, out)
				}
			}
		})
	}
	in := networkedInstance()
	in.PublicIpAddress = "198.51.100.1"
	in.NetworkInterfaces[0].Association = assoc
	in.NetworkInterfaces[0].PrivateIpAddresses[0].Association = assoc
	out, _ := xml.Marshal(instance(in))
	for _, w := range []string{"<ipAddress>198.51.100.1</ipAddress>", "<primary>true</primary><association><publicIp>198.51.100.1</publicIp>",
		"<interfaceType>interface</interfaceType><association><publicIp>198.51.100.1</publicIp>"} {
		if !strings.Contains(string(out), w) {
			t.Errorf("instance XML lacks %s:\n%s", w, out)
		}
	}
}
