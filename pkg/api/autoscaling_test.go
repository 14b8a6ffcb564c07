package api

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// fakeGroups records the requests the AutoScaling service makes.
type fakeGroups struct {
	AutoScalingGroups // unimplemented calls panic
	req               controller.GroupRequest
	name              string
	desired           int
	calls             int
}

func (f *fakeGroups) CreateAutoScalingGroup(_ context.Context, req controller.GroupRequest) error {
	f.req, f.calls = req, f.calls+1
	return nil
}

func (f *fakeGroups) UpdateAutoScalingGroup(_ context.Context, req controller.GroupRequest) error {
	f.req, f.calls = req, f.calls+1
	return nil
}

func (f *fakeGroups) SetDesiredCapacity(_ context.Context, name string, desired int) error {
	f.name, f.desired, f.calls = name, desired, f.calls+1
	return nil
}

func (f *fakeGroups) TerminateInstanceInAutoScalingGroup(context.Context, string, bool) (controller.ScalingActivity, error) {
	f.calls++
	return controller.ScalingActivity{ID: "a-1"}, nil
}

func (f *fakeGroups) DescribeScalingActivities(context.Context, string, []string, controller.Page) ([]controller.ScalingActivity, string, error) {
	f.calls++
	return nil, "", nil
}

func ptr[T any](v T) *T { return &v }

// TestCreateGroupIn: every member of CreateAutoScalingGroup reaches the
// controller's request; unset numbers stay unset; tags on anything but
// the group itself are refused.
func TestCreateGroupIn(t *testing.T) {
	f := &fakeGroups{}
	a := NewAutoScaling(f)
	_, err := a.CreateAutoScalingGroup(context.Background(), &v1.CreateAutoScalingGroupRequest{AutoScalingGroupName: "web",
		LaunchTemplate: &v1.AutoScalingLaunchTemplate{LaunchTemplateId: "lt-1", Version: "$Latest"},
		MinSize:        ptr[int32](1), MaxSize: ptr[int32](3), VpcZoneIdentifier: "subnet-1,subnet-2",
		HealthCheckGracePeriod: ptr[int32](0), TerminationPolicies: []string{"NewestInstance"},
		Tags: []*v1.AutoScalingTag{{Key: "team", Value: "lab", PropagateAtLaunch: true, ResourceType: "auto-scaling-group", ResourceId: "web"}}})
	if err != nil {
		t.Fatal(err)
	}
	r := f.req
	if r.Name != "web" || *r.LaunchTemplate != (controller.LaunchTemplateSpec{ID: "lt-1", Version: "$Latest"}) ||
		*r.MinSize != 1 || *r.MaxSize != 3 || r.DesiredCapacity != nil || r.DefaultCooldown != nil ||
		*r.HealthCheckGracePeriod != 0 || r.HealthCheckType != nil || *r.VPCZoneIdentifier != "subnet-1,subnet-2" ||
		len(r.TerminationPolicies) != 1 || len(r.Tags) != 1 || r.Tags[0] != (controller.GroupTag{Key: "team", Value: "lab", PropagateAtLaunch: true}) {
		t.Errorf("request %+v", r)
	}
	for _, tag := range []*v1.AutoScalingTag{{Key: "k", ResourceType: "instance"}, {Key: "k", ResourceId: "other"}} {
		f.calls = 0
		_, err := a.CreateAutoScalingGroup(context.Background(), &v1.CreateAutoScalingGroupRequest{AutoScalingGroupName: "web",
			Tags: []*v1.AutoScalingTag{tag}})
		if ec2err.Code(err) != ec2err.ValidationError || f.calls != 0 {
			t.Errorf("tag %v: %v, %d calls", tag, err, f.calls)
		}
	}
}

// TestUpdateGroupIn: only the members given change.
func TestUpdateGroupIn(t *testing.T) {
	r := updateGroupIn(&v1.UpdateAutoScalingGroupRequest{AutoScalingGroupName: "web", MaxSize: ptr[int32](5),
		VpcZoneIdentifier: ptr("subnet-3"), HealthCheckType: ptr("EC2")})
	if r.Name != "web" || r.LaunchTemplate != nil || r.MinSize != nil || *r.MaxSize != 5 || r.DesiredCapacity != nil ||
		*r.VPCZoneIdentifier != "subnet-3" || *r.HealthCheckType != "EC2" || r.HealthCheckGracePeriod != nil {
		t.Errorf("request %+v", r)
	}
}

// TestAutoScalingRequiredMembers: what AWS requires and the Query API
// checks is checked here too, before the controller is called.
func TestAutoScalingRequiredMembers(t *testing.T) {
	f := &fakeGroups{}
	a := NewAutoScaling(f)
	ctx := context.Background()
	for name, call := range map[string]func() error{
		"desired left out": func() error {
			_, err := a.SetDesiredCapacity(ctx, &v1.SetDesiredCapacityRequest{AutoScalingGroupName: "web"})
			return err
		},
		"honor cooldown": func() error {
			_, err := a.SetDesiredCapacity(ctx, &v1.SetDesiredCapacityRequest{AutoScalingGroupName: "web", DesiredCapacity: ptr[int32](1), HonorCooldown: true})
			return err
		},
		"decrement left out": func() error {
			_, err := a.TerminateInstanceInAutoScalingGroup(ctx, &v1.TerminateInstanceInAutoScalingGroupRequest{InstanceId: "i-1"})
			return err
		},
		"deleted groups": func() error {
			_, err := a.DescribeScalingActivities(ctx, &v1.DescribeScalingActivitiesRequest{IncludeDeletedGroups: true})
			return err
		},
	} {
		if err := call(); ec2err.Code(err) != ec2err.ValidationError || f.calls != 0 {
			t.Errorf("%s: %v, %d calls", name, err, f.calls)
		}
	}
	if _, err := a.SetDesiredCapacity(ctx, &v1.SetDesiredCapacityRequest{AutoScalingGroupName: "web", DesiredCapacity: ptr[int32](0)}); err != nil || f.desired != 0 || f.name != "web" || f.calls != 1 {
		t.Errorf("desired 0: %v, %+v", err, f)
	}
}

// TestAutoScalingGroupOut: a group's record as botocore's
// AutoScalingGroup; instances only when asked for.
func TestAutoScalingGroupOut(t *testing.T) {
	created := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	lt := controller.LaunchTemplateSpec{ID: "lt-1", Name: "web", Version: "$Latest"}
	g := controller.AutoScalingGroup{Name: "web", Owner: "111111111111", ARN: "arn:aws:autoscaling:lab-1:111111111111:autoScalingGroup:u:autoScalingGroupName/web",
		CreatedTime: created, LaunchTemplate: lt, MinSize: 1, MaxSize: 4, Desired: 2, DefaultCooldown: 300,
		Subnets: []string{"subnet-2", "subnet-1"}, Zones: []string{"lab-1a", "lab-1b"}, HealthCheckType: "EC2",
		HealthCheckGracePeriod: 60, Tags: []controller.GroupTag{{Key: "team", Value: "lab", PropagateAtLaunch: true}},
		TerminationPolicies: []string{"Default"}, Deleting: true,
		Instances: []controller.GroupMember{{ID: "i-1", AZ: "lab-1a", Type: "lab.tiny", LaunchTemplate: lt,
			LifecycleState: controller.LifecycleInService, HealthStatus: controller.HealthHealthy}}}
	want := &v1.AutoScalingGroup{AutoScalingGroupName: "web", AutoScalingGroupArn: g.ARN,
		LaunchTemplate: &v1.AutoScalingLaunchTemplate{LaunchTemplateId: "lt-1", LaunchTemplateName: "web", Version: "$Latest"},
		MinSize:        1, MaxSize: 4, DesiredCapacity: 2, DefaultCooldown: 300, AvailabilityZones: []string{"lab-1a", "lab-1b"},
		HealthCheckType: "EC2", HealthCheckGracePeriod: 60, CreatedTime: ts(created), VpcZoneIdentifier: "subnet-2,subnet-1",
		Status: "Delete in progress", TerminationPolicies: []string{"Default"},
		Tags:                 []*v1.AutoScalingTag{{ResourceId: "web", ResourceType: "auto-scaling-group", Key: "team", Value: "lab", PropagateAtLaunch: true}},
		ServiceLinkedRoleArn: "arn:aws:iam::111111111111:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"}
	if got := autoScalingGroupOut(g, false); !proto.Equal(got, want) {
		t.Errorf("group without instances:\n got %v\nwant %v", got, want)
	}
	want.Instances = []*v1.AutoScalingInstance{{InstanceId: "i-1", InstanceType: "lab.tiny", AvailabilityZone: "lab-1a",
		LifecycleState: "InService", HealthStatus: "Healthy", LaunchTemplate: want.LaunchTemplate}}
	if got := autoScalingGroupOut(g, true); !proto.Equal(got, want) {
		t.Errorf("group with instances:\n got %v\nwant %v", got, want)
	}
}

// TestActivityOut: an activity in progress has no end time.
func TestActivityOut(t *testing.T) {
	start := time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	a := controller.ScalingActivity{ID: "a-1", Group: "web", GroupARN: "arn:g", Description: "Launching a new EC2 instance: i-1",
		Cause: "because", StartTime: start, StatusCode: controller.ActivityInProgress, Progress: 30, Details: `{"Subnet ID":"subnet-1"}`}
	want := &v1.ScalingActivity{ActivityId: "a-1", AutoScalingGroupName: "web", AutoScalingGroupArn: "arn:g",
		Description: a.Description, Cause: "because", StartTime: ts(start), StatusCode: "InProgress", Progress: 30, Details: a.Details}
	if got := activityOut(a); !proto.Equal(got, want) {
		t.Errorf("in progress:\n got %v\nwant %v", got, want)
	}
	a.EndTime, a.StatusCode, a.StatusMessage = start.Add(time.Minute), controller.ActivityFailed, "no capacity"
	if got := activityOut(a); !got.GetEndTime().AsTime().Equal(a.EndTime) || got.GetStatusMessage() != "no capacity" {
		t.Errorf("failed: %v", got)
	}
}
