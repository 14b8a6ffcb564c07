package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Auto Scaling documents, members in the order of botocore's autoscaling
// shapes (as the AWS CLI prints them); lists are always there, empty or
// not, as the Query API (pkg/asgquery) and AWS answer them.

func docGroupTemplate(t *pb.AutoScalingLaunchTemplate) any {
	return NewObject().Set("LaunchTemplateId", t.GetLaunchTemplateId()).
		Set("LaunchTemplateName", t.GetLaunchTemplateName()).Set("Version", t.GetVersion())
}

func docAutoScalingGroup(g *pb.AutoScalingGroup) any {
	o := NewObject().Set("AutoScalingGroupName", g.GetAutoScalingGroupName()).
		Set("AutoScalingGroupARN", g.GetAutoScalingGroupArn()).
		Set("LaunchTemplate", docGroupTemplate(g.GetLaunchTemplate())).
		Set("MinSize", int64(g.GetMinSize())).Set("MaxSize", int64(g.GetMaxSize())).
		Set("DesiredCapacity", int64(g.GetDesiredCapacity())).Set("DefaultCooldown", int64(g.GetDefaultCooldown()))
	o.Set("AvailabilityZones", strs(g.GetAvailabilityZones())).Set("LoadBalancerNames", []any{}).Set("TargetGroupARNs", []any{}).
		Set("HealthCheckType", g.GetHealthCheckType()).Set("HealthCheckGracePeriod", int64(g.GetHealthCheckGracePeriod()))
	o.Set("Instances", list(g.GetInstances(), docAutoScalingInstance)).Time("CreatedTime", g.GetCreatedTime()).Set("SuspendedProcesses", []any{}).
		Set("VPCZoneIdentifier", g.GetVpcZoneIdentifier()).Set("EnabledMetrics", []any{}).Str("Status", g.GetStatus())
	return o.Set("Tags", list(g.GetTags(), docGroupTag)).Set("TerminationPolicies", strs(g.GetTerminationPolicies())).
		Set("NewInstancesProtectedFromScaleIn", g.GetNewInstancesProtectedFromScaleIn()).
		Set("ServiceLinkedRoleARN", g.GetServiceLinkedRoleArn())
}

func docGroupTag(t *pb.AutoScalingTag) any {
	return NewObject().Set("ResourceId", t.GetResourceId()).Set("ResourceType", t.GetResourceType()).
		Set("Key", t.GetKey()).Set("Value", t.GetValue()).Set("PropagateAtLaunch", t.GetPropagateAtLaunch())
}

// docAutoScalingInstance is botocore's Instance (of a group).
func docAutoScalingInstance(in *pb.AutoScalingInstance) any {
	return NewObject().Set("InstanceId", in.GetInstanceId()).Set("InstanceType", in.GetInstanceType()).
		Set("AvailabilityZone", in.GetAvailabilityZone()).Set("LifecycleState", in.GetLifecycleState()).
		Set("HealthStatus", in.GetHealthStatus()).Set("LaunchTemplate", docGroupTemplate(in.GetLaunchTemplate())).
		Set("ProtectedFromScaleIn", in.GetProtectedFromScaleIn())
}

// docAutoScalingInstanceDetails is botocore's AutoScalingInstanceDetails.
func docAutoScalingInstanceDetails(in *pb.AutoScalingInstance) any {
	return NewObject().Set("InstanceId", in.GetInstanceId()).Set("InstanceType", in.GetInstanceType()).
		Set("AutoScalingGroupName", in.GetAutoScalingGroupName()).
		Set("AvailabilityZone", in.GetAvailabilityZone()).Set("LifecycleState", in.GetLifecycleState()).
		Set("HealthStatus", in.GetHealthStatus()).Set("LaunchTemplate", docGroupTemplate(in.GetLaunchTemplate())).
		Set("ProtectedFromScaleIn", in.GetProtectedFromScaleIn())
}

func docActivity(a *pb.ScalingActivity) any {
	return NewObject().Set("ActivityId", a.GetActivityId()).Set("AutoScalingGroupName", a.GetAutoScalingGroupName()).
		Set("Description", a.GetDescription()).Set("Cause", a.GetCause()).Time("StartTime", a.GetStartTime()).
		Time("EndTime", a.GetEndTime()).Set("StatusCode", a.GetStatusCode()).Str("StatusMessage", a.GetStatusMessage()).
		Set("Progress", int64(a.GetProgress())).Str("Details", a.GetDetails()).
		Set("AutoScalingGroupARN", a.GetAutoScalingGroupArn())
}

// strs is a list of strings that prints as [] when empty.
func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
