package ec2query

import (
	"context"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Security groups and their rules in the fake (secgroup_rules_test.go,
// testdata/secgroup_rules.py assert these constants).
const (
	// fakeGroup (fake_netread_test.go) is the group the rules belong to.
	fakePeer  = "sg-0fedcba987654321f"
	fakeRule  = "sgr-0123456789abcdef0"
	fakeRule2 = "sgr-0fedcba987654321f"
)

// cannedRules are an ssh rule from a range (tagged) and an all-traffic
// rule from a group.
func cannedRules(egress bool) []*ec2labv1.SecurityGroupRule {
	return []*ec2labv1.SecurityGroupRule{
		{SecurityGroupRuleId: fakeRule, GroupId: fakeGroup, GroupOwnerId: fakeAccount, IsEgress: egress, IpProtocol: "tcp",
			FromPort: 22, ToPort: 22, CidrIpv4: "10.0.0.0/8", Description: "ssh", Tags: []*ec2labv1.Tag{{Key: "Name", Value: "ssh"}},
			SecurityGroupRuleArn: "arn:aws:ec2:lab-1:" + fakeAccount + ":security-group-rule/" + fakeRule},
		{SecurityGroupRuleId: fakeRule2, GroupId: fakeGroup, GroupOwnerId: fakeAccount, IsEgress: egress, IpProtocol: "-1",
			FromPort: -1, ToPort: -1, ReferencedGroupInfo: &ec2labv1.ReferencedSecurityGroup{GroupId: fakePeer, UserId: fakeAccount},
			SecurityGroupRuleArn: "arn:aws:ec2:lab-1:" + fakeAccount + ":security-group-rule/" + fakeRule2},
	}
}

func (f *fakeCompute) authorize(ctx context.Context, r *ec2labv1.SecurityGroupRulesRequest, egress bool) (*ec2labv1.SecurityGroupRulesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.SecurityGroupRulesResponse{Return: true, SecurityGroupRules: cannedRules(egress)[:1]}, nil
}

func (f *fakeCompute) AuthorizeSecurityGroupIngress(ctx context.Context, r *ec2labv1.SecurityGroupRulesRequest) (*ec2labv1.SecurityGroupRulesResponse, error) {
	return f.authorize(ctx, r, false)
}

func (f *fakeCompute) AuthorizeSecurityGroupEgress(ctx context.Context, r *ec2labv1.SecurityGroupRulesRequest) (*ec2labv1.SecurityGroupRulesResponse, error) {
	return f.authorize(ctx, r, true)
}

func (f *fakeCompute) revoke(ctx context.Context, r *ec2labv1.RevokeSecurityGroupRulesRequest, egress bool) (*ec2labv1.RevokeSecurityGroupRulesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.RevokeSecurityGroupRulesResponse{Return: true, RevokedSecurityGroupRules: cannedRules(egress)}, nil
}

func (f *fakeCompute) RevokeSecurityGroupIngress(ctx context.Context, r *ec2labv1.RevokeSecurityGroupRulesRequest) (*ec2labv1.RevokeSecurityGroupRulesResponse, error) {
	return f.revoke(ctx, r, false)
}

func (f *fakeCompute) RevokeSecurityGroupEgress(ctx context.Context, r *ec2labv1.RevokeSecurityGroupRulesRequest) (*ec2labv1.RevokeSecurityGroupRulesResponse, error) {
	return f.revoke(ctx, r, true)
}

func (f *fakeCompute) DescribeSecurityGroupRules(ctx context.Context, r *ec2labv1.DescribeSecurityGroupRulesRequest) (*ec2labv1.DescribeSecurityGroupRulesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeSecurityGroupRulesResponse{SecurityGroupRules: cannedRules(false)}, nil
}

func (f *fakeCompute) ModifySecurityGroupRules(ctx context.Context, r *ec2labv1.ModifySecurityGroupRulesRequest) (*ec2labv1.ModifySecurityGroupRulesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.ModifySecurityGroupRulesResponse{Return: true}, nil
}

func (f *fakeCompute) UpdateSecurityGroupRuleDescriptionsIngress(ctx context.Context, r *ec2labv1.UpdateSecurityGroupRuleDescriptionsRequest) (*ec2labv1.UpdateSecurityGroupRuleDescriptionsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.UpdateSecurityGroupRuleDescriptionsResponse{Return: true}, nil
}

func (f *fakeCompute) DescribeSecurityGroups(ctx context.Context, r *ec2labv1.DescribeSecurityGroupsRequest) (*ec2labv1.DescribeSecurityGroupsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeSecurityGroupsResponse{SecurityGroups: []*ec2labv1.SecurityGroup{{GroupId: fakeGroup, GroupName: "web",
		Description: "web servers", VpcId: fakeVpc, OwnerId: fakeAccount,
		IpPermissions: []*ec2labv1.IpPermission{{IpProtocol: "tcp", FromPort: 22, ToPort: 22,
			IpRanges:         []*ec2labv1.IpRange{{CidrIp: "10.0.0.0/8", Description: "ssh"}},
			UserIdGroupPairs: []*ec2labv1.UserIdGroupPair{{GroupId: fakePeer, Description: "from peers"}}}},
		IpPermissionsEgress: []*ec2labv1.IpPermission{{IpProtocol: "-1", FromPort: -1, ToPort: -1,
			IpRanges: []*ec2labv1.IpRange{{CidrIp: "0.0.0.0/0"}}}},
		SecurityGroupArn: "arn:aws:ec2:lab-1:" + fakeAccount + ":security-group/" + fakeGroup}}}, nil
}
