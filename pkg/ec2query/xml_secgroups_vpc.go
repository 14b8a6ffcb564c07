package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// The EC2 shapes of DescribeSecurityGroupReferences,
// DescribeStaleSecurityGroups and GetSecurityGroupsForVpc.

type securityGroupReferenceXML struct {
	GroupID                string `xml:"groupId"`
	ReferencingVpcID       string `xml:"referencingVpcId"`
	VpcPeeringConnectionID string `xml:"vpcPeeringConnectionId,omitempty"`
}

type describeSecurityGroupReferencesBody struct {
	meta
	Items []securityGroupReferenceXML `xml:"securityGroupReferenceSet>item"`
}

func securityGroupReferencesXML(r *ec2labv1.DescribeSecurityGroupReferencesResponse) body {
	b := &describeSecurityGroupReferencesBody{}
	for _, ref := range r.GetSecurityGroupReferenceSet() {
		b.Items = append(b.Items, securityGroupReferenceXML{GroupID: ref.GetGroupId(),
			ReferencingVpcID: ref.GetReferencingVpcId(), VpcPeeringConnectionID: ref.GetVpcPeeringConnectionId()})
	}
	return b
}

type staleGroupPairXML struct {
	GroupID string `xml:"groupId"`
}

type staleIPPermissionXML struct {
	FromPort   *int32              `xml:"fromPort,omitempty"`
	IPProtocol string              `xml:"ipProtocol"`
	ToPort     *int32              `xml:"toPort,omitempty"`
	Groups     []staleGroupPairXML `xml:"groups>item"`
}

type staleSecurityGroupXML struct {
	Description              string                 `xml:"description"`
	GroupID                  string                 `xml:"groupId"`
	GroupName                string                 `xml:"groupName"`
	StaleIPPermissions       []staleIPPermissionXML `xml:"staleIpPermissions>item"`
	StaleIPPermissionsEgress []staleIPPermissionXML `xml:"staleIpPermissionsEgress>item"`
	VpcID                    string                 `xml:"vpcId"`
}

type describeStaleSecurityGroupsBody struct {
	meta
	NextToken string                  `xml:"nextToken,omitempty"`
	Items     []staleSecurityGroupXML `xml:"staleSecurityGroupSet>item"`
}

func staleSecurityGroupsXML(r *ec2labv1.DescribeStaleSecurityGroupsResponse) body {
	b := &describeStaleSecurityGroupsBody{NextToken: r.GetNextToken()}
	for _, g := range r.GetStaleSecurityGroupSet() {
		b.Items = append(b.Items, staleSecurityGroupXML{Description: g.GetDescription(), GroupID: g.GetGroupId(),
			GroupName: g.GetGroupName(), VpcID: g.GetVpcId(), StaleIPPermissions: stalePermissions(g.GetStaleIpPermissions()),
			StaleIPPermissionsEgress: stalePermissions(g.GetStaleIpPermissionsEgress())})
	}
	return b
}

// stalePermissions renders stale rules; like EC2's rules, the
// all-protocols rule has no ports.
func stalePermissions(ps []*ec2labv1.StaleIpPermission) []staleIPPermissionXML {
	var out []staleIPPermissionXML
	for _, p := range ps {
		x := staleIPPermissionXML{IPProtocol: p.GetIpProtocol()}
		if p.GetIpProtocol() != "-1" {
			from, to := p.GetFromPort(), p.GetToPort()
			x.FromPort, x.ToPort = &from, &to
		}
		for _, g := range p.GetUserIdGroupPairs() {
			x.Groups = append(x.Groups, staleGroupPairXML{GroupID: g.GetGroupId()})
		}
		out = append(out, x)
	}
	return out
}

type securityGroupForVpcXML struct {
	Description  string     `xml:"description"`
	GroupName    string     `xml:"groupName"`
	OwnerID      string     `xml:"ownerId"`
	GroupID      string     `xml:"groupId"`
	TagSet       *tagSetXML `xml:"tagSet,omitempty"`
	PrimaryVpcID string     `xml:"primaryVpcId"`
}

type getSecurityGroupsForVpcBody struct {
	meta
	NextToken string                   `xml:"nextToken,omitempty"`
	Items     []securityGroupForVpcXML `xml:"securityGroupForVpcSet>item"`
}

func securityGroupsForVpcXML(r *ec2labv1.GetSecurityGroupsForVpcResponse) body {
	b := &getSecurityGroupsForVpcBody{NextToken: r.GetNextToken()}
	for _, g := range r.GetSecurityGroupForVpcs() {
		b.Items = append(b.Items, securityGroupForVpcXML{Description: g.GetDescription(), GroupName: g.GetGroupName(),
			OwnerID: g.GetOwnerId(), GroupID: g.GetGroupId(), TagSet: tagsXML(g.GetTags()), PrimaryVpcID: g.GetPrimaryVpcId()})
	}
	return b
}
