package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// Network ACL shapes beyond DescribeNetworkAcls' (xml_netread.go): an
// entry's port range and ICMP type and code, CreateNetworkAcl's and
// ReplaceNetworkAclAssociation's answers. The entry actions answer
// <return>true</return>.

type portRangeXML struct {
	From int32 `xml:"from"`
	To   int32 `xml:"to"`
}

type icmpTypeCodeXML struct {
	Code int32 `xml:"code"`
	Type int32 `xml:"type"`
}

// networkACLEntry is one entry, with portRange or icmpTypeCode where its
// protocol has them.
func networkACLEntry(e *ec2labv1.NetworkAclEntry) networkACLEntryXML {
	x := networkACLEntryXML{RuleNumber: e.GetRuleNumber(), Protocol: e.GetProtocol(), RuleAction: e.GetRuleAction(),
		Egress: e.GetEgress(), CidrBlock: e.GetCidrBlock()}
	if p := e.GetPortRange(); p != nil {
		x.PortRange = &portRangeXML{From: p.GetFrom(), To: p.GetTo()}
	}
	if i := e.GetIcmpTypeCode(); i != nil {
		x.IcmpTypeCode = &icmpTypeCodeXML{Code: i.GetCode(), Type: i.GetType()}
	}
	return x
}

type createNetworkACLBody struct {
	meta
	NetworkACL  networkACLXML `xml:"networkAcl"`
	ClientToken string        `xml:"clientToken,omitempty"`
}

func createNetworkACLXML(r *ec2labv1.CreateNetworkAclResponse) body {
	return &createNetworkACLBody{NetworkACL: networkACL(r.GetNetworkAcl()), ClientToken: r.GetClientToken()}
}

type replaceNetworkACLAssociationBody struct {
	meta
	NewAssociationID string `xml:"newAssociationId"`
}

func replaceNetworkACLAssociationXML(r *ec2labv1.ReplaceNetworkAclAssociationResponse) body {
	return &replaceNetworkACLAssociationBody{NewAssociationID: r.GetNewAssociationId()}
}
