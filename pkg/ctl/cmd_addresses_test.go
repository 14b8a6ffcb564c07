package ctl

import (
	"encoding/json"
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// TestAddressVerbs: the Elastic IP verbs send what their options say and
// print the AWS CLI's members.
func TestAddressVerbs(t *testing.T) {
	h := newHarness(t)
	for _, tc := range []struct {
		args []string
		want proto.Message
		out  string // in the JSON output
	}{
		{[]string{"allocate-address", "--domain", "vpc", "--address", "198.51.100.1",
			"--tag-specifications", "ResourceType=elastic-ip,Tags=[{Key=Name,Value=web}]"},
			&pb.AllocateAddressRequest{Domain: "vpc", Address: "198.51.100.1", TagSpecifications: []*pb.TagSpecification{
				{ResourceType: "elastic-ip", Tags: []*pb.Tag{{Key: "Name", Value: "web"}}}}},
			`"AllocationId": "eipalloc-0123456789abcdef0"`},
		{[]string{"associate-address", "--allocation-id", sampleAllocID, "--instance-id", "i-0123456789abcdef0", "--allow-reassociation"},
			&pb.AssociateAddressRequest{AllocationId: sampleAllocID, InstanceId: "i-0123456789abcdef0", AllowReassociation: true},
			`"AssociationId": "eipassoc-0123456789abcdef0"`},
		{[]string{"associate-address", "--allocation-id", sampleAllocID, "--network-interface-id", "eni-0123456789abcdef0",
			"--private-ip-address", "10.0.0.5", "--no-allow-reassociation"},
			&pb.AssociateAddressRequest{AllocationId: sampleAllocID, NetworkInterfaceId: "eni-0123456789abcdef0", PrivateIpAddress: "10.0.0.5"}, ""},
		{[]string{"disassociate-address", "--association-id", sampleEIPAssoc},
			&pb.DisassociateAddressRequest{AssociationId: sampleEIPAssoc}, ""},
		{[]string{"release-address", "--allocation-id", "eipalloc-0123456789abcdef1"},
			&pb.ReleaseAddressRequest{AllocationId: "eipalloc-0123456789abcdef1"}, ""},
		{[]string{"describe-addresses", "--allocation-ids", sampleAllocID, "--filters", "Name=domain,Values=vpc"},
			&pb.DescribeAddressesRequest{AllocationIds: []string{sampleAllocID}, Filters: []*pb.Filter{{Name: "domain", Values: []string{"vpc"}}}},
			`"NetworkInterfaceOwnerId": "000000000001"`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			out, errOut, code := h.run(append(tc.args, "--output", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !proto.Equal(h.fake.lastReq, tc.want) {
				t.Errorf("sent %v, want %v", h.fake.lastReq, tc.want)
			}
			if !strings.Contains(out, tc.out) {
				t.Errorf("output lacks %s:\n%s", tc.out, out)
			}
		})
	}
	out, _, code := h.run("describe-addresses", "--output", "text", "--query", "Addresses[].[PublicIp,InstanceId]")
	if code != 0 || strings.Join(strings.Fields(out), " ") != "198.51.100.1 i-0123456789abcdef0 198.51.100.2 None" {
		t.Errorf("describe-addresses --query: exit %d, %q", code, out)
	}
	_, errOut, code := h.run("release-address", "--allocation-id", sampleAllocID)
	if code != ExitService || !strings.Contains(errOut, "InvalidIPAddress.InUse") {
		t.Errorf("release-address of an associated address: exit %d, %q", code, errOut)
	}
	_, errOut, code = h.run("associate-address", "--allow-reassociation", "--no-allow-reassociation")
	if code != ExitUsage || !strings.Contains(errOut, "Cannot specify both") {
		t.Errorf("both --allow-reassociation forms: exit %d, %q", code, errOut)
	}
}

// TestInstanceAddressMembers: an instance's Elastic IP shows as
// PublicIpAddress and in its interface's Association, without the IDs
// that DescribeNetworkInterfaces gives.
func TestInstanceAddressMembers(t *testing.T) {
	assoc := &pb.NetworkInterfaceAssociation{PublicIp: "198.51.100.1", IpOwnerId: "000000000001",
		AllocationId: sampleAllocID, AssociationId: sampleEIPAssoc}
	eni := sampleENI("i-0123456789abcdef0")
	eni.Association, eni.PrivateIpAddresses[0].Association = assoc, assoc
	in := &pb.Instance{InstanceId: "i-0123456789abcdef0", PrivateIpAddress: "10.0.0.5", PublicIpAddress: "198.51.100.1",
		NetworkInterfaces: []*pb.NetworkInterface{eni}}
	b, _ := json.Marshal(docInstance(in))
	s := string(b)
	for _, want := range []string{`"PrivateIpAddress":"10.0.0.5","PublicIpAddress":"198.51.100.1"`,
		`"NetworkInterfaces":[{"Association":{"IpOwnerId":"000000000001","PublicDnsName":"","PublicIp":"198.51.100.1"}`,
		`"PrivateIpAddresses":[{"Association":{"IpOwnerId":"000000000001","PublicDnsName":"","PublicIp":"198.51.100.1"},"Primary":true`} {
		if !strings.Contains(s, want) {
			t.Errorf("instance lacks %s:\n%s", want, s)
		}
	}
	b, _ = json.Marshal(docNetworkInterface(eni))
	if want := `{"Association":{"AllocationId":"eipalloc-0123456789abcdef0","AssociationId":"eipassoc-0123456789abcdef0","IpOwnerId":"000000000001"`; !strings.HasPrefix(string(b), want) {
		t.Errorf("interface starts %s, want %s", b, want)
	}
}

// TestAddressVerbsMatchAWSCLI: ec2ctl and the AWS CLI send the same
// requests and print the same documents.
func TestAddressVerbsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"allocate-address", "--domain", "vpc", "--tag-specifications", "ResourceType=elastic-ip,Tags=[{Key=Name,Value=web}]"},
		{"allocate-address", "--address", "203.0.113.9"},
		{"associate-address", "--allocation-id", sampleAllocID, "--instance-id", "i-0123456789abcdef0", "--allow-reassociation"},
		{"associate-address", "--public-ip", "198.51.100.1", "--network-interface-id", "eni-0123456789abcdef0", "--private-ip-address", "10.0.0.5"},
		{"disassociate-address", "--association-id", sampleEIPAssoc},
		{"release-address", "--allocation-id", "eipalloc-0123456789abcdef1"},
		{"release-address", "--allocation-id", sampleAllocID},
		{"describe-addresses"},
		{"describe-addresses", "--public-ips", "198.51.100.1", "--filters", "Name=instance-id,Values=i-0123456789abcdef0"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { matchAWSCLI(t, h, aws, args) })
	}
}
