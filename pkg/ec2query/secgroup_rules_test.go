package ec2query

import (
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestSecurityGroupRuleParameters checks what each rule action's wire form
// (as boto3 and the AWS CLI send it) becomes.
func TestSecurityGroupRuleParameters(t *testing.T) {
	tests := []struct {
		name, form string
		want       string // prototext of the request Compute gets
	}{
		{"authorize with every peer kind and tags", "Action=AuthorizeSecurityGroupIngress&GroupId=" + fakeGroup +
			"&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22" +
			"&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=%3A%3A%2F0&IpPermissions.1.Ipv6Ranges.1.Description=v6" +
			"&IpPermissions.1.PrefixListIds.1.PrefixListId=pl-1&IpPermissions.1.Groups.1.GroupId=" + fakePeer +
			"&IpPermissions.1.Groups.1.Description=peers&TagSpecification.1.ResourceType=security-group-rule" +
			"&TagSpecification.1.Tag.1.Key=Name&TagSpecification.1.Tag.1.Value=ssh",
			`group_id:"` + fakeGroup + `" ip_permissions:{ip_protocol:"tcp" from_port:22 to_port:22
			 user_id_group_pairs:{group_id:"` + fakePeer + `" description:"peers"} ipv6_ranges:{cidr_ipv6:"::/0" description:"v6"}
			 prefix_list_ids:{prefix_list_id:"pl-1"}}
			 tag_specifications:{resource_type:"security-group-rule" tags:{key:"Name" value:"ssh"}}`},
		{"revoke by rule ID", "Action=RevokeSecurityGroupEgress&GroupId=" + fakeGroup + "&SecurityGroupRuleId.1=" + fakeRule,
			`group_id:"` + fakeGroup + `" security_group_rule_ids:"` + fakeRule + `"`},
		{"revoke IPv6 only", "Action=RevokeSecurityGroupEgress&GroupId=" + fakeGroup +
			"&IpPermissions.1.IpProtocol=-1&IpPermissions.1.FromPort=0&IpPermissions.1.ToPort=0&IpPermissions.1.Ipv6Ranges.1.CidrIpv6=%3A%3A%2F0",
			`group_id:"` + fakeGroup + `" ip_permissions:{ip_protocol:"-1" ipv6_ranges:{cidr_ipv6:"::/0"}}`},
		{"describe rules", "Action=DescribeSecurityGroupRules&SecurityGroupRuleId.1=" + fakeRule +
			"&Filter.1.Name=group-id&Filter.1.Value.1=" + fakeGroup + "&MaxResults=5",
			`security_group_rule_ids:"` + fakeRule + `" filters:{name:"group-id" values:"` + fakeGroup + `"} max_results:5`},
		{"modify", "Action=ModifySecurityGroupRules&GroupId=" + fakeGroup + "&SecurityGroupRule.1.SecurityGroupRuleId=" + fakeRule +
			"&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=tcp&SecurityGroupRule.1.SecurityGroupRule.FromPort=0" +
			"&SecurityGroupRule.1.SecurityGroupRule.ToPort=0&SecurityGroupRule.1.SecurityGroupRule.ReferencedGroupId=" + fakePeer,
			`group_id:"` + fakeGroup + `" security_group_rules:{security_group_rule_id:"` + fakeRule + `"
			 security_group_rule:{ip_protocol:"tcp" from_port:0 to_port:0 referenced_group_id:"` + fakePeer + `"}}`},
		{"update descriptions", "Action=UpdateSecurityGroupRuleDescriptionsIngress&GroupName=web" +
			"&SecurityGroupRuleDescription.1.SecurityGroupRuleId=" + fakeRule + "&SecurityGroupRuleDescription.1.Description=ssh",
			`group_name:"web" security_group_rule_descriptions:{security_group_rule_id:"` + fakeRule + `" description:"ssh"}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeCompute{}
			rep := post(t, testHandler(f), tt.form+"&Version=2016-11-15")
			if rep.status != 200 || len(f.calls) != 1 {
				t.Fatalf("got %d %s (calls %d)", rep.status, rep.body, len(f.calls))
			}
			if !equalsText(t, f.calls[0], tt.want) {
				t.Fatalf("Compute got\n%s\nwant\n%s", prototext.Format(f.calls[0]), tt.want)
			}
		})
	}
}

func TestSecurityGroupRuleRequired(t *testing.T) {
	tests := []struct{ name, form string }{
		{"modify without rules", "Action=ModifySecurityGroupRules&GroupId=" + fakeGroup},
		{"modify without a group", "Action=ModifySecurityGroupRules&SecurityGroupRule.1.SecurityGroupRuleId=" + fakeRule},
		{"revoke egress without a group", "Action=RevokeSecurityGroupEgress&SecurityGroupRuleId.1=" + fakeRule},
	}
	for _, tt := range tests {
		rep := post(t, testHandler(&fakeCompute{}), tt.form+"&Version=2016-11-15")
		if e := ec2Error(t, rep); rep.status != 400 || e.Code != ec2err.MissingParameter {
			t.Errorf("%s: got %d %s %q, want 400 MissingParameter", tt.name, rep.status, e.Code, e.Message)
		}
	}
}

// TestSecurityGroupRuleDocuments checks the elements botocore reads from
// each answer.
func TestSecurityGroupRuleDocuments(t *testing.T) {
	tests := []struct {
		form string
		want []string
	}{
		{"Action=AuthorizeSecurityGroupIngress&GroupId=" + fakeGroup, []string{
			"<return>true</return><securityGroupRuleSet><item><securityGroupRuleId>" + fakeRule + "</securityGroupRuleId><groupId>" + fakeGroup +
				"</groupId><groupOwnerId>" + fakeAccount + "</groupOwnerId><isEgress>false</isEgress><ipProtocol>tcp</ipProtocol>" +
				"<fromPort>22</fromPort><toPort>22</toPort><cidrIpv4>10.0.0.0/8</cidrIpv4><description>ssh</description>" +
				"<tagSet><item><key>Name</key><value>ssh</value></item></tagSet><securityGroupRuleArn>arn:aws:ec2:lab-1:"}},
		{"Action=DescribeSecurityGroupRules", []string{
			"<isEgress>false</isEgress><ipProtocol>-1</ipProtocol><fromPort>-1</fromPort><toPort>-1</toPort><referencedGroupInfo><groupId>" +
				fakePeer + "</groupId><userId>" + fakeAccount + "</userId></referencedGroupInfo><tagSet></tagSet>"}},
		{"Action=RevokeSecurityGroupEgress&GroupId=" + fakeGroup + "&SecurityGroupRuleId.1=" + fakeRule, []string{
			"<return>true</return><revokedSecurityGroupRuleSet><item><securityGroupRuleId>" + fakeRule + "</securityGroupRuleId><groupId>" +
				fakeGroup + "</groupId><isEgress>true</isEgress>",
			"<referencedGroupId>" + fakePeer + "</referencedGroupId>"}},
		{"Action=DescribeSecurityGroups", []string{
			"<groups><item><groupId>" + fakePeer + "</groupId><userId>" + fakeAccount + "</userId><description>from peers</description></item></groups>" +
				"<ipRanges><item><cidrIp>10.0.0.0/8</cidrIp><description>ssh</description></item></ipRanges><ipv6Ranges></ipv6Ranges><prefixListIds></prefixListIds>"}},
	}
	for _, tt := range tests {
		rep := post(t, testHandler(&fakeCompute{}), tt.form+"&Version=2016-11-15")
		for _, w := range tt.want {
			if rep.status != 200 || !strings.Contains(rep.body, w) {
				t.Errorf("%s: got %d %s\nwant it to contain %s", tt.form, rep.status, rep.body, w)
			}
		}
	}
}

// TestBotoSecurityGroupRules drives the rule actions with boto3: every
// answer must match botocore's model, and the requests reach Compute as
// boto3 meant them.
func TestBotoSecurityGroupRules(t *testing.T) {
	needBoto3(t)
	srv, f := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/secgroup_rules.py")
	if !strings.Contains(out, "SECGROUP RULES OK") {
		t.Fatalf("secgroup_rules.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
	auths := received[*ec2labv1.SecurityGroupRulesRequest](f)
	revokes := received[*ec2labv1.RevokeSecurityGroupRulesRequest](f)
	mods := received[*ec2labv1.ModifySecurityGroupRulesRequest](f)
	if len(auths) != 1 || len(revokes) != 2 || len(mods) != 1 {
		t.Fatalf("Compute got %d authorize, %d revoke, %d modify requests", len(auths), len(revokes), len(mods))
	}
	for i, w := range []string{
		`group_id:"` + fakeGroup + `" ip_permissions:{ip_protocol:"tcp" from_port:22 to_port:22 ip_ranges:{cidr_ip:"10.0.0.0/8" description:"ssh"}}
		 tag_specifications:{resource_type:"security-group-rule" tags:{key:"Name" value:"ssh"}}`,
	} {
		if !equalsText(t, auths[i], w) {
			t.Errorf("authorize %d: Compute got\n%s\nwant\n%s", i, prototext.Format(auths[i]), w)
		}
	}
	for i, w := range []string{
		`group_id:"` + fakeGroup + `" ip_permissions:{ip_protocol:"-1" from_port:0 to_port:0 ipv6_ranges:{cidr_ipv6:"::/0"}}`,
		`group_id:"` + fakeGroup + `" security_group_rule_ids:"` + fakeRule + `"`,
	} {
		if !equalsText(t, revokes[i], w) {
			t.Errorf("revoke %d: Compute got\n%s\nwant\n%s", i, prototext.Format(revokes[i]), w)
		}
	}
	w := `group_id:"` + fakeGroup + `" security_group_rules:{security_group_rule_id:"` + fakeRule + `"
	 security_group_rule:{ip_protocol:"tcp" from_port:2222 to_port:2222 cidr_ipv4:"10.1.0.0/16" description:"ssh moved"}}`
	if !equalsText(t, mods[0], w) {
		t.Errorf("modify: Compute got\n%s\nwant\n%s", prototext.Format(mods[0]), w)
	}
}
