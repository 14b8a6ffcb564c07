package controller_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/grpc/codes"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestLaunchTemplateAsTerraformUsesIt: the calls of Terraform's
// aws_launch_template (create with a ClientToken and tags, read back by ID
// and version, a new version, the default moved) and of an aws_instance
// launched from it, through the Query API with the AWS SDK for Go, against
// a real controller; the gRPC edge reads the same template.
func TestLaunchTemplateAsTerraformUsesIt(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx := context.Background()
	c := e.sdk[rig.Acct1]
	ami := imageOf(t, c, rig.Instance)
	data := &types.RequestLaunchTemplateData{UserData: aws.String(""), ImageId: aws.String(ami), InstanceType: "lab.tiny",
		MetadataOptions: &types.LaunchTemplateInstanceMetadataOptionsRequest{HttpTokens: types.LaunchTemplateHttpTokensStateRequired},
		NetworkInterfaces: []types.LaunchTemplateInstanceNetworkInterfaceSpecificationRequest{{DeviceIndex: aws.Int32(0),
			NetworkCardIndex: aws.Int32(0), AssociatePublicIpAddress: aws.Bool(false)}},
		BlockDeviceMappings: []types.LaunchTemplateBlockDeviceMappingRequest{{DeviceName: aws.String("/dev/xvda"),
			Ebs: &types.LaunchTemplateEbsBlockDeviceRequest{VolumeSize: aws.Int32(2), DeleteOnTermination: aws.Bool(true)}}},
		TagSpecifications: []types.LaunchTemplateTagSpecificationRequest{{ResourceType: types.ResourceTypeInstance,
			Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("web")}}}}}
	created, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{ClientToken: aws.String("terraform-1"),
		LaunchTemplateName: aws.String("web"), LaunchTemplateData: data,
		TagSpecifications: []types.TagSpecification{{ResourceType: types.ResourceTypeLaunchTemplate,
			Tags: []types.Tag{{Key: aws.String("team"), Value: aws.String("lab")}}}}})
	if err != nil {
		t.Fatal(err)
	}
	id := aws.ToString(created.LaunchTemplate.LaunchTemplateId)
	if created.Warning != nil {
		t.Errorf("warnings for a template of existing resources: %+v", created.Warning.Errors)
	}
	lts, err := c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	if err != nil || len(lts.LaunchTemplates) != 1 || aws.ToInt64(lts.LaunchTemplates[0].LatestVersionNumber) != 1 ||
		len(lts.LaunchTemplates[0].Tags) != 1 {
		t.Fatalf("DescribeLaunchTemplates: %+v %v", lts, err)
	}
	vs, err := c.DescribeLaunchTemplateVersions(ctx, &ec2.DescribeLaunchTemplateVersionsInput{LaunchTemplateId: &id, Versions: []string{"1"}})
	if err != nil || len(vs.LaunchTemplateVersions) != 1 {
		t.Fatalf("DescribeLaunchTemplateVersions: %+v %v", vs, err)
	}
	got := vs.LaunchTemplateVersions[0].LaunchTemplateData
	if aws.ToString(got.ImageId) != ami || got.InstanceType != "lab.tiny" || got.UserData != nil ||
		got.MetadataOptions.HttpTokens != types.LaunchTemplateHttpTokensStateRequired ||
		aws.ToInt32(got.NetworkInterfaces[0].DeviceIndex) != 0 || aws.ToBool(got.NetworkInterfaces[0].AssociatePublicIpAddress) ||
		aws.ToInt32(got.BlockDeviceMappings[0].Ebs.VolumeSize) != 2 || got.TagSpecifications[0].ResourceType != types.ResourceTypeInstance {
		t.Errorf("version 1 read back: %+v", got)
	}
	v2, err := c.CreateLaunchTemplateVersion(ctx, &ec2.CreateLaunchTemplateVersionInput{ClientToken: aws.String("terraform-2"),
		LaunchTemplateId: &id, VersionDescription: aws.String("second"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{UserData: aws.String(""), ImageId: aws.String(ami), InstanceType: "lab.tiny",
			TagSpecifications: data.TagSpecifications}})
	if err != nil || aws.ToInt64(v2.LaunchTemplateVersion.VersionNumber) != 2 {
		t.Fatalf("CreateLaunchTemplateVersion: %+v %v", v2, err)
	}
	if _, err := c.ModifyLaunchTemplate(ctx, &ec2.ModifyLaunchTemplateInput{LaunchTemplateId: &id, DefaultVersion: aws.String("2")}); err != nil {
		t.Fatal(err)
	}
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		LaunchTemplate: &types.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")}})
	if err != nil {
		t.Fatal(err)
	}
	tags := map[string]string{}
	for _, tg := range run.Instances[0].Tags {
		tags[aws.ToString(tg.Key)] = aws.ToString(tg.Value)
	}
	if aws.ToString(run.Instances[0].ImageId) != ami || tags["Name"] != "web" ||
		tags["aws:ec2launchtemplate:id"] != id || tags["aws:ec2launchtemplate:version"] != "2" {
		t.Errorf("instance from the default version: image %s, tags %v", aws.ToString(run.Instances[0].ImageId), tags)
	}

	overGRPC, err := e.grpc[rig.Acct1].DescribeLaunchTemplateVersions(ctx, &v1.DescribeLaunchTemplateVersionsRequest{
		LaunchTemplateName: "web", Versions: []string{"$Default"}})
	if err != nil || overGRPC.GetLaunchTemplateVersions()[0].GetVersionDescription() != "second" ||
		!overGRPC.GetLaunchTemplateVersions()[0].GetDefaultVersion() {
		t.Errorf("gRPC DescribeLaunchTemplateVersions $Default: %v %v", overGRPC, err)
	}
	del, err := c.DeleteLaunchTemplateVersions(ctx, &ec2.DeleteLaunchTemplateVersionsInput{LaunchTemplateId: &id, Versions: []string{"1", "2"}})
	if err != nil || len(del.SuccessfullyDeletedLaunchTemplateVersions) != 1 || len(del.UnsuccessfullyDeletedLaunchTemplateVersions) != 1 ||
		del.UnsuccessfullyDeletedLaunchTemplateVersions[0].ResponseError.Code != types.LaunchTemplateErrorCodeUnexpectedError {
		t.Errorf("delete versions 1 and 2 (the default): %+v %v", del, err)
	}
	if _, err := c.DeleteLaunchTemplate(ctx, &ec2.DeleteLaunchTemplateInput{LaunchTemplateId: &id}); err != nil {
		t.Fatal(err)
	}
	_, err = c.DescribeLaunchTemplates(ctx, &ec2.DescribeLaunchTemplatesInput{LaunchTemplateIds: []string{id}})
	if o := sdkOutcome(err); o.code != ec2err.InvalidLaunchTemplateIDNotFound || o.httpState != http.StatusBadRequest {
		t.Errorf("deleted template over the Query API: %+v", o)
	}
	_, err = e.grpc[rig.Acct1].DescribeLaunchTemplates(ctx, &v1.DescribeLaunchTemplatesRequest{LaunchTemplateIds: []string{id}})
	if o := grpcOutcome(err); o.code != ec2err.InvalidLaunchTemplateIDNotFound || o.grpcCode != codes.NotFound {
		t.Errorf("deleted template over gRPC: %+v", o)
	}
}

// TestLaunchTemplateRefusalsOnBothEdges: a duplicate name and a member
// ec2lab cannot honour are refused alike by both edges.
func TestLaunchTemplateRefusalsOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx := context.Background()
	c := e.sdk[rig.Acct1]
	if _, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{InstanceType: "lab.tiny"}}); err != nil {
		t.Fatal(err)
	}
	_, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{InstanceType: "lab.tiny"}})
	if o := sdkOutcome(err); o.code != ec2err.InvalidLaunchTemplateNameAlreadyExists {
		t.Errorf("duplicate over the Query API: %+v", o)
	}
	_, err = e.grpc[rig.Acct1].CreateLaunchTemplate(ctx, &v1.CreateLaunchTemplateRequest{LaunchTemplateName: "web",
		LaunchTemplateData: &v1.LaunchTemplateData{InstanceType: "lab.tiny"}})
	if o := grpcOutcome(err); o.code != ec2err.InvalidLaunchTemplateNameAlreadyExists || o.grpcCode != codes.AlreadyExists {
		t.Errorf("duplicate over gRPC: %+v", o)
	}
	_, err = c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("iam"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{IamInstanceProfile: &types.LaunchTemplateIamInstanceProfileSpecificationRequest{Name: aws.String("r")}}})
	if o := sdkOutcome(err); o.code != ec2err.UnsupportedOperation {
		t.Errorf("IAM profile over the Query API: %+v", o)
	}
	_, err = c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("cpu"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{CpuOptions: &types.LaunchTemplateCpuOptionsRequest{CoreCount: aws.Int32(2)}}})
	if o := sdkOutcome(err); o.code != ec2err.UnknownParameter {
		t.Errorf("CpuOptions over the Query API: %+v", o)
	}
	_, err = e.grpc[rig.Acct1].CreateLaunchTemplate(ctx, &v1.CreateLaunchTemplateRequest{LaunchTemplateName: "iam",
		LaunchTemplateData: &v1.LaunchTemplateData{IamInstanceProfile: &v1.LaunchTemplateIamInstanceProfile{Name: "r"}}})
	if o := grpcOutcome(err); o.code != ec2err.UnsupportedOperation || o.grpcCode != codes.InvalidArgument {
		t.Errorf("IAM profile over gRPC: %+v", o)
	}
}

// imageOf is the image an instance was launched from.
func imageOf(t *testing.T, c *ec2.Client, id string) string {
	t.Helper()
	out, err := c.DescribeInstances(context.Background(), &ec2.DescribeInstancesInput{InstanceIds: []string{id}})
	if err != nil {
		t.Fatal(err)
	}
	return aws.ToString(out.Reservations[0].Instances[0].ImageId)
}
