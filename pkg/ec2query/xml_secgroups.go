package ec2query

import (
	"context"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Security group shapes (botocore: SecurityGroup, IpPermission,
// GroupIdentifier).

type groupIdentXML struct {
	GroupID   string `xml:"groupId"`
	GroupName string `xml:"groupName"`
}

type groupSetXML struct {
	Items []groupIdentXML `xml:"item"`
}

func groupSet(gs []*ec2labv1.GroupIdentifier) groupSetXML {
	var x groupSetXML
	for _, g := range gs {
		x.Items = append(x.Items, groupIdentXML{g.GetGroupId(), g.GetGroupName()})
	}
	return x
}

type ipRangeXML struct {
	CidrIP      string `xml:"cidrIp"`
	Description string `xml:"description,omitempty"`
}

type ipv6RangeXML struct {
	CidrIpv6    string `xml:"cidrIpv6"`
	Description string `xml:"description,omitempty"`
}

type prefixListIDXML struct {
	PrefixListID string `xml:"prefixListId"`
	Description  string `xml:"description,omitempty"`
}

type groupPairXML struct {
	GroupID     string `xml:"groupId"`
	UserID      string `xml:"userId,omitempty"`
	Description string `xml:"description,omitempty"`
}

// ipPermissionXML: every list is present, empty or not, as in EC2.
type ipPermissionXML struct {
	IPProtocol string            `xml:"ipProtocol"`
	FromPort   *int32            `xml:"fromPort,omitempty"`
	ToPort     *int32            `xml:"toPort,omitempty"`
	Groups     []groupPairXML    `xml:"groups>item"`
	IPRanges   []ipRangeXML      `xml:"ipRanges>item"`
	Ipv6Ranges []ipv6RangeXML    `xml:"ipv6Ranges>item"`
	PrefixList []prefixListIDXML `xml:"prefixListIds>item"`
}

type securityGroupXML struct {
	OwnerID     string            `xml:"ownerId"`
	GroupID     string            `xml:"groupId"`
	GroupName   string            `xml:"groupName"`
	Description string            `xml:"groupDescription"`
	VpcID       string            `xml:"vpcId"`
	Ingress     []ipPermissionXML `xml:"ipPermissions>item"`
	Egress      []ipPermissionXML `xml:"ipPermissionsEgress>item"`
	TagSet      *tagSetXML        `xml:"tagSet,omitempty"`
	ARN         string            `xml:"securityGroupArn,omitempty"`
}

// permissions renders rules; like EC2, the all-protocols rule has no ports.
func permissions(ps []*ec2labv1.IpPermission, owner string) []ipPermissionXML {
	var out []ipPermissionXML
	for _, p := range ps {
		x := ipPermissionXML{IPProtocol: p.GetIpProtocol()}
		if p.GetIpProtocol() != "-1" {
			from, to := p.GetFromPort(), p.GetToPort()
			x.FromPort, x.ToPort = &from, &to
		}
		for _, r := range p.GetIpRanges() {
			x.IPRanges = append(x.IPRanges, ipRangeXML{r.GetCidrIp(), r.GetDescription()})
		}
		for _, r := range p.GetIpv6Ranges() {
			x.Ipv6Ranges = append(x.Ipv6Ranges, ipv6RangeXML{r.GetCidrIpv6(), r.GetDescription()})
		}
		for _, pl := range p.GetPrefixListIds() {
			x.PrefixList = append(x.PrefixList, prefixListIDXML{pl.GetPrefixListId(), pl.GetDescription()})
		}
		for _, g := range p.GetUserIdGroupPairs() {
			x.Groups = append(x.Groups, groupPairXML{GroupID: g.GetGroupId(), UserID: owner, Description: g.GetDescription()})
		}
		out = append(out, x)
	}
	return out
}

func securityGroup(g *ec2labv1.SecurityGroup) securityGroupXML {
	return securityGroupXML{OwnerID: g.GetOwnerId(), GroupID: g.GetGroupId(), GroupName: g.GetGroupName(),
		Description: g.GetDescription(), VpcID: g.GetVpcId(), Ingress: permissions(g.GetIpPermissions(), g.GetOwnerId()),
		Egress: permissions(g.GetIpPermissionsEgress(), g.GetOwnerId()), TagSet: tagsXML(g.GetTags()),
		ARN: g.GetSecurityGroupArn()}
}

type describeSecurityGroupsBody struct {
	meta
	Info struct {
		Items []securityGroupXML `xml:"item"`
	} `xml:"securityGroupInfo"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeSecurityGroupsXML(r *ec2labv1.DescribeSecurityGroupsResponse) body {
	b := &describeSecurityGroupsBody{NextToken: r.GetNextToken()}
	for _, g := range r.GetSecurityGroups() {
		b.Info.Items = append(b.Info.Items, securityGroup(g))
	}
	return b
}

type createSecurityGroupBody struct {
	meta
	Return  bool   `xml:"return"`
	GroupID string `xml:"groupId"`
	ARN     string `xml:"securityGroupArn,omitempty"`
}

func createSecurityGroupXML(r *ec2labv1.CreateSecurityGroupResponse) body {
	return &createSecurityGroupBody{Return: true, GroupID: r.GetGroupId(), ARN: r.GetSecurityGroupArn()}
}

// deleteSecurityGroup echoes the group ID EC2 returns alongside <return>.
func deleteSecurityGroup(ctx context.Context, s compute, r *ec2labv1.DeleteSecurityGroupRequest) (body, error) {
	if _, err := s.DeleteSecurityGroup(ctx, r); err != nil {
		return nil, err
	}
	return &deleteSecurityGroupBody{Return: true, GroupID: r.GetGroupId()}, nil
}

type deleteSecurityGroupBody struct {
	meta
	Return  bool   `xml:"return"`
	GroupID string `xml:"groupId,omitempty"`
}
