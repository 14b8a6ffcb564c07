package ctl

import (
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

// TestSecurityGroupRuleFlags checks both ways of giving rules: the simple
// flags and --ip-permissions (shorthand and JSON).
func TestSecurityGroupRuleFlags(t *testing.T) {
	cidr := func(c string) []*pb.IpRange { return []*pb.IpRange{{CidrIp: c}} }
	tests := []struct {
		name string
		fl   ruleFlags
		want []*pb.IpPermission
		bad  bool
	}{
		{"ssh from a range", ruleFlags{protocol: "tcp", port: "22", cidr: "10.0.0.0/8"},
			[]*pb.IpPermission{{IpProtocol: "tcp", FromPort: 22, ToPort: 22, IpRanges: cidr("10.0.0.0/8")}}, false},
		{"port range from a group", ruleFlags{protocol: "udp", port: "8000-8010", sourceGroup: "sg-1"},
			[]*pb.IpPermission{{IpProtocol: "udp", FromPort: 8000, ToPort: 8010, UserIdGroupPairs: []*pb.UserIdGroupPair{{GroupId: "sg-1"}}}}, false},
		{"all traffic", ruleFlags{protocol: "all", cidr: "0.0.0.0/0"},
			[]*pb.IpPermission{{IpProtocol: "-1", FromPort: -1, ToPort: -1, IpRanges: cidr("0.0.0.0/0")}}, false},
		{"shorthand", ruleFlags{perms: []string{"IpProtocol=icmp,FromPort=-1,ToPort=-1,IpRanges=[{CidrIp=10.1.0.0/16}]"}},
			[]*pb.IpPermission{{IpProtocol: "icmp", FromPort: -1, ToPort: -1, IpRanges: cidr("10.1.0.0/16")}}, false},
		{"json without ports", ruleFlags{perms: []string{`[{"IpProtocol":"-1","UserIdGroupPairs":[{"GroupId":"sg-2"}]}]`}},
			[]*pb.IpPermission{{IpProtocol: "-1", FromPort: -1, ToPort: -1, UserIdGroupPairs: []*pb.UserIdGroupPair{{GroupId: "sg-2"}}}}, false},
		{"IPv6 ranges, prefix lists and group descriptions", ruleFlags{perms: []string{
			"IpProtocol=tcp,FromPort=443,ToPort=443,Ipv6Ranges=[{CidrIpv6=::/0,Description=web}],PrefixListIds=[{PrefixListId=pl-1}],UserIdGroupPairs=[{GroupId=sg-2,Description=peers}]"}},
			[]*pb.IpPermission{{IpProtocol: "tcp", FromPort: 443, ToPort: 443,
				Ipv6Ranges:       []*pb.Ipv6Range{{CidrIpv6: "::/0", Description: "web"}},
				PrefixListIds:    []*pb.PrefixListId{{PrefixListId: "pl-1"}},
				UserIdGroupPairs: []*pb.UserIdGroupPair{{GroupId: "sg-2", Description: "peers"}}}}, false},
		{"both forms", ruleFlags{protocol: "tcp", perms: []string{"IpProtocol=tcp"}}, nil, true},
		{"unknown IPv6 range member", ruleFlags{perms: []string{"IpProtocol=tcp,Ipv6Ranges=[{CidrIp=::/0}]"}}, nil, true},
		{"no protocol", ruleFlags{cidr: "10.0.0.0/8"}, nil, true},
		{"bad port", ruleFlags{protocol: "tcp", port: "ssh"}, nil, true},
		{"unknown member", ruleFlags{perms: []string{"IpProtocol=tcp,Port=22"}}, nil, true},
	}
	for _, tt := range tests {
		got, err := tt.fl.permissions()
		if (err != nil) != tt.bad {
			t.Errorf("%s: error %v, want error %v", tt.name, err, tt.bad)
			continue
		}
		if len(got) != len(tt.want) {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
			continue
		}
		for i := range got {
			if !proto.Equal(got[i], tt.want[i]) {
				t.Errorf("%s: %v, want %v", tt.name, got[i], tt.want[i])
			}
		}
	}
}

// TestSecurityGroupRuleCommands checks the requests the rule verbs send and
// what they print.
func TestSecurityGroupRuleCommands(t *testing.T) {
	tests := []struct {
		name string
		args []string
		req  string // prototext of the request the fake got
		out  []string
	}{
		{"authorize with tags", []string{"authorize-security-group-ingress", "--group-id", sampleGroup, "--protocol", "tcp",
			"--port", "22", "--cidr", "10.0.0.0/8", "--tag-specifications", "ResourceType=security-group-rule,Tags=[{Key=Name,Value=ssh}]"},
			`group_id:"` + sampleGroup + `" ip_permissions:{ip_protocol:"tcp" from_port:22 to_port:22 ip_ranges:{cidr_ip:"10.0.0.0/8"}}
			 tag_specifications:{resource_type:"security-group-rule" tags:{key:"Name" value:"ssh"}}`,
			[]string{`"Return": true`, `"SecurityGroupRuleId": "` + sampleRule + `"`, `"CidrIpv4": "10.0.0.0/8"`}},
		{"revoke by rule IDs", []string{"revoke-security-group-egress", "--group-id", sampleGroup,
			"--security-group-rule-ids", sampleRule + ",sgr-0000000000000000a"},
			`group_id:"` + sampleGroup + `" security_group_rule_ids:"` + sampleRule + `" security_group_rule_ids:"sgr-0000000000000000a"`,
			[]string{`"RevokedSecurityGroupRules": [`, `"ReferencedGroupId": "` + samplePeer + `"`, `"IsEgress": true`}},
		{"modify", []string{"modify-security-group-rules", "--group-id", sampleGroup, "--security-group-rules",
			"SecurityGroupRuleId=" + sampleRule + ",SecurityGroupRule={IpProtocol=tcp,FromPort=2222,ToPort=2222,CidrIpv4=10.1.0.0/16,Description=moved}"},
			`group_id:"` + sampleGroup + `" security_group_rules:{security_group_rule_id:"` + sampleRule + `"
			 security_group_rule:{ip_protocol:"tcp" from_port:2222 to_port:2222 cidr_ipv4:"10.1.0.0/16" description:"moved"}}`,
			[]string{`"Return": true`}},
		{"update descriptions", []string{"update-security-group-rule-descriptions-egress", "--group-id", sampleGroup,
			"--security-group-rule-descriptions", "SecurityGroupRuleId=" + sampleRule + ",Description=all out"},
			`group_id:"` + sampleGroup + `" security_group_rule_descriptions:{security_group_rule_id:"` + sampleRule + `" description:"all out"}`,
			[]string{`"Return": true`}},
		{"describe rules", []string{"describe-security-group-rules", "--filters", "Name=group-id,Values=" + sampleGroup},
			`filters:{name:"group-id" values:"` + sampleGroup + `"}`,
			[]string{`"SecurityGroupRules": [`, `"ReferencedGroupInfo": {`, `"FromPort": -1`, `"Tags": []`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(append(tt.args, "--output", "json")...)
			if code != 0 || len(h.fake.sgRequests) != 1 {
				t.Fatalf("exit %d (%d requests): %s", code, len(h.fake.sgRequests), errOut)
			}
			got := h.fake.sgRequests[0]
			want := got.ProtoReflect().Type().New().Interface()
			if err := prototext.Unmarshal([]byte(tt.req), want); err != nil {
				t.Fatal(err)
			}
			if !proto.Equal(got, want) {
				t.Errorf("request\n%s\nwant\n%s", prototext.Format(got), tt.req)
			}
			for _, w := range tt.out {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %s:\n%s", w, out)
				}
			}
		})
	}
}

// TestDescribeSecurityGroupsShowsEveryPeerKind: each permission lists
// IPv6 ranges and prefix lists (empty) and the groups' descriptions.
func TestDescribeSecurityGroupsShowsEveryPeerKind(t *testing.T) {
	h := newHarness(t)
	out, errOut, code := h.run("describe-security-groups", "--query", "SecurityGroups[0].IpPermissions[0]", "--output", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, w := range []string{`"UserIdGroupPairs": [`, `"Description": "from peers"`, `"Ipv6Ranges": []`, `"PrefixListIds": []`} {
		if !strings.Contains(out, w) {
			t.Errorf("output lacks %s:\n%s", w, out)
		}
	}
}
