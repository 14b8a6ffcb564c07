package controller_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// TestTerraformSecurityGroupRuleCalls makes, over the Query API with
// aws-sdk-go-v2, the calls of Terraform's aws_security_group (revoke the
// default egress, IPv4 then IPv6) and of aws_vpc_security_group_ingress_rule
// (authorize with tags and take the rule ID from the answer, read it with
// DescribeSecurityGroupRules, modify it, revoke it by ID).
func TestTerraformSecurityGroupRuleCalls(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	c := newEdges(t, rig.Svc, rig.Acct1).sdk[rig.Acct1]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	sg, err := c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("tf"), Description: aws.String("Managed by Terraform")})
	if err != nil {
		t.Fatal(err)
	}
	gid := sg.GroupId
	allOut := func(r types.IpPermission) []types.IpPermission {
		r.IpProtocol, r.FromPort, r.ToPort = aws.String("-1"), aws.Int32(0), aws.Int32(0)
		return []types.IpPermission{r}
	}
	if _, err := c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: gid,
		IpPermissions: allOut(types.IpPermission{IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}})}); err != nil {
		t.Fatalf("revoke the IPv4 default egress: %v", err)
	}
	_, err = c.RevokeSecurityGroupEgress(ctx, &ec2.RevokeSecurityGroupEgressInput{GroupId: gid,
		IpPermissions: allOut(types.IpPermission{Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}}})})
	if code := apiCode(err); code != "InvalidPermission.NotFound" {
		t.Fatalf("revoke the IPv6 default egress: %v, want InvalidPermission.NotFound", err)
	}

	auth, err := c.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: gid,
		IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []types.IpRange{{CidrIp: aws.String("10.0.0.0/8"), Description: aws.String("ssh")}}}},
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeSecurityGroupRule,
			Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("ssh")}}}}})
	if err != nil || len(auth.SecurityGroupRules) != 1 {
		t.Fatalf("authorize: %+v %v", auth, err)
	}
	id := auth.SecurityGroupRules[0].SecurityGroupRuleId
	read := func() types.SecurityGroupRule {
		t.Helper()
		out, err := c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{aws.ToString(id)}})
		if err != nil || len(out.SecurityGroupRules) != 1 {
			t.Fatalf("describe %s: %+v %v", aws.ToString(id), out, err)
		}
		return out.SecurityGroupRules[0]
	}
	r := read()
	if aws.ToString(r.GroupId) != aws.ToString(gid) || aws.ToBool(r.IsEgress) || aws.ToString(r.CidrIpv4) != "10.0.0.0/8" ||
		aws.ToInt32(r.FromPort) != 22 || aws.ToString(r.Description) != "ssh" || len(r.Tags) != 1 || aws.ToString(r.GroupOwnerId) != rig.Acct1 {
		t.Errorf("rule read back: %+v", r)
	}

	if _, err := c.ModifySecurityGroupRules(ctx, &ec2.ModifySecurityGroupRulesInput{GroupId: gid,
		SecurityGroupRules: []types.SecurityGroupRuleUpdate{{SecurityGroupRuleId: id, SecurityGroupRule: &types.SecurityGroupRuleRequest{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(2222), ToPort: aws.Int32(2222), CidrIpv4: aws.String("10.1.0.0/16")}}}}); err != nil {
		t.Fatalf("modify: %v", err)
	}
	if r := read(); aws.ToInt32(r.FromPort) != 2222 || aws.ToString(r.CidrIpv4) != "10.1.0.0/16" || aws.ToString(r.Description) != "" || len(r.Tags) != 1 {
		t.Errorf("rule after modify: %+v", r)
	}
	rev, err := c.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: gid, SecurityGroupRuleIds: []string{aws.ToString(id)}})
	if err != nil || len(rev.RevokedSecurityGroupRules) != 1 || aws.ToString(rev.RevokedSecurityGroupRules[0].SecurityGroupRuleId) != aws.ToString(id) {
		t.Fatalf("revoke by ID: %+v %v", rev, err)
	}
	_, err = c.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{SecurityGroupRuleIds: []string{aws.ToString(id)}})
	if code := apiCode(err); code != "InvalidSecurityGroupRuleId.NotFound" {
		t.Errorf("describe a revoked rule: %v, want InvalidSecurityGroupRuleId.NotFound", err)
	}
	groups, err := c.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{aws.ToString(gid)}})
	if err != nil || len(groups.SecurityGroups[0].IpPermissions) != 0 || len(groups.SecurityGroups[0].IpPermissionsEgress) != 0 {
		t.Errorf("group left: %+v %v, want no rules", groups, err)
	}
}

func apiCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}
