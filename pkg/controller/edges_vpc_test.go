package controller_test

import (
	"context"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestVPCAttributesThroughTheSDK: what Terraform's aws_vpc and Ansible's
// ec2_vpc_net/ec2_vpc_subnet call, through the Query API with the AWS SDK
// for Go: VPC DNS attributes set and read back, a secondary block in
// DescribeVpcs' cidrBlockAssociationSet (and over gRPC), ClassicLink
// answered as off, subnet attributes, and an unknown attribute refused.
func TestVPCAttributesThroughTheSDK(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx := context.Background()
	c := e.sdk[rig.Acct1]
	vpc, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.42.0.0/16")})
	if err != nil {
		t.Fatal(err)
	}
	id := vpc.Vpc.VpcId
	if _, err := c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.50.0.0/16"), InstanceTenancy: types.TenancyDefault}); err != nil {
		t.Fatalf("default tenancy, as Terraform and Ansible send it: %v", err)
	}
	_, err = c.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.51.0.0/16"), InstanceTenancy: types.TenancyDedicated})
	if o := sdkOutcome(err); o.code != "UnsupportedOperation" {
		t.Errorf("dedicated tenancy: %+v", o)
	}
	_, err = c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1),
		MaxCount: aws.Int32(1), EbsOptimized: aws.Bool(true)})
	if o := sdkOutcome(err); o.code != "UnsupportedOperation" {
		t.Errorf("RunInstances EbsOptimized: %+v", o)
	}
	if len(vpc.Vpc.CidrBlockAssociationSet) != 1 || vpc.Vpc.CidrBlockAssociationSet[0].CidrBlockState.State != types.VpcCidrBlockStateCodeAssociated {
		t.Fatalf("CreateVpc's block associations: %+v", vpc.Vpc.CidrBlockAssociationSet)
	}
	if _, err := c.ModifyVpcAttribute(ctx, &ec2.ModifyVpcAttributeInput{VpcId: id,
		EnableDnsHostnames: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	for attr, want := range map[types.VpcAttributeName]bool{
		types.VpcAttributeNameEnableDnsSupport: true, types.VpcAttributeNameEnableDnsHostnames: true,
		types.VpcAttributeNameEnableNetworkAddressUsageMetrics: false,
	} {
		out, err := c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: id, Attribute: attr})
		if err != nil {
			t.Fatalf("%s: %v", attr, err)
		}
		var got *types.AttributeBooleanValue
		switch attr {
		case types.VpcAttributeNameEnableDnsSupport:
			got = out.EnableDnsSupport
		case types.VpcAttributeNameEnableDnsHostnames:
			got = out.EnableDnsHostnames
		default:
			got = out.EnableNetworkAddressUsageMetrics
		}
		if got == nil || aws.ToBool(got.Value) != want || aws.ToString(out.VpcId) != *id {
			t.Errorf("%s = %+v, want %v", attr, got, want)
		}
	}
	_, err = c.DescribeVpcAttribute(ctx, &ec2.DescribeVpcAttributeInput{VpcId: id, Attribute: "enableClassicLink"})
	if o := sdkOutcome(err); o.code != "InvalidParameterValue" || o.httpState != 400 {
		t.Errorf("unknown attribute: %+v", o)
	}

	assoc, err := c.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: id, CidrBlock: aws.String("10.43.0.0/16")})
	if err != nil || aws.ToString(assoc.CidrBlockAssociation.CidrBlock) != "10.43.0.0/16" {
		t.Fatalf("AssociateVpcCidrBlock: %+v %v", assoc, err)
	}
	_, err = c.AssociateVpcCidrBlock(ctx, &ec2.AssociateVpcCidrBlockInput{VpcId: id, AmazonProvidedIpv6CidrBlock: aws.Bool(true)})
	if o := sdkOutcome(err); o.code != "UnsupportedOperation" {
		t.Errorf("IPv6 block: %+v", o)
	}
	vpcs, err := c.DescribeVpcs(ctx, &ec2.DescribeVpcsInput{VpcIds: []string{*id}})
	if err != nil || len(vpcs.Vpcs[0].CidrBlockAssociationSet) != 2 ||
		aws.ToString(vpcs.Vpcs[0].CidrBlockAssociationSet[1].AssociationId) != aws.ToString(assoc.CidrBlockAssociation.AssociationId) {
		t.Fatalf("DescribeVpcs blocks: %+v %v", vpcs, err)
	}
	overGRPC, err := e.grpc[rig.Acct1].DescribeVpcs(ctx, &v1.DescribeVpcsRequest{VpcIds: []string{*id}})
	if err != nil || len(overGRPC.GetVpcs()[0].GetCidrBlockAssociations()) != 2 {
		t.Fatalf("gRPC DescribeVpcs blocks: %v %v", overGRPC, err)
	}

	links, err := c.DescribeVpcClassicLink(ctx, &ec2.DescribeVpcClassicLinkInput{VpcIds: []string{*id}})
	if err != nil || len(links.Vpcs) != 1 || aws.ToBool(links.Vpcs[0].ClassicLinkEnabled) {
		t.Fatalf("DescribeVpcClassicLink: %+v %v", links, err)
	}
	dns, err := c.DescribeVpcClassicLinkDnsSupport(ctx, &ec2.DescribeVpcClassicLinkDnsSupportInput{VpcIds: []string{*id}})
	if err != nil || len(dns.Vpcs) != 1 || aws.ToString(dns.Vpcs[0].VpcId) != *id || aws.ToBool(dns.Vpcs[0].ClassicLinkDnsSupported) {
		t.Fatalf("DescribeVpcClassicLinkDnsSupport: %+v %v", dns, err)
	}

	sn, err := c.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: id, CidrBlock: aws.String("10.43.1.0/24")})
	if err != nil {
		t.Fatal(err)
	}
	s := sn.Subnet
	if aws.ToString(s.SubnetArn) == "" || aws.ToString(s.AvailabilityZoneId) == "" || aws.ToBool(s.AssignIpv6AddressOnCreation) ||
		s.PrivateDnsNameOptionsOnLaunch == nil || s.PrivateDnsNameOptionsOnLaunch.HostnameType != types.HostnameTypeIpName {
		t.Errorf("subnet fields: %+v", s)
	}
	if _, err := c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: s.SubnetId,
		MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(false)}}); err != nil {
		t.Fatalf("MapPublicIpOnLaunch false: %v", err)
	}
	_, err = c.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: s.SubnetId,
		EnableResourceNameDnsAAAARecordOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}})
	if o := sdkOutcome(err); o.code != "UnsupportedOperation" {
		t.Errorf("AAAA records: %+v", o)
	}

	types_, err := c.DescribeInstanceTypes(ctx, &ec2.DescribeInstanceTypesInput{InstanceTypes: []types.InstanceType{"t3.nano"}})
	if err != nil || len(types_.InstanceTypes) != 1 {
		t.Fatalf("DescribeInstanceTypes: %v", err)
	}
	it := types_.InstanceTypes[0]
	if it.EbsInfo == nil || it.NetworkInfo == nil || it.PlacementGroupInfo == nil || it.VCpuInfo == nil ||
		aws.ToInt32(it.NetworkInfo.MaximumNetworkInterfaces) < 1 || it.Hypervisor != types.InstanceTypeHypervisorNitro {
		t.Errorf("t3.nano lacks what Terraform's aws_ec2_instance_type needs: %+v", it)
	}
}
