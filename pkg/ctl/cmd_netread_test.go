package ctl

import (
	"encoding/json"
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// TestNetReadVerbs: the three Describe verbs send their IDs and filters,
// page when asked and print the members the AWS CLI prints.
func TestNetReadVerbs(t *testing.T) {
	h := newHarness(t)
	out, errOut, code := h.run("describe-network-interfaces", "--filters", "Name=attachment.instance-id,Values=i-0123456789abcdef0",
		"--output", "json")
	if code != 0 {
		t.Fatalf("describe-network-interfaces: exit %d: %s", code, errOut)
	}
	var enis struct {
		NetworkInterfaces []struct {
			NetworkInterfaceID string `json:"NetworkInterfaceId"`
			Status             string
			Attachment         struct {
				InstanceID string `json:"InstanceId"`
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &enis); err != nil || len(enis.NetworkInterfaces) != 2 ||
		enis.NetworkInterfaces[0].NetworkInterfaceID != "eni-0123456789abcdef0" || enis.NetworkInterfaces[0].Status != "in-use" ||
		enis.NetworkInterfaces[0].Attachment.InstanceID != "i-0123456789abcdef0" {
		t.Fatalf("describe-network-interfaces (%v):\n%s", err, out)
	}
	want := &pb.DescribeNetworkInterfacesRequest{Filters: []*pb.Filter{{Name: "attachment.instance-id", Values: []string{"i-0123456789abcdef0"}}}}
	if !proto.Equal(h.fake.net.enis, want) {
		t.Errorf("request %v, want %v", h.fake.net.enis, want)
	}

	out, _, code = h.run("describe-network-interfaces", "--max-items", "1", "--output", "text",
		"--query", "NetworkInterfaces[].NetworkInterfaceId")
	if code != 0 || strings.TrimSpace(out) != "eni-0123456789abcdef0" {
		t.Errorf("--max-items 1: exit %d, %q", code, out)
	}

	out, _, code = h.run("describe-route-tables", "--route-table-ids", "rtb-0123456789abcdef0", "--output", "text",
		"--query", "RouteTables[].[RouteTableId,Routes[0].GatewayId,Associations[0].Main]")
	if code != 0 || strings.Join(strings.Fields(out), " ") != "rtb-0123456789abcdef0 local True" ||
		h.fake.net.rtbs.GetRouteTableIds()[0] != "rtb-0123456789abcdef0" {
		t.Errorf("describe-route-tables: exit %d, %q, request %v", code, out, h.fake.net.rtbs)
	}

	out, _, code = h.run("describe-network-acls", "--filters", "Name=default,Values=true", "--output", "text",
		"--query", "NetworkAcls[].[NetworkAclId,IsDefault,length(Entries),Associations[0].SubnetId]")
	if code != 0 || strings.Join(strings.Fields(out), " ") != "acl-0123456789abcdef0 True 4 subnet-0123456789abcdef0" ||
		h.fake.net.acls.GetFilters()[0].GetName() != "default" {
		t.Errorf("describe-network-acls: exit %d, %q, request %v", code, out, h.fake.net.acls)
	}

	_, errOut, code = h.run("describe-network-interfaces", "--network-interface-ids", "eni-00000000000000000")
	if code != ExitService || !strings.Contains(errOut, "InvalidNetworkInterfaceID.NotFound") {
		t.Errorf("unknown interface: exit %d, %q", code, errOut)
	}
}

// TestRunInstancesNetworkInterfaces: --network-interfaces takes the AWS
// CLI's shorthand and JSON; unknown members are usage errors.
func TestRunInstancesNetworkInterfaces(t *testing.T) {
	zero := int32(0)
	tests := []struct {
		name string
		arg  string
		want *pb.InstanceNetworkInterfaceSpecification
	}{
		{"shorthand", "DeviceIndex=0,SubnetId=subnet-1,Groups=[sg-1,sg-2],PrivateIpAddress=10.0.1.5,Description=web,AssociatePublicIpAddress=false",
			&pb.InstanceNetworkInterfaceSpecification{DeviceIndex: &zero, SubnetId: "subnet-1", Groups: []string{"sg-1", "sg-2"},
				PrivateIpAddress: "10.0.1.5", Description: "web", AssociatePublicIpAddress: new(false)}},
		{"json", `[{"DeviceIndex":0,"SubnetId":"subnet-1","Groups":["sg-1"],"DeleteOnTermination":true,"PrivateIpAddresses":[{"PrivateIpAddress":"10.0.1.6","Primary":true}],"Ipv6Addresses":[{"Ipv6Address":"fd00::1"}]}]`,
			&pb.InstanceNetworkInterfaceSpecification{DeviceIndex: &zero, SubnetId: "subnet-1", Groups: []string{"sg-1"},
				DeleteOnTermination: new(true), PrivateIpAddresses: []*pb.PrivateIpAddressSpecification{{PrivateIpAddress: "10.0.1.6", Primary: true}},
				Ipv6Addresses: []*pb.InstanceIpv6Address{{Ipv6Address: "fd00::1"}}}},
		{"no device index", "SubnetId=subnet-1", &pb.InstanceNetworkInterfaceSpecification{SubnetId: "subnet-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if _, errOut, code := h.run("run-instances", "--image-id", "ami-1", "--network-interfaces", tt.arg); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			got := h.fake.lastRun.GetNetworkInterfaces()
			if len(got) != 1 || !proto.Equal(got[0], tt.want) {
				t.Errorf("NetworkInterfaces %v, want %v", got, tt.want)
			}
		})
	}
	h := newHarness(t)
	_, errOut, code := h.run("run-instances", "--image-id", "ami-1", "--network-interfaces", "DeviceIndex=0,Subnet=subnet-1")
	if code != ExitUsage || !strings.Contains(errOut, `unknown parameter in InstanceNetworkInterfaceSpecification: "Subnet"`) {
		t.Errorf("unknown member: exit %d, %q", code, errOut)
	}
}
