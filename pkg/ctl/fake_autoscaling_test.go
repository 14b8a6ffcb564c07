package ctl

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// fakeGroups is the controller's Auto Scaling side, by hand: one group
// "web" with two instances and two activities. It serves both the
// AutoScaling gRPC service (ec2ctl) and the Query API (the AWS CLI), so the
// two can be compared; last records the call each made.
type fakeGroups struct {
	mu   sync.Mutex
	last string
}

func newFakeGroups() *fakeGroups { return &fakeGroups{} }

func (f *fakeGroups) record(format string, args ...any) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last = fmt.Sprintf(format, args...)
}

func (f *fakeGroups) lastCall() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.last
}

func (f *fakeGroups) reset() { f.record("") }

var (
	sampleGroupTime = time.Date(2026, 12, 7, 15, 0, 0, 0, time.UTC)
	sampleGroupLT   = controller.LaunchTemplateSpec{ID: "lt-0123456789abcdef0", Name: "web", Version: "$Latest"}
)

func sampleASG() controller.AutoScalingGroup {
	member := func(id, az string) controller.GroupMember {
		return controller.GroupMember{ID: id, AZ: az, Type: "lab.tiny", LaunchTemplate: sampleGroupLT,
			LifecycleState: controller.LifecycleInService, HealthStatus: controller.HealthHealthy}
	}
	return controller.AutoScalingGroup{Name: "web", Owner: "000000000001",
		ARN:         "arn:aws:autoscaling:lab-1:000000000001:autoScalingGroup:6f1c3d2e-1b2a-4c3d-8e9f-0a1b2c3d4e5f:autoScalingGroupName/web",
		CreatedTime: sampleGroupTime, LaunchTemplate: sampleGroupLT, MinSize: 1, MaxSize: 4, Desired: 2, DefaultCooldown: 300,
		Subnets: []string{sampleSubnetID, "subnet-0fedcba9876543210"}, Zones: []string{"lab-1a", "lab-1b"},
		HealthCheckType: "EC2", HealthCheckGracePeriod: 300, TerminationPolicies: []string{"Default"},
		Tags:      []controller.GroupTag{{Key: "team", Value: "lab", PropagateAtLaunch: true}},
		Instances: []controller.GroupMember{member("i-0123456789abcdef0", "lab-1a"), member("i-0123456789abcdef1", "lab-1b")}}
}

func sampleASGActivities() []controller.ScalingActivity {
	g := sampleASG()
	a := controller.ScalingActivity{ID: "5e6f7a8b-1c2d-4e3f-9a0b-1c2d3e4f5a6b", Owner: g.Owner, Group: g.Name, GroupARN: g.ARN,
		Description: "Launching a new EC2 instance: i-0123456789abcdef1",
		Cause: "At 2026-12-07T15:00:00Z a user request created an AutoScalingGroup changing the desired capacity from 0 to 2. " +
			"At 2026-12-07T15:00:01Z an instance was started in response to a difference between desired and actual capacity, increasing the capacity from 1 to 2.",
		StartTime: sampleGroupTime.Add(time.Second), StatusCode: controller.ActivityInProgress, Progress: 30,
		Details: `{"Subnet ID":"subnet-0fedcba9876543210","Availability Zone":"lab-1b"}`}
	b := a
	b.ID, b.Description = "4d5e6f7a-0b1c-4d2e-8f9a-0b1c2d3e4f5a", "Launching a new EC2 instance: i-0123456789abcdef0"
	b.EndTime, b.StatusCode, b.Progress = sampleGroupTime.Add(40*time.Second), controller.ActivitySuccessful, 100
	return []controller.ScalingActivity{a, b}
}

func (f *fakeGroups) CreateAutoScalingGroup(_ context.Context, req controller.GroupRequest) error {
	f.record("create %s", groupRequestText(req))
	if req.Name == "web" {
		return ec2err.New(ec2err.AlreadyExists, "AutoScalingGroup by this name already exists - A group with the name web already exists")
	}
	return nil
}

func (f *fakeGroups) UpdateAutoScalingGroup(_ context.Context, req controller.GroupRequest) error {
	f.record("update %s", groupRequestText(req))
	return nil
}

func (f *fakeGroups) DeleteAutoScalingGroup(_ context.Context, name string, force bool) error {
	f.record("delete %s force=%v", name, force)
	if name == "web" && !force {
		return ec2err.New(ec2err.ResourceInUse, "You cannot delete an AutoScalingGroup while there are instances or pending Spot instance request(s) still in the group.")
	}
	return nil
}

func (f *fakeGroups) SetDesiredCapacity(_ context.Context, name string, desired int) error {
	f.record("set-desired %s %d", name, desired)
	if desired > 4 {
		return ec2err.New(ec2err.ValidationError, "New SetDesiredCapacity value %d is above max value 4 for the AutoScalingGroup.", desired)
	}
	return nil
}

func (f *fakeGroups) TerminateInstanceInAutoScalingGroup(_ context.Context, id string, decrement bool) (controller.ScalingActivity, error) {
	f.record("terminate %s decrement=%v", id, decrement)
	a := sampleASGActivities()[0]
	a.Description = "Terminating EC2 instance: " + id
	return a, nil
}

func (f *fakeGroups) DescribeAutoScalingGroups(_ context.Context, names []string, p controller.Page) ([]controller.AutoScalingGroup, string, error) {
	f.record("describe-groups %v %+v", names, p)
	if len(names) > 0 && names[0] != "web" {
		return nil, "", nil
	}
	return []controller.AutoScalingGroup{sampleASG()}, "", nil
}

func (f *fakeGroups) DescribeAutoScalingInstances(_ context.Context, ids []string, p controller.Page) ([]controller.GroupInstance, string, error) {
	f.record("describe-instances %v %+v", ids, p)
	var out []controller.GroupInstance
	for _, m := range sampleASG().Instances {
		out = append(out, controller.GroupInstance{GroupMember: m, Group: "web"})
	}
	return out, "", nil
}

func (f *fakeGroups) DescribeScalingActivities(_ context.Context, group string, ids []string, p controller.Page) ([]controller.ScalingActivity, string, error) {
	f.record("describe-activities %s %v %+v", group, ids, p)
	return sampleASGActivities(), "", nil
}

// groupRequestText prints a GroupRequest with its pointers followed.
func groupRequestText(r controller.GroupRequest) string {
	s := fmt.Sprintf("name=%s zones=%v policies=%v tags=%+v", r.Name, r.AvailabilityZones, r.TerminationPolicies, r.Tags)
	if r.LaunchTemplate != nil {
		s += fmt.Sprintf(" template=%+v", *r.LaunchTemplate)
	}
	for _, n := range []struct {
		name string
		v    *int
	}{{"min", r.MinSize}, {"max", r.MaxSize}, {"desired", r.DesiredCapacity}, {"cooldown", r.DefaultCooldown}, {"grace", r.HealthCheckGracePeriod}} {
		if n.v != nil {
			s += fmt.Sprintf(" %s=%d", n.name, *n.v)
		}
	}
	if r.VPCZoneIdentifier != nil {
		s += " subnets=" + *r.VPCZoneIdentifier
	}
	if r.HealthCheckType != nil {
		s += " health=" + *r.HealthCheckType
	}
	return s
}
