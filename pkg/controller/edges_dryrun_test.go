package controller_test

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"net/url"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"golang.org/x/crypto/ssh"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
)

// TestEveryDryRunIsDecided replays, with DryRun=true, every served action
// whose botocore input has a DryRun member, its required members filled
// from resources the account owns: each must be decided by the controller
// (DryRunOperation, or the validation or NotFound error the real call would
// give), never succeed and never be answered InternalError, which the edge
// gives when Compute ignored the flag ("DryRun was not honoured") or the
// action has no dry_run field to carry it ("DryRun cannot be checked");
// and none may change a record of the store.
func TestEveryDryRunIsDecided(t *testing.T) {
	model := botocoreEC2Model(t)
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	values := dryRunValues(t, rig, e)
	codes := map[string][]string{}
	for _, name := range ec2query.Actions() {
		in, ok := model.input(name)
		if !ok || in.Members["DryRun"] == nil {
			continue
		}
		before := rig.Records(t)
		code, msg := replay(t, e.url, rig.Acct1, name, dryRunRequest(t, model, in, name, values))
		if changed := changedKeys(before, rig.Records(t)); len(changed) > 0 {
			t.Errorf("%s with DryRun=true (%s) changed %s", name, code, strings.Join(changed, " "))
		}
		switch code {
		case "":
			t.Errorf("%s with DryRun=true succeeded", name)
		case "InternalError":
			t.Errorf("%s with DryRun=true answers InternalError: %s", name, msg)
		}
		codes[code] = append(codes[code], name)
	}
	keys := make([]string, 0, len(codes))
	for k := range codes {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		t.Logf("%s: %s", k, strings.Join(codes[k], " "))
	}
}

// changedKeys are the keys added, removed or changed from before to after,
// sorted.
func changedKeys(before, after map[string]string) []string {
	var out []string
	for k, v := range after {
		if old, ok := before[k]; !ok || old != v {
			out = append(out, k)
		}
	}
	for k := range before {
		if _, ok := after[k]; !ok {
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
}

// dryRunParams are, by action, the members a dry run needs beyond the
// required ones botocore names (which dryRunValues fills), so that the
// request reaches the controller's check of the flag; {Member} is replaced
// by dryRunValues' value.
var dryRunParams = map[string]string{
	"AssociateAddress":    "AllocationId={AllocationId}&InstanceId={InstanceId}",
	"AssociateRouteTable": "RouteTableId={SpareRouteTableId}&SubnetId={SpareSubnetId}",
	"AuthorizeSecurityGroupEgress": "IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=443&IpPermissions.1.ToPort=443" +
		"&IpPermissions.1.IpRanges.1.CidrIp=10.1.0.0/16",
	"AuthorizeSecurityGroupIngress": "GroupId={GroupId}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=22" +
		"&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.1.0.0/16",
	"CancelImageLaunchPermission":       "",
	"CopySnapshot":                      "SourceSnapshotId={SnapshotId}",
	"CreateDefaultSubnet":               "AvailabilityZone=lab-1a",
	"CreateDhcpOptions":                 "DhcpConfiguration.1.Key=domain-name&DhcpConfiguration.1.Value.1=dry.internal",
	"CreateKeyPair":                     "KeyName=dry-new",
	"CreateLaunchTemplate":              "LaunchTemplateName=dry-new&LaunchTemplateData.ImageId={ImageId}",
	"CreateLaunchTemplateVersion":       "LaunchTemplateName={LaunchTemplateName}&LaunchTemplateData.ImageId={ImageId}",
	"CreateNetworkAclEntry":             "RuleNumber=110&CidrBlock=10.1.0.0/16",
	"CreatePlacementGroup":              "GroupName=dry-new&Strategy=spread",
	"CreateRoute":                       "DestinationCidrBlock=10.100.0.0/16&GatewayId={AttachedGatewayId}",
	"CreateSecurityGroup":               "GroupName=dry-new&VpcId={VpcId}",
	"CreateSubnet":                      "CidrBlock=10.9.2.0/24",
	"CreateTags":                        "Tag.1.Key=k&Tag.1.Value=v",
	"CreateVolume":                      "AvailabilityZone=lab-1a&Size=1",
	"CreateVpc":                         "CidrBlock=10.8.0.0/16",
	"CreateNatGateway":                  "SubnetId={InstanceSubnetId}&AllocationId={AllocationId}",
	"DeleteKeyPair":                     "KeyName={KeyName}",
	"DeleteLaunchTemplate":              "LaunchTemplateName={LaunchTemplateName}",
	"DeleteLaunchTemplateVersions":      "LaunchTemplateName={LaunchTemplateName}",
	"DeleteNetworkAclEntry":             "RuleNumber=100",
	"DeletePlacementGroup":              "GroupName={PlacementGroupName}",
	"DeleteRoute":                       "DestinationCidrBlock=0.0.0.0/0",
	"DeleteRouteTable":                  "RouteTableId={SpareRouteTableId}",
	"DeleteSecurityGroup":               "GroupId={NewGroupId}",
	"DeleteSubnet":                      "SubnetId={SubnetId}",
	"DeleteVpc":                         "VpcId={EmptyVpcId}",
	"AttachInternetGateway":             "VpcId={EmptyVpcId}",
	"DescribeInstanceAttribute":         "Attribute=instanceType",
	"DescribeNetworkInterfaceAttribute": "NetworkInterfaceId={NetworkInterfaceId}&Attribute=description",
	"DescribeSnapshotAttribute":         "Attribute=createVolumePermission",
	"DescribeVolumeAttribute":           "Attribute=autoEnableIO",
	"DetachInternetGateway":             "InternetGatewayId={AttachedGatewayId}",
	"DisassociateAddress":               "AssociationId={AddressAssociationId}",
	"DisassociateRouteTable":            "AssociationId={RouteTableAssociationId}",
	"EnableImageDeprecation":            "DeprecateAt={DeprecateAt}",
	"GetDefaultCreditSpecification":     "InstanceFamily=t3",
	"ImportKeyPair":                     "KeyName=dry-imported&PublicKeyMaterial={PublicKeyMaterial}",
	"ModifyDefaultCreditSpecification":  "InstanceFamily=t3&CpuCredits=unlimited",
	"ModifyEbsDefaultKmsKeyId":          "KmsKeyId=alias/dry",
	"ModifyImageAttribute":              "Description.Value=dry",
	"ModifyInstanceAttribute":           "DisableApiTermination.Value=true",
	"ModifyInstanceCreditSpecification": "InstanceCreditSpecification.1.InstanceId={InstanceId}" +
		"&InstanceCreditSpecification.1.CpuCredits=unlimited",
	"ModifyInstanceMetadataDefaults":  "HttpTokens=required",
	"ModifyLaunchTemplate":            "LaunchTemplateName={LaunchTemplateName}&SetDefaultVersion=1",
	"ModifyNetworkInterfaceAttribute": "NetworkInterfaceId={NetworkInterfaceId}&Description.Value=dry",
	"ModifySecurityGroupRules": "SecurityGroupRule.1.SecurityGroupRuleId={SecurityGroupRuleId}" +
		"&SecurityGroupRule.1.SecurityGroupRule.IpProtocol=-1&SecurityGroupRule.1.SecurityGroupRule.CidrIpv4=10.2.0.0/16",
	"ModifySnapshotAttribute":        "Attribute=createVolumePermission&OperationType=add&UserId.1=111111111111",
	"ModifyVolumeAttribute":          "AutoEnableIO.Value=true",
	"RegisterImage":                  "RootDeviceName=/dev/xvda&BlockDeviceMapping.1.DeviceName=/dev/xvda&BlockDeviceMapping.1.Ebs.SnapshotId={SnapshotId}",
	"ReleaseAddress":                 "AllocationId={AllocationId}",
	"ReplaceNetworkAclAssociation":   "AssociationId={NetworkAclAssociationId}",
	"ReplaceNetworkAclEntry":         "RuleNumber=100&CidrBlock=10.3.0.0/16",
	"ReplaceRoute":                   "DestinationCidrBlock=0.0.0.0/0&GatewayId={AttachedGatewayId}",
	"ReplaceRouteTableAssociation":   "AssociationId={RouteTableAssociationId}",
	"ReportInstanceStatus":           "Status=impaired&ReasonCode.1=unresponsive",
	"ResetImageAttribute":            "Attribute=launchPermission",
	"ResetInstanceAttribute":         "Attribute=sourceDestCheck",
	"ResetNetworkInterfaceAttribute": "NetworkInterfaceId={NetworkInterfaceId}&SourceDestCheck=sourceDestCheck",
	"ResetSnapshotAttribute":         "Attribute=createVolumePermission",
	"RevokeSecurityGroupEgress":      "IpPermissions.1.IpProtocol=-1&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0",
	"RevokeSecurityGroupIngress": "GroupId={GroupId}&IpPermissions.1.IpProtocol=tcp&IpPermissions.1.FromPort=80" +
		"&IpPermissions.1.ToPort=80&IpPermissions.1.IpRanges.1.CidrIp=10.4.0.0/16",
	"RunInstances": "ImageId={ImageId}&InstanceType=t3.micro&MinCount=1&MaxCount=1",
	"UpdateSecurityGroupRuleDescriptionsEgress": "GroupId={GroupId}&IpPermissions.1.IpProtocol=-1" +
		"&IpPermissions.1.IpRanges.1.CidrIp=0.0.0.0/0&IpPermissions.1.IpRanges.1.Description=dry",
	"UpdateSecurityGroupRuleDescriptionsIngress": "GroupId={GroupId}&IpPermissions.1.IpProtocol=tcp" +
		"&IpPermissions.1.FromPort=22&IpPermissions.1.ToPort=22&IpPermissions.1.IpRanges.1.CidrIp=10.5.0.0/16" +
		"&IpPermissions.1.IpRanges.1.Description=dry",
}

// dryRunRequest is the dry run of action name: its required members, then
// dryRunParams', from values.
func dryRunRequest(t *testing.T, m *ec2Model, in *modelShape, name string, values map[string]string) url.Values {
	t.Helper()
	p := m.requiredParams(in, values)
	pairs := make([]string, 0, 2*len(values))
	for k, v := range values {
		pairs = append(pairs, "{"+k+"}", url.QueryEscape(v))
	}
	extra, err := url.ParseQuery(strings.NewReplacer(pairs...).Replace(dryRunParams[name]))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	for k, v := range extra {
		p[k] = v
	}
	p.Set("DryRun", "true")
	return p
}

// dryRunValues creates one of each kind of resource for the rig's first
// account and returns values for the request members that name them: by
// botocore's member name, or by the names dryRunParams use.
func dryRunValues(t *testing.T, rig *controller.EdgeRig, e *edges) map[string]string {
	t.Helper()
	rig.SetElasticIPPool(t, "198.51.100.0/29")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	s := &dryRunSeed{t: t, ctx: ctx, c: e.sdk[rig.Acct1], v: map[string]string{
		"InstanceId": rig.Instance, "InstanceIds": rig.Instance, "Instances": rig.Instance, "Resources": rig.Instance,
		"VolumeId": rig.Volume, "ImageId": rig.AMI, "SourceImageId": rig.AMI,
		"SnapshotId": rig.CompletedSnapshot(t, rig.Acct1), "SourceRegion": "lab-1",
		"Device": "/dev/sdf", "Name": "dry-new", "Description": "dry", "GroupName": "dry-new",
		"Attribute": "description", "Versions": "2", "Protocol": "-1", "RuleAction": "allow",
		"Egress": "false", "RuleNumber": "100", "CidrBlock": "10.6.0.0/16",
		"DeprecateAt": time.Now().AddDate(1, 0, 0).UTC().Format(time.RFC3339),
	}}
	s.network()
	s.gateways()
	s.groups()
	s.addresses()
	s.named()
	return s.v
}

// dryRunSeed creates dryRunValues' resources, failing t on any error.
type dryRunSeed struct {
	t   *testing.T
	ctx context.Context
	c   *ec2.Client
	v   map[string]string
}

func (s *dryRunSeed) check(what string, err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatalf("seeding the dry runs: %s: %v", what, err)
	}
}

// network creates a VPC with two subnets, a route table associated with
// the first, a spare one and a network ACL (one entry, its own), and an
// empty VPC.
func (s *dryRunSeed) network() {
	vpc, err := s.c.CreateVpc(s.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.9.0.0/16")})
	s.check("CreateVpc", err)
	s.v["VpcId"] = aws.ToString(vpc.Vpc.VpcId)
	empty, err := s.c.CreateVpc(s.ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.7.0.0/16")})
	s.check("CreateVpc", err)
	s.v["EmptyVpcId"] = aws.ToString(empty.Vpc.VpcId)
	sub, err := s.c.CreateSubnet(s.ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.9.1.0/24"),
		AvailabilityZone: aws.String("lab-1a")})
	s.check("CreateSubnet", err)
	s.v["SubnetId"] = aws.ToString(sub.Subnet.SubnetId)
	spare, err := s.c.CreateSubnet(s.ctx, &ec2.CreateSubnetInput{VpcId: vpc.Vpc.VpcId, CidrBlock: aws.String("10.9.3.0/24"),
		AvailabilityZone: aws.String("lab-1a")})
	s.check("CreateSubnet", err)
	s.v["SpareSubnetId"] = aws.ToString(spare.Subnet.SubnetId)
	rt, err := s.c.CreateRouteTable(s.ctx, &ec2.CreateRouteTableInput{VpcId: vpc.Vpc.VpcId})
	s.check("CreateRouteTable", err)
	s.v["RouteTableId"] = aws.ToString(rt.RouteTable.RouteTableId)
	rt2, err := s.c.CreateRouteTable(s.ctx, &ec2.CreateRouteTableInput{VpcId: vpc.Vpc.VpcId})
	s.check("CreateRouteTable", err)
	s.v["SpareRouteTableId"] = aws.ToString(rt2.RouteTable.RouteTableId)
	as, err := s.c.AssociateRouteTable(s.ctx, &ec2.AssociateRouteTableInput{RouteTableId: rt.RouteTable.RouteTableId,
		SubnetId: sub.Subnet.SubnetId})
	s.check("AssociateRouteTable", err)
	s.v["RouteTableAssociationId"] = aws.ToString(as.AssociationId)
	acl, err := s.c.CreateNetworkAcl(s.ctx, &ec2.CreateNetworkAclInput{VpcId: vpc.Vpc.VpcId})
	s.check("CreateNetworkAcl", err)
	s.v["NetworkAclId"] = aws.ToString(acl.NetworkAcl.NetworkAclId)
	_, err = s.c.CreateNetworkAclEntry(s.ctx, &ec2.CreateNetworkAclEntryInput{NetworkAclId: acl.NetworkAcl.NetworkAclId,
		RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(false),
		CidrBlock: aws.String("10.0.0.0/8")})
	s.check("CreateNetworkAclEntry", err)
	acls, err := s.c.DescribeNetworkAcls(s.ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{
		{Name: aws.String("association.subnet-id"), Values: []string{s.v["SubnetId"]}}}})
	s.check("DescribeNetworkAcls", err)
	for _, a := range acls.NetworkAcls {
		for _, as := range a.Associations {
			if aws.ToString(as.SubnetId) == s.v["SubnetId"] {
				s.v["NetworkAclAssociationId"] = aws.ToString(as.NetworkAclAssociationId)
			}
		}
	}
}

// gateways creates a detached gateway and one attached to the VPC, with
// the route table's default route through it.
func (s *dryRunSeed) gateways() {
	igw, err := s.c.CreateInternetGateway(s.ctx, &ec2.CreateInternetGatewayInput{})
	s.check("CreateInternetGateway", err)
	s.v["InternetGatewayId"] = aws.ToString(igw.InternetGateway.InternetGatewayId)
	att, err := s.c.CreateInternetGateway(s.ctx, &ec2.CreateInternetGatewayInput{})
	s.check("CreateInternetGateway", err)
	s.v["AttachedGatewayId"] = aws.ToString(att.InternetGateway.InternetGatewayId)
	_, err = s.c.AttachInternetGateway(s.ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: att.InternetGateway.InternetGatewayId,
		VpcId: aws.String(s.v["VpcId"])})
	s.check("AttachInternetGateway", err)
	_, err = s.c.CreateRoute(s.ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(s.v["RouteTableId"]),
		DestinationCidrBlock: aws.String("0.0.0.0/0"), GatewayId: att.InternetGateway.InternetGatewayId})
	s.check("CreateRoute", err)
}

// groups finds the instance's group, one of its rules and its network
// interface, and creates a group no one uses.
func (s *dryRunSeed) groups() {
	in, err := s.c.DescribeInstances(s.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{s.v["InstanceId"]}})
	s.check("DescribeInstances", err)
	inst := in.Reservations[0].Instances[0]
	s.v["GroupId"] = aws.ToString(inst.SecurityGroups[0].GroupId)
	s.v["GroupIds"], s.v["InstanceVpcId"] = s.v["GroupId"], aws.ToString(inst.VpcId)
	s.v["NetworkInterfaceId"] = aws.ToString(inst.NetworkInterfaces[0].NetworkInterfaceId)
	rules, err := s.c.DescribeSecurityGroupRules(s.ctx, &ec2.DescribeSecurityGroupRulesInput{Filters: []types.Filter{
		{Name: aws.String("group-id"), Values: []string{s.v["GroupId"]}}}})
	s.check("DescribeSecurityGroupRules", err)
	s.v["SecurityGroupRuleId"] = aws.ToString(rules.SecurityGroupRules[0].SecurityGroupRuleId)
	g, err := s.c.CreateSecurityGroup(s.ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("dry-unused"),
		Description: aws.String("dry"), VpcId: aws.String(s.v["VpcId"])})
	s.check("CreateSecurityGroup", err)
	s.v["NewGroupId"] = aws.ToString(g.GroupId)
}

// addresses allocates a free Elastic IP, one associated with the
// instance (its default VPC has an internet gateway) and one for a NAT
// gateway in the instance's subnet.
func (s *dryRunSeed) addresses() {
	free, err := s.c.AllocateAddress(s.ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	s.check("AllocateAddress", err)
	s.v["AllocationId"] = aws.ToString(free.AllocationId)
	used, err := s.c.AllocateAddress(s.ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	s.check("AllocateAddress", err)
	as, err := s.c.AssociateAddress(s.ctx, &ec2.AssociateAddressInput{AllocationId: used.AllocationId,
		InstanceId: aws.String(s.v["InstanceId"])})
	s.check("AssociateAddress", err)
	s.v["AddressAssociationId"] = aws.ToString(as.AssociationId)
	// A NAT gateway in the instance's (default, public) subnet, on a third address.
	in, err := s.c.DescribeInstances(s.ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{s.v["InstanceId"]}})
	s.check("DescribeInstances", err)
	s.v["InstanceSubnetId"] = aws.ToString(in.Reservations[0].Instances[0].SubnetId)
	third, err := s.c.AllocateAddress(s.ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	s.check("AllocateAddress", err)
	nat, err := s.c.CreateNatGateway(s.ctx, &ec2.CreateNatGatewayInput{SubnetId: aws.String(s.v["InstanceSubnetId"]),
		AllocationId: third.AllocationId})
	s.check("CreateNatGateway", err)
	s.v["NatGatewayId"] = aws.ToString(nat.NatGateway.NatGatewayId)
}

// named creates a key pair, a DHCP option set, a placement group and a
// launch template with two versions, and an SSH key to import.
func (s *dryRunSeed) named() {
	key, err := s.c.CreateKeyPair(s.ctx, &ec2.CreateKeyPairInput{KeyName: aws.String("dry")})
	s.check("CreateKeyPair", err)
	s.v["KeyName"], s.v["KeyPairId"] = aws.ToString(key.KeyName), aws.ToString(key.KeyPairId)
	dhcp, err := s.c.CreateDhcpOptions(s.ctx, &ec2.CreateDhcpOptionsInput{DhcpConfigurations: []types.NewDhcpConfiguration{
		{Key: aws.String("domain-name"), Values: []string{"example.internal"}}}})
	s.check("CreateDhcpOptions", err)
	s.v["DhcpOptionsId"] = aws.ToString(dhcp.DhcpOptions.DhcpOptionsId)
	_, err = s.c.CreatePlacementGroup(s.ctx, &ec2.CreatePlacementGroupInput{GroupName: aws.String("dry"),
		Strategy: types.PlacementStrategySpread})
	s.check("CreatePlacementGroup", err)
	s.v["PlacementGroupName"] = "dry"
	data := &types.RequestLaunchTemplateData{ImageId: aws.String(s.v["ImageId"])}
	_, err = s.c.CreateLaunchTemplate(s.ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("dry"), LaunchTemplateData: data})
	s.check("CreateLaunchTemplate", err)
	_, err = s.c.CreateLaunchTemplateVersion(s.ctx, &ec2.CreateLaunchTemplateVersionInput{LaunchTemplateName: aws.String("dry"),
		LaunchTemplateData: data})
	s.check("CreateLaunchTemplateVersion", err)
	s.v["LaunchTemplateName"] = "dry"
	pub, _, err := ed25519.GenerateKey(rand.Reader)
	s.check("ed25519", err)
	sk, err := ssh.NewPublicKey(pub)
	s.check("ssh key", err)
	s.v["PublicKeyMaterial"] = base64.StdEncoding.EncodeToString(ssh.MarshalAuthorizedKey(sk))
}
