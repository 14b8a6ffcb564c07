package controller_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/autoscaling"
	astypes "github.com/aws/aws-sdk-go-v2/service/autoscaling/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// asgClient is the AWS SDK's Auto Scaling client of acct on e's listener.
func asgClient(e *edges, acct string) *autoscaling.Client {
	return autoscaling.New(autoscaling.Options{Region: "lab-1", BaseEndpoint: aws.String(e.url),
		Credentials: credentials.NewStaticCredentialsProvider("AKIA"+acct, "secret-"+acct, "")})
}

// TestAutoScalingThroughTheSDK: a group made, read, scaled and deleted
// with the AWS SDK for Go's Auto Scaling client on ec2d's HTTP listener,
// against a real controller: its instances carry its tags, every launch
// is an activity, refusals carry AWS's codes.
func TestAutoScalingThroughTheSDK(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx := context.Background()
	c, as := e.sdk[rig.Acct1], asgClient(e, rig.Acct1)
	if _, err := c.CreateLaunchTemplate(ctx, &ec2.CreateLaunchTemplateInput{LaunchTemplateName: aws.String("web"),
		LaunchTemplateData: &types.RequestLaunchTemplateData{ImageId: aws.String(imageOf(t, c, rig.Instance)), InstanceType: "lab.tiny"}}); err != nil {
		t.Fatal(err)
	}
	subs, err := c.DescribeSubnets(ctx, &ec2.DescribeSubnetsInput{})
	if err != nil || len(subs.Subnets) < 2 {
		t.Fatalf("DescribeSubnets: %+v %v", subs, err)
	}
	var ids []string
	for _, sn := range subs.Subnets {
		ids = append(ids, aws.ToString(sn.SubnetId))
	}
	_, err = as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		MinSize: aws.Int32(1), MaxSize: aws.Int32(4), DesiredCapacity: aws.Int32(2), VPCZoneIdentifier: aws.String(strings.Join(ids, ",")),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web"), Version: aws.String("$Latest")},
		Tags:           []astypes.Tag{{Key: aws.String("team"), Value: aws.String("lab"), PropagateAtLaunch: aws.Bool(true)}}})
	if err != nil {
		t.Fatalf("CreateAutoScalingGroup: %v", err)
	}
	_, err = as.CreateAutoScalingGroup(ctx, &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		MinSize: aws.Int32(1), MaxSize: aws.Int32(1), VPCZoneIdentifier: aws.String(ids[0]),
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")}})
	if got := sdkOutcome(err); got.code != "AlreadyExists" || got.httpState != http.StatusBadRequest {
		t.Errorf("second create: %+v (%v)", got, err)
	}
	_, err = as.SetDesiredCapacity(ctx, &autoscaling.SetDesiredCapacityInput{AutoScalingGroupName: aws.String("web"), DesiredCapacity: aws.Int32(9)})
	if got := sdkOutcome(err); got.code != "ValidationError" {
		t.Errorf("desired over max: %+v (%v)", got, err)
	}
	rig.ReconcileGroups()

	gs, err := as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{AutoScalingGroupNames: []string{"web"}})
	if err != nil || len(gs.AutoScalingGroups) != 1 {
		t.Fatalf("DescribeAutoScalingGroups: %+v %v", gs, err)
	}
	g := gs.AutoScalingGroups[0]
	if aws.ToInt32(g.DesiredCapacity) != 2 || len(g.Instances) != 2 || len(g.AvailabilityZones) != 2 ||
		!strings.HasPrefix(aws.ToString(g.AutoScalingGroupARN), "arn:aws:autoscaling:lab-1:"+rig.Acct1+":autoScalingGroup:") ||
		aws.ToString(g.LaunchTemplate.LaunchTemplateName) != "web" || aws.ToString(g.HealthCheckType) != "EC2" ||
		len(g.Tags) != 1 || !aws.ToBool(g.Tags[0].PropagateAtLaunch) || g.CreatedTime == nil {
		t.Fatalf("group: %+v", g)
	}
	if g.Instances[0].AvailabilityZone == g.Instances[1].AvailabilityZone {
		t.Errorf("both instances in %s", aws.ToString(g.Instances[0].AvailabilityZone))
	}
	id := aws.ToString(g.Instances[0].InstanceId)
	run, err := c.DescribeInstances(ctx, &ec2.DescribeInstancesInput{Filters: []types.Filter{
		{Name: aws.String("tag:aws:autoscaling:groupName"), Values: []string{"web"}}}})
	if err != nil || len(run.Reservations) != 2 {
		t.Fatalf("instances by group tag: %+v %v", run, err)
	}
	ins, err := as.DescribeAutoScalingInstances(ctx, &autoscaling.DescribeAutoScalingInstancesInput{InstanceIds: []string{id}})
	if err != nil || len(ins.AutoScalingInstances) != 1 || aws.ToString(ins.AutoScalingInstances[0].AutoScalingGroupName) != "web" {
		t.Fatalf("DescribeAutoScalingInstances: %+v %v", ins, err)
	}
	acts, err := as.DescribeScalingActivities(ctx, &autoscaling.DescribeScalingActivitiesInput{AutoScalingGroupName: aws.String("web")})
	if err != nil || len(acts.Activities) != 2 || acts.Activities[0].StatusCode != astypes.ScalingActivityStatusCodeSuccessful ||
		acts.Activities[0].EndTime == nil || !strings.HasPrefix(aws.ToString(acts.Activities[0].Description), "Launching a new EC2 instance: i-") {
		t.Fatalf("DescribeScalingActivities: %+v %v", acts, err)
	}

	term, err := as.TerminateInstanceInAutoScalingGroup(ctx, &autoscaling.TerminateInstanceInAutoScalingGroupInput{InstanceId: aws.String(id),
		ShouldDecrementDesiredCapacity: aws.Bool(true)})
	if err != nil || term.Activity.StatusCode != astypes.ScalingActivityStatusCodeInProgress {
		t.Fatalf("TerminateInstanceInAutoScalingGroup: %+v %v", term, err)
	}
	_, err = as.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("web")})
	if got := sdkOutcome(err); got.code != "ResourceInUse" {
		t.Errorf("delete with instances: %+v (%v)", got, err)
	}
	if _, err := as.DeleteAutoScalingGroup(ctx, &autoscaling.DeleteAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		ForceDelete: aws.Bool(true)}); err != nil {
		t.Fatal(err)
	}
	gs, err = as.DescribeAutoScalingGroups(ctx, &autoscaling.DescribeAutoScalingGroupsInput{})
	if err != nil || len(gs.AutoScalingGroups) != 1 || aws.ToString(gs.AutoScalingGroups[0].Status) != "Delete in progress" {
		t.Fatalf("while deleting: %+v %v", gs, err)
	}
}

// TestAutoScalingRefusesWhatItDoesNotServe: a parameter the Query API
// does not serve is refused by name, not dropped.
func TestAutoScalingRefusesWhatItDoesNotServe(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	as := asgClient(e, rig.Acct1)
	_, err := as.CreateAutoScalingGroup(context.Background(), &autoscaling.CreateAutoScalingGroupInput{AutoScalingGroupName: aws.String("web"),
		MinSize: aws.Int32(0), MaxSize: aws.Int32(1), LoadBalancerNames: []string{"lb"},
		LaunchTemplate: &astypes.LaunchTemplateSpecification{LaunchTemplateName: aws.String("web")}})
	if got := sdkOutcome(err); got.code != "ValidationError" || !strings.Contains(err.Error(), "LoadBalancerNames") {
		t.Fatalf("LoadBalancerNames: %+v (%v)", got, err)
	}
	_, err = as.PutScalingPolicy(context.Background(), &autoscaling.PutScalingPolicyInput{AutoScalingGroupName: aws.String("web"), PolicyName: aws.String("p")})
	if got := sdkOutcome(err); got.code != "InvalidAction" {
		t.Fatalf("PutScalingPolicy: %+v (%v)", got, err)
	}
}
