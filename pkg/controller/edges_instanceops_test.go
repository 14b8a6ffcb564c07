package controller_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestInstanceOpsThroughTheQueryAPI drives the instance and account
// operations with aws-sdk-go-v2 through ec2d's Query API over a real
// controller: type offerings, credit specifications of a non-burstable
// instance, attribute resets, UEFI data of a BIOS instance, topology.
func TestInstanceOpsThroughTheQueryAPI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	c := e.sdk[rig.Acct1]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	offers, err := c.DescribeInstanceTypeOfferings(ctx, &ec2.DescribeInstanceTypeOfferingsInput{
		LocationType: types.LocationTypeAvailabilityZone,
		Filters:      []types.Filter{{Name: aws.String("instance-type"), Values: []string{"t3.micro", "m5.4xlarge"}}}})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range offers.InstanceTypeOfferings {
		got = append(got, aws.ToString(o.Location)+"/"+string(o.InstanceType))
	}
	if want := []string{"lab-1a/t3.micro", "lab-1b/t3.micro"}; !slices.Equal(got, want) {
		t.Errorf("offerings %v, want %v (8-vCPU hosts hold no m5.4xlarge)", got, want)
	}

	mod, err := c.ModifyInstanceCreditSpecification(ctx, &ec2.ModifyInstanceCreditSpecificationInput{
		InstanceCreditSpecifications: []types.InstanceCreditSpecificationRequest{{InstanceId: aws.String(rig.Instance), CpuCredits: aws.String("standard")}}})
	if err != nil || len(mod.SuccessfulInstanceCreditSpecifications) != 0 || len(mod.UnsuccessfulInstanceCreditSpecifications) != 1 ||
		mod.UnsuccessfulInstanceCreditSpecifications[0].Error.Code != types.UnsuccessfulInstanceCreditSpecificationErrorCodeInstanceCreditSpecificationNotSupported {
		t.Errorf("credit specification of lab.tiny: %+v, %v; want InstanceCreditSpecification.NotSupported", mod, err)
	}
	_, err = c.DescribeInstanceCreditSpecifications(ctx, &ec2.DescribeInstanceCreditSpecificationsInput{InstanceIds: []string{rig.Instance}})
	if got := sdkOutcome(err); got.code != ec2err.InvalidParameterValue {
		t.Errorf("credit specifications of lab.tiny: %v, want InvalidParameterValue", err)
	}

	if _, err := c.ResetInstanceAttribute(ctx, &ec2.ResetInstanceAttributeInput{InstanceId: aws.String(rig.Instance),
		Attribute: types.InstanceAttributeNameSourceDestCheck}); err != nil {
		t.Errorf("reset sourceDestCheck: %v", err)
	}
	_, err = c.ResetInstanceAttribute(ctx, &ec2.ResetInstanceAttributeInput{InstanceId: aws.String(rig.Instance),
		Attribute: types.InstanceAttributeNameKernel})
	if got := sdkOutcome(err); got.code != ec2err.IncorrectInstanceState {
		t.Errorf("reset kernel of a running instance: %v", err)
	}

	_, err = c.GetInstanceUefiData(ctx, &ec2.GetInstanceUefiDataInput{InstanceId: aws.String(rig.Instance)})
	if got := sdkOutcome(err); got.code != ec2err.UnsupportedOperation {
		t.Errorf("UEFI data of a BIOS instance: %v", err)
	}

	topo, err := c.DescribeInstanceTopology(ctx, &ec2.DescribeInstanceTopologyInput{})
	if err != nil || len(topo.Instances) != 1 || aws.ToString(topo.Instances[0].InstanceId) != rig.Instance ||
		len(topo.Instances[0].NetworkNodes) != 3 || aws.ToString(topo.Instances[0].ZoneId) != "lab-1-az1" {
		t.Errorf("topology %+v, %v", topo, err)
	}
}

// TestDefaultVpcThroughTheQueryAPI: an account deletes its default VPC
// (DescribeAccountAttributes then says none), makes it again, and its
// zones' default subnets come with it.
func TestDefaultVpcThroughTheQueryAPI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct2)
	c := e.sdk[rig.Acct2]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	defaultVPC := func() string {
		t.Helper()
		out, err := c.DescribeAccountAttributes(ctx, &ec2.DescribeAccountAttributesInput{AttributeNames: []types.AccountAttributeName{"default-vpc"}})
		if err != nil || len(out.AccountAttributes) != 1 {
			t.Fatalf("account attributes: %+v, %v", out, err)
		}
		return aws.ToString(out.AccountAttributes[0].AttributeValues[0].AttributeValue)
	}
	_, err := c.CreateDefaultVpc(ctx, &ec2.CreateDefaultVpcInput{})
	if got := sdkOutcome(err); got.code != ec2err.DefaultVpcAlreadyExists {
		t.Fatalf("CreateDefaultVpc with one: %v", err)
	}
	old := defaultVPC()
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(old)}); sdkOutcome(err).code != ec2err.DependencyViolation {
		t.Fatalf("DeleteVpc of the default VPC with its gateway and subnets: %v", err)
	}
	igws, err := c.DescribeInternetGateways(ctx, &ec2.DescribeInternetGatewaysInput{Filters: []types.Filter{
		{Name: aws.String("attachment.vpc-id"), Values: []string{old}}}})
	if err != nil || len(igws.InternetGateways) != 1 {
		t.Fatalf("the default VPC's internet gateway: %+v %v", igws, err)
	}
	igw := igws.InternetGateways[0].InternetGatewayId
	if _, err := c.DetachInternetGateway(ctx, &ec2.DetachInternetGatewayInput{InternetGatewayId: igw, VpcId: aws.String(old)}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.DeleteInternetGateway(ctx, &ec2.DeleteInternetGatewayInput{InternetGatewayId: igw}); err != nil {
		t.Fatal(err)
	}
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, sn := range subs.Subnets {
		if _, err := c.DeleteSubnet(ctx, &ec2.DeleteSubnetInput{SubnetId: sn.SubnetId}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.DeleteVpc(ctx, &ec2.DeleteVpcInput{VpcId: aws.String(old)}); err != nil {
		t.Fatalf("DeleteVpc of the default VPC: %v", err)
	}
	if got := defaultVPC(); got != "none" {
		t.Fatalf("default-vpc after its deletion: %s", got)
	}
	made, err := c.CreateDefaultVpc(ctx, &ec2.CreateDefaultVpcInput{})
	if err != nil || !aws.ToBool(made.Vpc.IsDefault) || aws.ToString(made.Vpc.CidrBlock) != "172.31.0.0/16" {
		t.Fatalf("CreateDefaultVpc: %+v, %v", made, err)
	}
	if got := defaultVPC(); got != aws.ToString(made.Vpc.VpcId) || got == old {
		t.Errorf("default-vpc %s, want the new %s", got, aws.ToString(made.Vpc.VpcId))
	}
	_, err = c.CreateDefaultSubnet(ctx, &ec2.CreateDefaultSubnetInput{AvailabilityZone: aws.String("lab-1a")})
	if got := sdkOutcome(err); got.code != ec2err.DefaultSubnetAlreadyExistsInAZ {
		t.Errorf("CreateDefaultSubnet in a zone with one: %v", err)
	}
}
