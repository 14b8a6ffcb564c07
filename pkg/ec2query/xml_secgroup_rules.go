package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Security group rule shapes (botocore: SecurityGroupRule,
// ReferencedSecurityGroup, RevokedSecurityGroupRule).

type referencedGroupXML struct {
	GroupID string `xml:"groupId"`
	UserID  string `xml:"userId,omitempty"`
}

type securityGroupRuleXML struct {
	ID          string              `xml:"securityGroupRuleId"`
	GroupID     string              `xml:"groupId"`
	OwnerID     string              `xml:"groupOwnerId"`
	IsEgress    bool                `xml:"isEgress"`
	IPProtocol  string              `xml:"ipProtocol"`
	FromPort    int32               `xml:"fromPort"`
	ToPort      int32               `xml:"toPort"`
	CidrIpv4    string              `xml:"cidrIpv4,omitempty"`
	Referenced  *referencedGroupXML `xml:"referencedGroupInfo,omitempty"`
	Description string              `xml:"description,omitempty"`
	TagSet      *tagSetXML          `xml:"tagSet,omitempty"`
	ARN         string              `xml:"securityGroupRuleArn,omitempty"`
}

func securityGroupRules(rs []*ec2labv1.SecurityGroupRule) []securityGroupRuleXML {
	out := make([]securityGroupRuleXML, len(rs))
	for i, r := range rs {
		out[i] = securityGroupRuleXML{ID: r.GetSecurityGroupRuleId(), GroupID: r.GetGroupId(), OwnerID: r.GetGroupOwnerId(),
			IsEgress: r.GetIsEgress(), IPProtocol: r.GetIpProtocol(), FromPort: r.GetFromPort(), ToPort: r.GetToPort(),
			CidrIpv4: r.GetCidrIpv4(), Description: r.GetDescription(), TagSet: tagsXML(r.GetTags()),
			ARN: r.GetSecurityGroupRuleArn()}
		if g := r.GetReferencedGroupInfo(); g != nil {
			out[i].Referenced = &referencedGroupXML{GroupID: g.GetGroupId(), UserID: g.GetUserId()}
		}
	}
	return out
}

type revokedRuleXML struct {
	ID          string `xml:"securityGroupRuleId"`
	GroupID     string `xml:"groupId"`
	IsEgress    bool   `xml:"isEgress"`
	IPProtocol  string `xml:"ipProtocol"`
	FromPort    int32  `xml:"fromPort"`
	ToPort      int32  `xml:"toPort"`
	CidrIpv4    string `xml:"cidrIpv4,omitempty"`
	PeerGroupID string `xml:"referencedGroupId,omitempty"`
	Description string `xml:"description,omitempty"`
}

type authorizeRulesBody struct {
	meta
	Return bool                   `xml:"return"`
	Rules  []securityGroupRuleXML `xml:"securityGroupRuleSet>item"`
}

func authorizeRulesXML(r *ec2labv1.SecurityGroupRulesResponse) body {
	return &authorizeRulesBody{Return: true, Rules: securityGroupRules(r.GetSecurityGroupRules())}
}

type revokeRulesBody struct {
	meta
	Return bool             `xml:"return"`
	Rules  []revokedRuleXML `xml:"revokedSecurityGroupRuleSet>item"`
}

func revokeRulesXML(r *ec2labv1.RevokeSecurityGroupRulesResponse) body {
	b := &revokeRulesBody{Return: true}
	for _, r := range r.GetRevokedSecurityGroupRules() {
		b.Rules = append(b.Rules, revokedRuleXML{ID: r.GetSecurityGroupRuleId(), GroupID: r.GetGroupId(),
			IsEgress: r.GetIsEgress(), IPProtocol: r.GetIpProtocol(), FromPort: r.GetFromPort(), ToPort: r.GetToPort(),
			CidrIpv4: r.GetCidrIpv4(), PeerGroupID: r.GetReferencedGroupInfo().GetGroupId(), Description: r.GetDescription()})
	}
	return b
}

type describeRulesBody struct {
	meta
	Rules     []securityGroupRuleXML `xml:"securityGroupRuleSet>item"`
	NextToken string                 `xml:"nextToken,omitempty"`
}

func describeSecurityGroupRulesXML(r *ec2labv1.DescribeSecurityGroupRulesResponse) body {
	return &describeRulesBody{Rules: securityGroupRules(r.GetSecurityGroupRules()), NextToken: r.GetNextToken()}
}
