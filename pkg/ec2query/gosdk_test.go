package ec2query

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestGoSDKRoundTrip drives the handler with aws-sdk-go-v2 (a second,
// stricter XML parser than botocore's, and the SDK ec2ctl can use).
func TestGoSDKRoundTrip(t *testing.T) {
	srv, f := signedServer(t)
	c := ec2.New(ec2.Options{
		Region:       "lab-1",
		BaseEndpoint: aws.String(srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider(testKey.AccessKeyID, testKey.SecretAccessKey, ""),
	})
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	out, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{
		Filters: []types.Filter{{Name: aws.String("tag:Name"), Values: []string{"web-1"}}}})
	if err != nil {
		t.Fatalf("DescribeInstances: %v", err)
	}
	in := out.Reservations[0].Instances[0]
	if aws.ToString(in.InstanceId) != fakeInstance || in.State.Name != types.InstanceStateNameRunning ||
		!in.LaunchTime.Equal(fakeTime.AsTime()) || aws.ToString(in.Placement.AvailabilityZone) != fakeZone ||
		aws.ToString(in.BlockDeviceMappings[0].Ebs.VolumeId) != fakeRootVol || aws.ToString(in.Tags[0].Value) != "web-1" {
		t.Fatalf("instance parsed as %+v", in)
	}
	if got := received[*ec2labv1.DescribeInstancesRequest](f); len(got) != 1 || got[0].GetFilters()[0].GetValues()[0] != "web-1" {
		t.Fatalf("Compute got %v", got)
	}

	con, err := c.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(fakeInstance)})
	if err != nil || aws.ToString(con.Output) != b64(fakeConsole) {
		t.Fatalf("GetConsoleOutput: %v %+v", err, con)
	}

	vols, err := c.DescribeVolumes(ctx, &ec2.DescribeVolumesInput{})
	if err != nil || vols.Volumes[0].Attachments[0].State != types.VolumeAttachmentStateAttached || aws.ToInt32(vols.Volumes[0].Size) != 8 {
		t.Fatalf("DescribeVolumes: %v %+v", err, vols)
	}

	_, err = c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{missingID}})
	var api smithy.APIError
	if !errors.As(err, &api) || api.ErrorCode() != "InvalidInstanceID.NotFound" {
		t.Fatalf("TerminateInstances of a missing instance: %v", err)
	}
	_, err = c.RebootInstances(ctx, &ec2.RebootInstancesInput{InstanceIds: []string{fakeInstance}, DryRun: aws.Bool(true)})
	if !errors.As(err, &api) || api.ErrorCode() != "DryRunOperation" {
		t.Fatalf("RebootInstances DryRun: %v", err)
	}
}
