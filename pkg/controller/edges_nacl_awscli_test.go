package controller_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// naclTools runs `aws ec2` (Query API) and `ec2ctl` (gRPC) as one account
// against e's listeners.
type naclTools struct{ asg *asgTools }

func newNACLTools(t *testing.T, e *edges, acct string) *naclTools {
	t.Helper()
	return &naclTools{asg: newASGTools(t, e, acct)}
}

// aws runs `aws ec2 args... --output json`: its stdout, and its stderr
// when it failed ("" when it succeeded).
func (x *naclTools) aws(args ...string) (string, string) {
	x.asg.t.Helper()
	out, errOut, ok := ec2Tools{asg: x.asg}.run(args...)
	if !ok {
		return out, errOut + "aws ec2 failed"
	}
	return out, ""
}

// must is aws that must succeed, decoded.
func (x *naclTools) must(args ...string) map[string]any {
	x.asg.t.Helper()
	out, fail := x.aws(args...)
	if fail != "" {
		x.asg.t.Fatalf("aws ec2 %v: %s", args, fail)
	}
	doc := map[string]any{}
	if strings.TrimSpace(out) != "" {
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			x.asg.t.Fatalf("aws ec2 %v: %v\n%s", args, err, out)
		}
	}
	return doc
}

// TestNetworkAclsThroughTheAWSCLI: the AWS CLI's network ACL commands, with
// its own flags (--ingress, --port-range, --icmp-type-code, --protocol
// tcp), create, edit, associate and delete an ACL over the Query API;
// entries come back with their port range and ICMP type and code, and the
// refusals with EC2's codes.
func TestNetworkAclsThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	x := newNACLTools(t, e, rig.Acct1)

	vpc := x.must("create-vpc", "--cidr-block", "10.20.0.0/16")["Vpc"].(map[string]any)["VpcId"].(string)
	subnet := x.must("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.20.1.0/24")["Subnet"].(map[string]any)["SubnetId"].(string)
	acl := x.must("create-network-acl", "--vpc-id", vpc,
		"--tag-specifications", "ResourceType=network-acl,Tags=[{Key=Name,Value=web}]")["NetworkAcl"].(map[string]any)
	aclID := acl["NetworkAclId"].(string)
	if acl["IsDefault"] != false || acl["VpcId"] != vpc || len(acl["Entries"].([]any)) != 2 || len(acl["Tags"].([]any)) != 1 {
		t.Fatalf("created ACL %v", acl)
	}
	x.must("create-network-acl-entry", "--network-acl-id", aclID, "--ingress", "--rule-number", "100", "--protocol", "tcp",
		"--port-range", "From=22,To=22", "--cidr-block", "10.0.0.0/8", "--rule-action", "allow")
	x.must("create-network-acl-entry", "--network-acl-id", aclID, "--egress", "--rule-number", "110", "--protocol", "1",
		"--icmp-type-code", "Type=8,Code=-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow")
	x.must("replace-network-acl-entry", "--network-acl-id", aclID, "--ingress", "--rule-number", "100", "--protocol", "udp",
		"--port-range", "From=53,To=53", "--cidr-block", "10.0.0.0/8", "--rule-action", "deny")

	got := x.must("describe-network-acls", "--network-acl-ids", aclID)["NetworkAcls"].([]any)[0].(map[string]any)
	entries := map[string]map[string]any{}
	for _, it := range got["Entries"].([]any) {
		en := it.(map[string]any)
		b, _ := json.Marshal(en["RuleNumber"])
		dir := "in"
		if en["Egress"] == true {
			dir = "out"
		}
		entries[dir+string(b)] = en
	}
	if en := entries["in100"]; en == nil || en["Protocol"] != "17" || en["RuleAction"] != "deny" ||
		en["PortRange"].(map[string]any)["From"] != 53.0 || en["PortRange"].(map[string]any)["To"] != 53.0 {
		t.Errorf("ingress 100: %v", en)
	}
	if en := entries["out110"]; en == nil || en["Protocol"] != "1" ||
		en["IcmpTypeCode"].(map[string]any)["Type"] != 8.0 || en["IcmpTypeCode"].(map[string]any)["Code"] != -1.0 || en["PortRange"] != nil {
		t.Errorf("egress 110: %v", en)
	}
	x.must("delete-network-acl-entry", "--network-acl-id", aclID, "--egress", "--rule-number", "110")

	def := x.must("describe-network-acls", "--filters", "Name=association.subnet-id,Values="+subnet)["NetworkAcls"].([]any)
	if len(def) != 1 || def[0].(map[string]any)["IsDefault"] != true {
		t.Fatalf("subnet's ACL before the move: %v", def)
	}
	assoc := def[0].(map[string]any)["Associations"].([]any)[0].(map[string]any)["NetworkAclAssociationId"].(string)
	moved := x.must("replace-network-acl-association", "--association-id", assoc, "--network-acl-id", aclID)["NewAssociationId"].(string)
	if !strings.HasPrefix(moved, "aclassoc-") || moved == assoc {
		t.Errorf("new association %q", moved)
	}
	now := x.must("describe-network-acls", "--filters", "Name=association.association-id,Values="+moved)["NetworkAcls"].([]any)
	if len(now) != 1 || now[0].(map[string]any)["NetworkAclId"] != aclID {
		t.Errorf("ACL of the moved subnet: %v", now)
	}
	for _, c := range []struct {
		code string
		args []string
	}{
		{"DependencyViolation", []string{"delete-network-acl", "--network-acl-id", aclID}},
		{"NetworkAclEntryAlreadyExists", []string{"create-network-acl-entry", "--network-acl-id", aclID, "--ingress",
			"--rule-number", "100", "--protocol", "-1", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow"}},
		{"InvalidNetworkAclEntry.NotFound", []string{"delete-network-acl-entry", "--network-acl-id", aclID, "--egress", "--rule-number", "110"}},
		{"MissingParameter", []string{"create-network-acl-entry", "--network-acl-id", aclID, "--ingress",
			"--rule-number", "120", "--protocol", "tcp", "--cidr-block", "0.0.0.0/0", "--rule-action", "allow"}},
		{"UnsupportedOperation", []string{"create-network-acl-entry", "--network-acl-id", aclID, "--ingress",
			"--rule-number", "120", "--protocol", "-1", "--ipv6-cidr-block", "::/0", "--rule-action", "allow"}},
		{"InvalidAssociationID.NotFound", []string{"replace-network-acl-association", "--association-id", assoc, "--network-acl-id", aclID}},
		{"DependencyViolation", []string{"delete-vpc", "--vpc-id", vpc}},
	} {
		if _, fail := x.aws(c.args...); !strings.Contains(fail, "("+c.code+")") {
			t.Errorf("aws ec2 %v: %q, want %s", c.args, fail, c.code)
		}
	}
	x.must("replace-network-acl-association", "--association-id", moved, "--network-acl-id",
		def[0].(map[string]any)["NetworkAclId"].(string))
	x.must("delete-network-acl", "--network-acl-id", aclID)
	x.must("delete-subnet", "--subnet-id", subnet)
	x.must("delete-vpc", "--vpc-id", vpc)
}
