package agent

import (
	"net/netip"
	"testing"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestFirewallDesired checks the mapping of SetFirewall onto the
// firewall package: taps named by the data plane, addresses parsed, bad
// input refused.
func TestFirewallDesired(t *testing.T) {
	names := planeNames{tap: func(id string, idx int) string { return "tap-" + id }, bridge: func(id string) string { return "br-" + id }}
	good := &agentv1.FirewallState{
		Groups: []*agentv1.FwGroup{{GroupId: "sg-1", Ingress: []*agentv1.FwRule{{Protocol: "icmp", FromPort: -1, ToPort: -1,
			Cidrs: []string{"10.0.0.7/32"}, SourceGroups: []string{"sg-2"}}}}},
		Ports: []*agentv1.FwPort{{InstanceId: "i-1", Ip: "10.0.0.5", Mac: "02:00:00:00:00:01", Groups: []string{"sg-1"}, SubnetId: "subnet-1"},
			{InstanceId: "i-2", Ip: "10.0.0.6", Groups: []string{"sg-1"}, SourceDestCheckOff: true}},
		Members: []*agentv1.FwMembers{{GroupId: "sg-2", Ips: []string{"10.0.0.7"}}},
	}
	d, err := desiredFirewall(good, names)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Ports) != 2 || d.Ports[0].Tap != "tap-i-1" || d.Ports[0].IP != netip.MustParseAddr("10.0.0.5") ||
		d.Ports[0].AnySource || !d.Ports[1].AnySource || d.Ports[0].Bridge != "br-subnet-1" || d.Ports[1].Bridge != "" {
		t.Errorf("ports: %+v", d.Ports)
	}
	r := d.Groups[0].Ingress[0]
	if r.Protocol != "icmp" || r.CIDRs[0] != netip.MustParsePrefix("10.0.0.7/32") || r.SourceGroups[0] != "sg-2" {
		t.Errorf("rule: %+v", r)
	}
	if m := d.Members["sg-2"]; len(m) != 1 || m[0] != netip.MustParseAddr("10.0.0.7") {
		t.Errorf("members: %v", d.Members)
	}
	for name, bad := range map[string]*agentv1.FirewallState{
		"bad cidr":   {Groups: []*agentv1.FwGroup{{GroupId: "sg-1", Egress: []*agentv1.FwRule{{Protocol: "-1", Cidrs: []string{"nope"}}}}}},
		"bad port":   {Ports: []*agentv1.FwPort{{InstanceId: "i-1", Ip: "10.0.0.300"}}},
		"bad member": {Members: []*agentv1.FwMembers{{GroupId: "sg-2", Ips: []string{"x"}}}},
	} {
		if _, err := desiredFirewall(bad, names); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}
