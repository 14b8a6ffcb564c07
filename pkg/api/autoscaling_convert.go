package api

import (
	"strings"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Auto Scaling's shapes in and out of the controller's.

// groupTagResourceType is the resource type of every group tag.
const groupTagResourceType = "auto-scaling-group"

func intp(v *int32) *int {
	if v == nil {
		return nil
	}
	n := int(*v)
	return &n
}

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func groupTemplateIn(t *v1.AutoScalingLaunchTemplate) *controller.LaunchTemplateSpec {
	if t == nil {
		return nil
	}
	return &controller.LaunchTemplateSpec{ID: t.GetLaunchTemplateId(), Name: t.GetLaunchTemplateName(), Version: t.GetVersion()}
}

func createGroupIn(r *v1.CreateAutoScalingGroupRequest) (controller.GroupRequest, error) {
	req := controller.GroupRequest{Name: r.GetAutoScalingGroupName(), LaunchTemplate: groupTemplateIn(r.GetLaunchTemplate()),
		MinSize: intp(r.MinSize), MaxSize: intp(r.MaxSize), DesiredCapacity: intp(r.DesiredCapacity),
		DefaultCooldown: intp(r.DefaultCooldown), AvailabilityZones: r.GetAvailabilityZones(),
		VPCZoneIdentifier: nonEmpty(r.GetVpcZoneIdentifier()), HealthCheckType: nonEmpty(r.GetHealthCheckType()),
		HealthCheckGracePeriod: intp(r.HealthCheckGracePeriod), TerminationPolicies: r.GetTerminationPolicies()}
	for _, t := range r.GetTags() {
		if typ := t.GetResourceType(); typ != "" && typ != groupTagResourceType {
			return req, ec2err.New(ec2err.ValidationError, "Invalid resource type '%s'; tags go on an auto-scaling-group", typ)
		}
		if id := t.GetResourceId(); id != "" && id != req.Name {
			return req, ec2err.New(ec2err.ValidationError, "Tag %s names resource '%s', not the group %s", t.GetKey(), id, req.Name)
		}
		req.Tags = append(req.Tags, controller.GroupTag{Key: t.GetKey(), Value: t.GetValue(), PropagateAtLaunch: t.GetPropagateAtLaunch()})
	}
	return req, nil
}

func updateGroupIn(r *v1.UpdateAutoScalingGroupRequest) controller.GroupRequest {
	return controller.GroupRequest{Name: r.GetAutoScalingGroupName(), LaunchTemplate: groupTemplateIn(r.GetLaunchTemplate()),
		MinSize: intp(r.MinSize), MaxSize: intp(r.MaxSize), DesiredCapacity: intp(r.DesiredCapacity),
		DefaultCooldown: intp(r.DefaultCooldown), AvailabilityZones: r.GetAvailabilityZones(),
		VPCZoneIdentifier: r.VpcZoneIdentifier, HealthCheckType: r.HealthCheckType,
		HealthCheckGracePeriod: intp(r.HealthCheckGracePeriod), TerminationPolicies: r.GetTerminationPolicies()}
}

func groupTemplateOut(t controller.LaunchTemplateSpec) *v1.AutoScalingLaunchTemplate {
	return &v1.AutoScalingLaunchTemplate{LaunchTemplateId: t.ID, LaunchTemplateName: t.Name, Version: t.Version}
}

func autoScalingGroupOut(g controller.AutoScalingGroup, withInstances bool) *v1.AutoScalingGroup {
	out := &v1.AutoScalingGroup{AutoScalingGroupName: g.Name, AutoScalingGroupArn: g.ARN,
		LaunchTemplate: groupTemplateOut(g.LaunchTemplate), MinSize: int32(g.MinSize), MaxSize: int32(g.MaxSize),
		DesiredCapacity: int32(g.Desired), DefaultCooldown: int32(g.DefaultCooldown), AvailabilityZones: g.Zones,
		HealthCheckType: g.HealthCheckType, HealthCheckGracePeriod: int32(g.HealthCheckGracePeriod),
		CreatedTime: ts(g.CreatedTime), VpcZoneIdentifier: strings.Join(g.Subnets, ","),
		TerminationPolicies:  g.TerminationPolicies,
		ServiceLinkedRoleArn: "arn:aws:iam::" + g.Owner + ":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"}
	if g.Deleting {
		out.Status = "Delete in progress"
	}
	for _, t := range g.Tags {
		out.Tags = append(out.Tags, &v1.AutoScalingTag{ResourceId: g.Name, ResourceType: groupTagResourceType,
			Key: t.Key, Value: t.Value, PropagateAtLaunch: t.PropagateAtLaunch})
	}
	if withInstances {
		for _, m := range g.Instances {
			out.Instances = append(out.Instances, groupMemberOut(m))
		}
	}
	return out
}

func groupMemberOut(m controller.GroupMember) *v1.AutoScalingInstance {
	return &v1.AutoScalingInstance{InstanceId: m.ID, InstanceType: m.Type, AvailabilityZone: m.AZ,
		LifecycleState: m.LifecycleState, HealthStatus: m.HealthStatus, LaunchTemplate: groupTemplateOut(m.LaunchTemplate)}
}

func activityOut(a controller.ScalingActivity) *v1.ScalingActivity {
	return &v1.ScalingActivity{ActivityId: a.ID, AutoScalingGroupName: a.Group, AutoScalingGroupArn: a.GroupARN,
		Description: a.Description, Cause: a.Cause, StartTime: ts(a.StartTime), EndTime: ts(a.EndTime),
		StatusCode: a.StatusCode, StatusMessage: a.StatusMessage, Progress: int32(a.Progress), Details: a.Details}
}
