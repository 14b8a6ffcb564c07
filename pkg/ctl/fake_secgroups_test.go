package ctl

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Security groups and their rules in fakeCompute: requests are recorded,
// answers built from them or canned.

const (
	sampleGroup = "sg-0123456789abcdef0"
	samplePeer  = "sg-0fedcba987654321f"
	sampleRule  = "sgr-0123456789abcdef0"
)

func (f *fakeCompute) recordSG(m proto.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.sgRequests = append(f.sgRequests, proto.Clone(m))
}

// sampleRule is a rule of sampleGroup: tcp 22 from cidr, or all traffic
// from samplePeer when cidr is "".
func sampleSGRule(id, cidr string, egress bool) *pb.SecurityGroupRule {
	r := &pb.SecurityGroupRule{SecurityGroupRuleId: id, GroupId: sampleGroup, GroupOwnerId: "000000000001", IsEgress: egress,
		IpProtocol: "tcp", FromPort: 22, ToPort: 22, CidrIpv4: cidr, Description: "ssh",
		Tags: []*pb.Tag{{Key: "Name", Value: "ssh"}}, SecurityGroupRuleArn: "arn:aws:ec2:lab-1:000000000001:security-group-rule/" + id}
	if cidr == "" {
		r.IpProtocol, r.FromPort, r.ToPort, r.Description, r.Tags = "-1", -1, -1, "", nil
		r.ReferencedGroupInfo = &pb.ReferencedSecurityGroup{GroupId: samplePeer, UserId: "000000000001"}
	}
	return r
}

func (f *fakeCompute) AuthorizeSecurityGroupIngress(_ context.Context, r *pb.SecurityGroupRulesRequest) (*pb.SecurityGroupRulesResponse, error) {
	f.recordSG(r)
	if r.GetDryRun() {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.DryRunOperation, "Request would have succeeded, but DryRun flag is set."))
	}
	out := &pb.SecurityGroupRulesResponse{Return: true}
	for _, p := range r.GetIpPermissions() {
		for _, ipr := range p.GetIpRanges() {
			out.SecurityGroupRules = append(out.SecurityGroupRules, sampleSGRule(sampleRule, ipr.GetCidrIp(), false))
		}
	}
	return out, nil
}

func (f *fakeCompute) RevokeSecurityGroupEgress(_ context.Context, r *pb.RevokeSecurityGroupRulesRequest) (*pb.RevokeSecurityGroupRulesResponse, error) {
	f.recordSG(r)
	out := &pb.RevokeSecurityGroupRulesResponse{Return: true}
	for _, id := range r.GetSecurityGroupRuleIds() {
		out.RevokedSecurityGroupRules = append(out.RevokedSecurityGroupRules, sampleSGRule(id, "", true))
	}
	return out, nil
}

func (f *fakeCompute) DescribeSecurityGroupRules(_ context.Context, r *pb.DescribeSecurityGroupRulesRequest) (*pb.DescribeSecurityGroupRulesResponse, error) {
	f.recordSG(r)
	return &pb.DescribeSecurityGroupRulesResponse{SecurityGroupRules: []*pb.SecurityGroupRule{
		sampleSGRule(sampleRule, "10.0.0.0/8", false), sampleSGRule("sgr-0fedcba987654321f", "", true)}}, nil
}

func (f *fakeCompute) ModifySecurityGroupRules(_ context.Context, r *pb.ModifySecurityGroupRulesRequest) (*pb.ModifySecurityGroupRulesResponse, error) {
	f.recordSG(r)
	return &pb.ModifySecurityGroupRulesResponse{Return: true}, nil
}

func (f *fakeCompute) UpdateSecurityGroupRuleDescriptionsEgress(_ context.Context, r *pb.UpdateSecurityGroupRuleDescriptionsRequest) (*pb.UpdateSecurityGroupRuleDescriptionsResponse, error) {
	f.recordSG(r)
	return &pb.UpdateSecurityGroupRuleDescriptionsResponse{Return: true}, nil
}

func (f *fakeCompute) DescribeSecurityGroups(context.Context, *pb.DescribeSecurityGroupsRequest) (*pb.DescribeSecurityGroupsResponse, error) {
	return &pb.DescribeSecurityGroupsResponse{SecurityGroups: []*pb.SecurityGroup{{GroupId: sampleGroup, GroupName: "web",
		Description: "web servers", VpcId: "vpc-0123456789abcdef0", OwnerId: "000000000001",
		IpPermissions: []*pb.IpPermission{{IpProtocol: "tcp", FromPort: 22, ToPort: 22,
			IpRanges: []*pb.IpRange{{CidrIp: "10.0.0.0/8", Description: "ssh"}},
			UserIdGroupPairs: []*pb.UserIdGroupPair{{GroupId: samplePeer, Description: "from peers",
				UserId: "000000000001"}}}},
		IpPermissionsEgress: []*pb.IpPermission{{IpProtocol: "-1", FromPort: -1, ToPort: -1,
			IpRanges: []*pb.IpRange{{CidrIp: "0.0.0.0/0"}}}},
		Tags: []*pb.Tag{{Key: "Name", Value: "web"}}, SecurityGroupArn: sampleGroupARN}}}, nil
}
