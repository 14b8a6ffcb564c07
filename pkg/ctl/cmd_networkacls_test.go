package ctl

import (
	"encoding/json"
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

func i32(n int32) *int32 { return &n }

// TestNetworkACLVerbs: each network ACL verb sends what the AWS CLI's
// flags say (protocol names as numbers, --ingress and --egress, the
// --port-range and --icmp-type-code structures) and prints what the AWS
// CLI prints.
func TestNetworkACLVerbs(t *testing.T) {
	h := newHarness(t)
	cases := []struct {
		name string
		args []string
		want proto.Message
		out  string // a substring of the JSON output; "" for none
	}{
		{"create", []string{"create-network-acl", "--vpc-id", "vpc-0123456789abcdef0",
			"--tag-specifications", "ResourceType=network-acl,Tags=[{Key=Name,Value=web}]"},
			&pb.CreateNetworkAclRequest{VpcId: "vpc-0123456789abcdef0", TagSpecifications: []*pb.TagSpecification{
				{ResourceType: "network-acl", Tags: []*pb.Tag{{Key: "Name", Value: "web"}}}}},
			`"NetworkAclId": "acl-0fedcba9876543210"`},
		{"delete", []string{"delete-network-acl", "--network-acl-id", "acl-0fedcba9876543210", "--dry-run"},
			&pb.DeleteNetworkAclRequest{NetworkAclId: "acl-0fedcba9876543210", DryRun: true}, ""},
		{"create entry, tcp ingress", []string{"create-network-acl-entry", "--network-acl-id", "acl-0fedcba9876543210",
			"--ingress", "--rule-number", "100", "--protocol", "tcp", "--port-range", "From=22,To=22",
			"--cidr-block", "10.0.0.0/8", "--rule-action", "allow"},
			&pb.NetworkAclEntryRequest{NetworkAclId: "acl-0fedcba9876543210", RuleNumber: 100, Protocol: "6",
				RuleAction: "allow", CidrBlock: "10.0.0.0/8", PortRange: &pb.PortRange{From: i32(22), To: i32(22)}}, ""},
		{"create entry, icmp egress in JSON", []string{"create-network-acl-entry", "--network-acl-id", "acl-0fedcba9876543210",
			"--egress", "--rule-number", "110", "--protocol", "icmp", "--icmp-type-code", `{"Type": 8, "Code": -1}`,
			"--cidr-block", "0.0.0.0/0", "--rule-action", "deny"},
			&pb.NetworkAclEntryRequest{NetworkAclId: "acl-0fedcba9876543210", RuleNumber: 110, Protocol: "1", Egress: true,
				RuleAction: "deny", CidrBlock: "0.0.0.0/0", IcmpTypeCode: &pb.IcmpTypeCode{Type: i32(8), Code: i32(-1)}}, ""},
		{"replace entry, all", []string{"replace-network-acl-entry", "--network-acl-id", "acl-0fedcba9876543210",
			"--rule-number", "100", "--protocol", "all", "--cidr-block", "10.0.0.0/8", "--rule-action", "deny"},
			&pb.NetworkAclEntryRequest{NetworkAclId: "acl-0fedcba9876543210", RuleNumber: 100, Protocol: "-1",
				RuleAction: "deny", CidrBlock: "10.0.0.0/8"}, ""},
		{"delete entry", []string{"delete-network-acl-entry", "--network-acl-id", "acl-0fedcba9876543210",
			"--egress", "--rule-number", "110"},
			&pb.DeleteNetworkAclEntryRequest{NetworkAclId: "acl-0fedcba9876543210", RuleNumber: 110, Egress: true}, ""},
		{"replace association", []string{"replace-network-acl-association", "--association-id", "aclassoc-0123456789abcdef0",
			"--network-acl-id", "acl-0fedcba9876543210"},
			&pb.ReplaceNetworkAclAssociationRequest{AssociationId: "aclassoc-0123456789abcdef0", NetworkAclId: "acl-0fedcba9876543210"},
			`"NewAssociationId": "aclassoc-0fedcba9876543210"`},
	}
	for _, c := range cases {
		h.fake.lastReq = nil
		out, errOut, code := h.run(append(c.args, "--output", "json")...)
		if code != 0 {
			t.Errorf("%s: exit %d: %s", c.name, code, errOut)
			continue
		}
		if !proto.Equal(h.fake.lastReq, c.want) {
			t.Errorf("%s: request %v, want %v", c.name, h.fake.lastReq, c.want)
		}
		if c.out == "" && strings.TrimSpace(out) != "" || !strings.Contains(out, c.out) {
			t.Errorf("%s: output %q, want %q", c.name, out, c.out)
		}
	}
}

// TestNetworkACLVerbRefusals: bad structures and both directions are usage
// errors that send nothing; the server's errors come back with their codes.
func TestNetworkACLVerbRefusals(t *testing.T) {
	h := newHarness(t)
	base := []string{"create-network-acl-entry", "--network-acl-id", "acl-0fedcba9876543210", "--rule-number", "1",
		"--protocol", "6", "--cidr-block", "10.0.0.0/8", "--rule-action", "allow"}
	for _, extra := range [][]string{
		{"--egress", "--ingress"},
		{"--port-range", "From=1,Upto=2"},
		{"--port-range", "From=x"},
		{"--icmp-type-code", "Type=[1"},
	} {
		h.fake.lastReq = nil
		_, errOut, code := h.run(append(append([]string{}, base...), extra...)...)
		if code != ExitUsage || h.fake.lastReq != nil {
			t.Errorf("%v: exit %d, sent %v: %s", extra, code, h.fake.lastReq, errOut)
		}
	}
	_, errOut, code := h.run("delete-network-acl", "--network-acl-id", missingACL)
	if code == 0 || !strings.Contains(errOut, "InvalidNetworkAclID.NotFound") {
		t.Errorf("delete of a missing ACL: exit %d, %q", code, errOut)
	}
}

// TestNetworkACLEntriesPrinted: describe-network-acls prints an entry's
// PortRange and IcmpTypeCode (zero values included) as the AWS CLI does.
func TestNetworkACLEntriesPrinted(t *testing.T) {
	e := docNetworkACL(&pb.NetworkAcl{NetworkAclId: "acl-1", Entries: []*pb.NetworkAclEntry{
		{RuleNumber: 1, Protocol: "6", PortRange: &pb.PortRange{From: i32(0), To: i32(80)}},
		{RuleNumber: 2, Protocol: "1", IcmpTypeCode: &pb.IcmpTypeCode{Type: i32(0), Code: i32(-1)}}}})
	b, err := json.Marshal(e)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"PortRange":{"From":0,"To":80}`, `"IcmpTypeCode":{"Code":-1,"Type":0}`} {
		if !strings.Contains(string(b), want) {
			t.Errorf("%s lacks %s", b, want)
		}
	}
}
