package e2e

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"math/rand"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
)

// TestGoSDKLife drives a real region with aws-sdk-go-v2 only: the life of
// an instance, a volume, a snapshot and an image, with the SDK's own
// waiters and paginators.
func TestGoSDKLife(t *testing.T) {
	requireHost(t)
	prefix := fmt.Sprintf("sdk%04x-", rand.Intn(1<<16))
	r := startRegion(t, hvtest.ScratchDir(t), "--domain-prefix", prefix)
	c := ec2.New(ec2.Options{Region: "lab-1", BaseEndpoint: aws.String("http://" + r.HTTP),
		Credentials: credentials.NewStaticCredentialsProvider(r.Key.AccessKeyID, r.Key.SecretAccessKey, "")})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	fast := func(o *ec2.InstanceRunningWaiterOptions) { o.MinDelay, o.MaxDelay = time.Second, 2*time.Second }

	imgs, err := c.DescribeImages(ctx, &ec2.DescribeImagesInput{Owners: []string{"self"},
		Filters: []types.Filter{{Name: aws.String("name"), Values: []string{"tiny"}}}})
	if err != nil || len(imgs.Images) != 1 {
		t.Fatalf("DescribeImages: %v %+v", err, imgs)
	}
	ud := base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho sdk-user-data-ran\n"))
	run, err := c.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: imgs.Images[0].ImageId, InstanceType: types.InstanceType("t3.nano"),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), UserData: aws.String(ud)})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	id := aws.ToString(run.Instances[0].InstanceId)
	if err := ec2.NewInstanceRunningWaiter(c, fast).Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 5*time.Minute); err != nil {
		t.Fatalf("instance-running waiter: %v", err)
	}
	r.waitConsole(t, id, "sdk-user-data-ran")
	con, err := c.GetConsoleOutput(ctx, &ec2.GetConsoleOutputInput{InstanceId: aws.String(id)})
	if err != nil {
		t.Fatal(err)
	}
	if text, _ := base64.StdEncoding.DecodeString(aws.ToString(con.Output)); !strings.Contains(string(text), "EC2LAB-BOOT-OK instance-id="+id) {
		t.Fatalf("console output (base64-decoded) lacks the marker")
	}

	t.Run("paginator", func(t *testing.T) {
		p := ec2.NewDescribeInstancesPaginator(c, &ec2.DescribeInstancesInput{MaxResults: aws.Int32(5)})
		n := 0
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				t.Fatal(err)
			}
			for _, res := range page.Reservations {
				n += len(res.Instances)
			}
		}
		if n != 1 {
			t.Fatalf("paginator saw %d instances", n)
		}
	})

	t.Run("errors", func(t *testing.T) {
		_, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{"i-0000000000000000f"}})
		var api smithy.APIError
		if !errors.As(err, &api) || api.ErrorCode() != "InvalidInstanceID.NotFound" {
			t.Fatalf("terminate missing: %v", err)
		}
		_, err = c.StopInstances(ctx, &ec2.StopInstancesInput{InstanceIds: []string{id}, DryRun: aws.Bool(true)})
		if !errors.As(err, &api) || api.ErrorCode() != "DryRunOperation" {
			t.Fatalf("dry run: %v", err)
		}
	})

	vol, err := c.CreateVolume(ctx, &ec2.CreateVolumeInput{AvailabilityZone: aws.String("lab-1a"), Size: aws.Int32(1), VolumeType: types.VolumeTypeGp3})
	if err != nil {
		t.Fatalf("CreateVolume: %v", err)
	}
	if err := ec2.NewVolumeAvailableWaiter(c, func(o *ec2.VolumeAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = time.Second, 2*time.Second }).
		Wait(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{aws.ToString(vol.VolumeId)}}, 2*time.Minute); err != nil {
		t.Fatalf("volume-available: %v", err)
	}
	if _, err := c.AttachVolume(ctx, &ec2.AttachVolumeInput{VolumeId: vol.VolumeId, InstanceId: aws.String(id), Device: aws.String("/dev/sdf")}); err != nil {
		t.Fatalf("AttachVolume: %v", err)
	}
	snap, err := c.CreateSnapshot(ctx, &ec2.CreateSnapshotInput{VolumeId: vol.VolumeId})
	if err != nil {
		t.Fatalf("CreateSnapshot: %v", err)
	}
	if err := ec2.NewSnapshotCompletedWaiter(c, func(o *ec2.SnapshotCompletedWaiterOptions) { o.MinDelay, o.MaxDelay = time.Second, 2*time.Second }).
		Wait(ctx, &ec2.DescribeSnapshotsInput{SnapshotIds: []string{aws.ToString(snap.SnapshotId)}}, 2*time.Minute); err != nil {
		t.Fatalf("snapshot-completed: %v", err)
	}
	img, err := c.CreateImage(ctx, &ec2.CreateImageInput{InstanceId: aws.String(id), Name: aws.String("sdk-image"), NoReboot: aws.Bool(true)})
	if err != nil {
		t.Fatalf("CreateImage: %v", err)
	}
	if err := ec2.NewImageAvailableWaiter(c, func(o *ec2.ImageAvailableWaiterOptions) { o.MinDelay, o.MaxDelay = time.Second, 2*time.Second }).
		Wait(ctx, &ec2.DescribeImagesInput{ImageIds: []string{aws.ToString(img.ImageId)}}, 3*time.Minute); err != nil {
		t.Fatalf("image-available: %v", err)
	}
	if _, err := c.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	if err := ec2.NewInstanceTerminatedWaiter(c, func(o *ec2.InstanceTerminatedWaiterOptions) { o.MinDelay, o.MaxDelay = time.Second, 2*time.Second }).
		Wait(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{id}}, 3*time.Minute); err != nil {
		t.Fatalf("instance-terminated: %v", err)
	}
	if doms := virshDomains(t, prefix); len(doms) != 0 {
		t.Errorf("domains left: %v", doms)
	}
}
