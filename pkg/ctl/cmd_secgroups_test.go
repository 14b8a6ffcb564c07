package ctl

import (
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
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
		{"both forms", ruleFlags{protocol: "tcp", perms: []string{"IpProtocol=tcp"}}, nil, true},
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
