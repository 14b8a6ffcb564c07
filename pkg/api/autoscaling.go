package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// AutoScalingGroups is what the AutoScaling service calls: the
// controller's Auto Scaling operations (pkg/asgquery serves the same ones
// on the Query API).
type AutoScalingGroups interface {
	CreateAutoScalingGroup(ctx context.Context, req controller.GroupRequest) error
	UpdateAutoScalingGroup(ctx context.Context, req controller.GroupRequest) error
	DeleteAutoScalingGroup(ctx context.Context, name string, force bool) error
	SetDesiredCapacity(ctx context.Context, name string, desired int) error
	TerminateInstanceInAutoScalingGroup(ctx context.Context, id string, decrement bool) (controller.ScalingActivity, error)
	DescribeAutoScalingGroups(ctx context.Context, names []string, p controller.Page) ([]controller.AutoScalingGroup, string, error)
	DescribeAutoScalingInstances(ctx context.Context, ids []string, p controller.Page) ([]controller.GroupInstance, string, error)
	DescribeScalingActivities(ctx context.Context, group string, ids []string, p controller.Page) ([]controller.ScalingActivity, string, error)
}

var _ AutoScalingGroups = (*controller.Service)(nil)

// AutoScaling is the gRPC edge of Auto Scaling groups: it translates
// shapes; the controller decides.
type AutoScaling struct {
	v1.UnimplementedAutoScalingServer
	groups AutoScalingGroups
}

var _ v1.AutoScalingServer = (*AutoScaling)(nil)

// NewAutoScaling serves groups.
func NewAutoScaling(groups AutoScalingGroups) *AutoScaling { return &AutoScaling{groups: groups} }

// CreateAutoScalingGroup records a group.
func (a *AutoScaling) CreateAutoScalingGroup(ctx context.Context, r *v1.CreateAutoScalingGroupRequest) (*v1.CreateAutoScalingGroupResponse, error) {
	req, err := createGroupIn(r)
	if err != nil {
		return nil, err
	}
	return &v1.CreateAutoScalingGroupResponse{}, a.groups.CreateAutoScalingGroup(ctx, req)
}

// UpdateAutoScalingGroup changes the members given.
func (a *AutoScaling) UpdateAutoScalingGroup(ctx context.Context, r *v1.UpdateAutoScalingGroupRequest) (*v1.UpdateAutoScalingGroupResponse, error) {
	return &v1.UpdateAutoScalingGroupResponse{}, a.groups.UpdateAutoScalingGroup(ctx, updateGroupIn(r))
}

// DeleteAutoScalingGroup deletes a group (force: with its instances).
func (a *AutoScaling) DeleteAutoScalingGroup(ctx context.Context, r *v1.DeleteAutoScalingGroupRequest) (*v1.DeleteAutoScalingGroupResponse, error) {
	return &v1.DeleteAutoScalingGroupResponse{}, a.groups.DeleteAutoScalingGroup(ctx, r.GetAutoScalingGroupName(), r.GetForceDelete())
}

// SetDesiredCapacity sets a group's desired capacity.
func (a *AutoScaling) SetDesiredCapacity(ctx context.Context, r *v1.SetDesiredCapacityRequest) (*v1.SetDesiredCapacityResponse, error) {
	if r.GetHonorCooldown() {
		return nil, ec2err.New(ec2err.ValidationError, "HonorCooldown is not supported by ec2lab (it keeps no cooldowns); leave it false")
	}
	if r.DesiredCapacity == nil {
		return nil, notNull("desiredCapacity")
	}
	return &v1.SetDesiredCapacityResponse{}, a.groups.SetDesiredCapacity(ctx, r.GetAutoScalingGroupName(), int(r.GetDesiredCapacity()))
}

// TerminateInstanceInAutoScalingGroup terminates one instance of a group.
func (a *AutoScaling) TerminateInstanceInAutoScalingGroup(ctx context.Context, r *v1.TerminateInstanceInAutoScalingGroupRequest) (*v1.TerminateInstanceInAutoScalingGroupResponse, error) {
	if r.ShouldDecrementDesiredCapacity == nil {
		return nil, notNull("shouldDecrementDesiredCapacity")
	}
	act, err := a.groups.TerminateInstanceInAutoScalingGroup(ctx, r.GetInstanceId(), r.GetShouldDecrementDesiredCapacity())
	if err != nil {
		return nil, err
	}
	return &v1.TerminateInstanceInAutoScalingGroupResponse{Activity: activityOut(act)}, nil
}

// DescribeAutoScalingGroups lists the caller's groups.
func (a *AutoScaling) DescribeAutoScalingGroups(ctx context.Context, r *v1.DescribeAutoScalingGroupsRequest) (*v1.DescribeAutoScalingGroupsResponse, error) {
	gs, next, err := a.groups.DescribeAutoScalingGroups(ctx, r.GetAutoScalingGroupNames(), page(r.GetMaxRecords(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeAutoScalingGroupsResponse{NextToken: next}
	include := r.IncludeInstances == nil || r.GetIncludeInstances()
	for _, g := range gs {
		out.AutoScalingGroups = append(out.AutoScalingGroups, autoScalingGroupOut(g, include))
	}
	return out, nil
}

// DescribeAutoScalingInstances lists the instances of the caller's groups.
func (a *AutoScaling) DescribeAutoScalingInstances(ctx context.Context, r *v1.DescribeAutoScalingInstancesRequest) (*v1.DescribeAutoScalingInstancesResponse, error) {
	ins, next, err := a.groups.DescribeAutoScalingInstances(ctx, r.GetInstanceIds(), page(r.GetMaxRecords(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeAutoScalingInstancesResponse{NextToken: next}
	for _, in := range ins {
		m := groupMemberOut(in.GroupMember)
		m.AutoScalingGroupName = in.Group
		out.AutoScalingInstances = append(out.AutoScalingInstances, m)
	}
	return out, nil
}

// DescribeScalingActivities lists a group's activities, newest first.
func (a *AutoScaling) DescribeScalingActivities(ctx context.Context, r *v1.DescribeScalingActivitiesRequest) (*v1.DescribeScalingActivitiesResponse, error) {
	if r.GetIncludeDeletedGroups() {
		return nil, ec2err.New(ec2err.ValidationError, "IncludeDeletedGroups is not supported by ec2lab: a deleted group's activities go with it")
	}
	acts, next, err := a.groups.DescribeScalingActivities(ctx, r.GetAutoScalingGroupName(), r.GetActivityIds(),
		page(r.GetMaxRecords(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeScalingActivitiesResponse{NextToken: next}
	for _, act := range acts {
		out.Activities = append(out.Activities, activityOut(act))
	}
	return out, nil
}

// notNull is AWS's refusal of a required member left out.
func notNull(member string) error {
	return ec2err.New(ec2err.ValidationError,
		"1 validation error detected: Value null at '%s' failed to satisfy constraint: Member must not be null", member)
}
