package controller_test

import (
	"context"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestInstanceMembersOnBothEdges: the members EC2 reports of every instance
// (platform, CPU topology, firmware, devices) read the same on the gRPC edge
// and through the Query API with aws-sdk-go-v2, and an untagged resource has
// no tag set while a tagged one keeps its tags.
func TestInstanceMembersOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()

	out, err := e.sdk[rig.Acct1].DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{rig.Instance}})
	if err != nil || len(out.Reservations) != 1 || len(out.Reservations[0].Instances) != 1 {
		t.Fatalf("DescribeInstances: %+v, %v", out, err)
	}
	q := out.Reservations[0].Instances[0]
	g, err := e.grpc[rig.Acct1].DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: []string{rig.Instance}})
	if err != nil || len(g.GetReservations()) != 1 {
		t.Fatalf("gRPC DescribeInstances: %v, %v", g, err)
	}
	gi := g.GetReservations()[0].GetInstances()[0]

	// lab.tiny has one vCPU: one socket, one core, one thread.
	if c := q.CpuOptions; c == nil || aws.ToInt32(c.CoreCount) != 1 || aws.ToInt32(c.ThreadsPerCore) != 1 {
		t.Errorf("Query API CpuOptions %+v, want 1 core of 1 thread", c)
	}
	if c := gi.GetCpuOptions(); c.GetCoreCount() != 1 || c.GetThreadsPerCore() != 1 {
		t.Errorf("gRPC CpuOptions %v, want 1 core of 1 thread", c)
	}
	if aws.ToString(q.PlatformDetails) != "Linux/UNIX" || aws.ToString(q.UsageOperation) != "RunInstances" ||
		gi.GetPlatformDetails() != "Linux/UNIX" || gi.GetUsageOperation() != "RunInstances" {
		t.Errorf("platform %q/%q (gRPC %q/%q), want Linux/UNIX billed as RunInstances",
			aws.ToString(q.PlatformDetails), aws.ToString(q.UsageOperation), gi.GetPlatformDetails(), gi.GetUsageOperation())
	}
	if q.UsageOperationUpdateTime == nil || !q.UsageOperationUpdateTime.Equal(aws.ToTime(q.LaunchTime)) {
		t.Errorf("UsageOperationUpdateTime %v, want the launch time %v", q.UsageOperationUpdateTime, q.LaunchTime)
	}
	if aws.ToBool(q.EbsOptimized) || aws.ToBool(q.EnaSupport) || q.EbsOptimized == nil {
		t.Errorf("EbsOptimized %v EnaSupport %v: virtio guests have neither (and EC2 always says so for EBS)", q.EbsOptimized, q.EnaSupport)
	}
	if h := q.HibernationOptions; h == nil || aws.ToBool(h.Configured) {
		t.Errorf("HibernationOptions %+v, want configured=false", h)
	}
	if en := q.EnclaveOptions; en == nil || aws.ToBool(en.Enabled) {
		t.Errorf("EnclaveOptions %+v, want enabled=false", en)
	}
	if string(q.BootMode) != gi.GetBootMode() || string(q.CurrentInstanceBootMode) != gi.GetCurrentInstanceBootMode() {
		t.Errorf("boot modes differ between edges: %q/%q vs %q/%q", q.BootMode, q.CurrentInstanceBootMode, gi.GetBootMode(), gi.GetCurrentInstanceBootMode())
	}
	if q.Tags != nil {
		t.Errorf("untagged instance has a tag set %v: EC2 omits it", q.Tags)
	}

	if _, err := e.sdk[rig.Acct1].CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{rig.Volume},
		Tags: []types.Tag{{Key: aws.String("Name"), Value: aws.String("data")}}}); err != nil {
		t.Fatal(err)
	}
	vols, err := e.sdk[rig.Acct1].DescribeVolumes(ctx, &ec2.DescribeVolumesInput{VolumeIds: []string{rig.Volume}})
	if err != nil || len(vols.Volumes) != 1 || len(vols.Volumes[0].Tags) != 1 || aws.ToString(vols.Volumes[0].Tags[0].Value) != "data" {
		t.Errorf("tagged volume: %+v, %v; want its Name tag", vols, err)
	}
}
