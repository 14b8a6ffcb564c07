package controller_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/grpc/codes"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

func sdkFilter(name string, values ...string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// TestNetworkReadsAgreeOnBothEdges: the instance's interface, its VPC's
// main route table and default network ACL read the same over gRPC and
// over the Query API with aws-sdk-go-v2 (Terraform's SDK, with the filters
// Terraform's aws_vpc reads them by).
func TestNetworkReadsAgreeOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g, q := e.grpc[rig.Acct1], e.sdk[rig.Acct1]

	res, err := g.DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: []string{rig.Instance}})
	if err != nil {
		t.Fatal(err)
	}
	in := res.GetReservations()[0].GetInstances()[0]
	if len(in.GetNetworkInterfaces()) != 1 {
		t.Fatalf("gRPC instance interfaces: %v", in.GetNetworkInterfaces())
	}
	eni := in.GetNetworkInterfaces()[0]
	qi, err := q.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{rig.Instance}})
	if err != nil {
		t.Fatal(err)
	}
	if nis := qi.Reservations[0].Instances[0].NetworkInterfaces; len(nis) != 1 || aws.ToString(nis[0].NetworkInterfaceId) != eni.GetNetworkInterfaceId() {
		t.Errorf("Query API instance interfaces %+v, gRPC %s", nis, eni.GetNetworkInterfaceId())
	}
	qn, err := q.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{
		Filters: []types.Filter{sdkFilter("attachment.instance-id", rig.Instance)}})
	if err != nil || len(qn.NetworkInterfaces) != 1 {
		t.Fatalf("Query API DescribeNetworkInterfaces: %+v %v", qn, err)
	}
	ni := qn.NetworkInterfaces[0]
	if aws.ToString(ni.NetworkInterfaceId) != eni.GetNetworkInterfaceId() || aws.ToString(ni.SubnetId) != in.GetSubnetId() ||
		aws.ToString(ni.PrivateIpAddress) != in.GetPrivateIpAddress() || ni.Status != types.NetworkInterfaceStatusInUse ||
		ni.Attachment == nil || aws.ToInt32(ni.Attachment.DeviceIndex) != 0 || ni.Attachment.Status != types.AttachmentStatusAttached {
		t.Errorf("Query API interface %+v, gRPC %v", ni, eni)
	}

	vpc := in.GetVpcId()
	rt, err := q.DescribeRouteTables(ctx, &ec2.DescribeRouteTablesInput{
		Filters: []types.Filter{sdkFilter("vpc-id", vpc), sdkFilter("association.main", "true")}})
	// The default VPC's main table: the local route, then 0.0.0.0/0 to its internet gateway.
	if err != nil || len(rt.RouteTables) != 1 || len(rt.RouteTables[0].Routes) != 2 ||
		aws.ToString(rt.RouteTables[0].Routes[0].GatewayId) != "local" || !aws.ToBool(rt.RouteTables[0].Associations[0].Main) ||
		aws.ToString(rt.RouteTables[0].Routes[1].DestinationCidrBlock) != "0.0.0.0/0" ||
		!strings.HasPrefix(aws.ToString(rt.RouteTables[0].Routes[1].GatewayId), "igw-") || rt.RouteTables[0].Routes[1].State != types.RouteStateActive {
		t.Fatalf("Query API main route table: %+v %v", rt, err)
	}
	grt, err := g.DescribeRouteTables(ctx, &v1.DescribeRouteTablesRequest{RouteTableIds: []string{aws.ToString(rt.RouteTables[0].RouteTableId)}})
	if err != nil || grt.GetRouteTables()[0].GetVpcId() != vpc {
		t.Errorf("gRPC route table: %v %v", grt, err)
	}
	acl, err := q.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{
		Filters: []types.Filter{sdkFilter("default", "true"), sdkFilter("vpc-id", vpc)}})
	if err != nil || len(acl.NetworkAcls) != 1 || len(acl.NetworkAcls[0].Entries) != 4 {
		t.Fatalf("Query API default ACL: %+v %v", acl, err)
	}
	gacl, err := g.DescribeNetworkAcls(ctx, &v1.DescribeNetworkAclsRequest{Filters: []*v1.Filter{
		{Name: "association.subnet-id", Values: []string{in.GetSubnetId()}}}})
	if err != nil || len(gacl.GetNetworkAcls()) != 1 || gacl.GetNetworkAcls()[0].GetNetworkAclId() != aws.ToString(acl.NetworkAcls[0].NetworkAclId) {
		t.Errorf("gRPC ACL of the instance's subnet: %v %v", gacl, err)
	}
}

// TestNetworkErrorsAlikeOnBothEdges: an unknown interface and a launch
// naming a subnet twice answer EC2's codes on both edges.
func TestNetworkErrorsAlikeOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g, q := e.grpc[rig.Acct1], e.sdk[rig.Acct1]
	missing := "eni-00000000000000000"
	_, gerr := g.DescribeNetworkInterfaces(ctx, &v1.DescribeNetworkInterfacesRequest{NetworkInterfaceIds: []string{missing}})
	_, qerr := q.DescribeNetworkInterfaces(ctx, &ec2.DescribeNetworkInterfacesInput{NetworkInterfaceIds: []string{missing}})
	if got := grpcOutcome(gerr); got.code != ec2err.InvalidNetworkInterfaceIDNotFound || got.grpcCode != codes.NotFound {
		t.Errorf("gRPC unknown interface: %+v", got)
	}
	if got := sdkOutcome(qerr); got.code != ec2err.InvalidNetworkInterfaceIDNotFound || got.httpState != http.StatusBadRequest {
		t.Errorf("Query API unknown interface: %+v", got)
	}

	subnet := "subnet-0123456789abcdef0"
	_, gerr = g.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: "ami-0123456789abcdef0", MinCount: 1, MaxCount: 1, SubnetId: subnet,
		NetworkInterfaces: []*v1.InstanceNetworkInterfaceSpecification{{DeviceIndex: new(int32(0)), SubnetId: subnet}}})
	_, qerr = q.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String("ami-0123456789abcdef0"), MinCount: aws.Int32(1),
		MaxCount: aws.Int32(1), SubnetId: aws.String(subnet), NetworkInterfaces: []types.InstanceNetworkInterfaceSpecification{
			{DeviceIndex: aws.Int32(0), SubnetId: aws.String(subnet)}}})
	if got := grpcOutcome(gerr); got.code != ec2err.InvalidParameterCombination {
		t.Errorf("gRPC subnet twice: %+v", got)
	}
	if got := sdkOutcome(qerr); got.code != ec2err.InvalidParameterCombination || got.httpState != http.StatusBadRequest {
		t.Errorf("Query API subnet twice: %+v", got)
	}
}
