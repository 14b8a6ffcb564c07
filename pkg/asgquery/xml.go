package asgquery

import (
	"encoding/xml"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// The result elements, in AWS's names (botocore's autoscaling model):
// lists are <Name><member>…</member></Name>.

type describeGroupsResult struct {
	XMLName   xml.Name   `xml:"DescribeAutoScalingGroupsResult"`
	Groups    []groupXML `xml:"AutoScalingGroups>member"`
	NextToken string     `xml:"NextToken,omitempty"`
}

type describeInstancesResult struct {
	XMLName   xml.Name             `xml:"DescribeAutoScalingInstancesResult"`
	Instances []instanceDetailsXML `xml:"AutoScalingInstances>member"`
	NextToken string               `xml:"NextToken,omitempty"`
}

type describeActivitiesResult struct {
	XMLName    xml.Name      `xml:"DescribeScalingActivitiesResult"`
	Activities []activityOut `xml:"Activities>member"`
	NextToken  string        `xml:"NextToken,omitempty"`
}

type terminateResult struct {
	XMLName  xml.Name    `xml:"TerminateInstanceInAutoScalingGroupResult"`
	Activity activityOut `xml:"Activity"`
}

type templateXML struct {
	ID      string `xml:"LaunchTemplateId"`
	Name    string `xml:"LaunchTemplateName"`
	Version string `xml:"Version"`
}

type tagXML struct {
	ResourceID        string `xml:"ResourceId"`
	ResourceType      string `xml:"ResourceType"`
	Key               string `xml:"Key"`
	Value             string `xml:"Value"`
	PropagateAtLaunch bool   `xml:"PropagateAtLaunch"`
}

type groupXML struct {
	Name                   string        `xml:"AutoScalingGroupName"`
	ARN                    string        `xml:"AutoScalingGroupARN"`
	LaunchTemplate         templateXML   `xml:"LaunchTemplate"`
	MinSize                int           `xml:"MinSize"`
	MaxSize                int           `xml:"MaxSize"`
	DesiredCapacity        int           `xml:"DesiredCapacity"`
	DefaultCooldown        int           `xml:"DefaultCooldown"`
	AvailabilityZones      []string      `xml:"AvailabilityZones>member"`
	LoadBalancerNames      struct{}      `xml:"LoadBalancerNames"`
	TargetGroupARNs        struct{}      `xml:"TargetGroupARNs"`
	HealthCheckType        string        `xml:"HealthCheckType"`
	HealthCheckGracePeriod int           `xml:"HealthCheckGracePeriod"`
	Instances              []instanceXML `xml:"Instances>member"`
	CreatedTime            string        `xml:"CreatedTime"`
	SuspendedProcesses     struct{}      `xml:"SuspendedProcesses"`
	VPCZoneIdentifier      string        `xml:"VPCZoneIdentifier"`
	EnabledMetrics         struct{}      `xml:"EnabledMetrics"`
	Status                 string        `xml:"Status,omitempty"`
	Tags                   []tagXML      `xml:"Tags>member"`
	TerminationPolicies    []string      `xml:"TerminationPolicies>member"`
	NewInstancesProtected  bool          `xml:"NewInstancesProtectedFromScaleIn"`
	ServiceLinkedRoleARN   string        `xml:"ServiceLinkedRoleARN"`
}

type instanceXML struct {
	ID                   string      `xml:"InstanceId"`
	InstanceType         string      `xml:"InstanceType"`
	AvailabilityZone     string      `xml:"AvailabilityZone"`
	LifecycleState       string      `xml:"LifecycleState"`
	HealthStatus         string      `xml:"HealthStatus"`
	LaunchTemplate       templateXML `xml:"LaunchTemplate"`
	ProtectedFromScaleIn bool        `xml:"ProtectedFromScaleIn"`
}

type instanceDetailsXML struct {
	Group string `xml:"AutoScalingGroupName"`
	instanceXML
}

type activityOut struct {
	ID          string `xml:"ActivityId"`
	Group       string `xml:"AutoScalingGroupName"`
	GroupARN    string `xml:"AutoScalingGroupARN"`
	Description string `xml:"Description"`
	Cause       string `xml:"Cause"`
	StartTime   string `xml:"StartTime"`
	EndTime     string `xml:"EndTime,omitempty"`
	StatusCode  string `xml:"StatusCode"`
	Message     string `xml:"StatusMessage,omitempty"`
	Progress    int    `xml:"Progress"`
	Details     string `xml:"Details,omitempty"`
}

func isoTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}

func groupOut(g controller.AutoScalingGroup, withInstances bool) groupXML {
	out := groupXML{Name: g.Name, ARN: g.ARN, MinSize: g.MinSize, MaxSize: g.MaxSize, DesiredCapacity: g.Desired,
		DefaultCooldown: g.DefaultCooldown, AvailabilityZones: g.Zones, HealthCheckType: g.HealthCheckType,
		HealthCheckGracePeriod: g.HealthCheckGracePeriod, CreatedTime: isoTime(g.CreatedTime),
		LaunchTemplate:      templateXML{ID: g.LaunchTemplate.ID, Name: g.LaunchTemplate.Name, Version: g.LaunchTemplate.Version},
		TerminationPolicies: g.TerminationPolicies,
		ServiceLinkedRoleARN: "arn:aws:iam::" + g.Owner +
			":role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling"}
	for i, s := range g.Subnets {
		if i > 0 {
			out.VPCZoneIdentifier += ","
		}
		out.VPCZoneIdentifier += s
	}
	if g.Deleting {
		out.Status = "Delete in progress"
	}
	for _, t := range g.Tags {
		out.Tags = append(out.Tags, tagXML{ResourceID: g.Name, ResourceType: "auto-scaling-group", Key: t.Key, Value: t.Value,
			PropagateAtLaunch: t.PropagateAtLaunch})
	}
	if withInstances {
		for _, m := range g.Instances {
			out.Instances = append(out.Instances, memberXML(m))
		}
	}
	return out
}

func memberXML(m controller.GroupMember) instanceXML {
	return instanceXML{ID: m.ID, InstanceType: m.Type, AvailabilityZone: m.AZ, LifecycleState: m.LifecycleState,
		HealthStatus:   m.HealthStatus,
		LaunchTemplate: templateXML{ID: m.LaunchTemplate.ID, Name: m.LaunchTemplate.Name, Version: m.LaunchTemplate.Version}}
}

func activityXML(a controller.ScalingActivity) activityOut {
	return activityOut{ID: a.ID, Group: a.Group, GroupARN: a.GroupARN, Description: a.Description, Cause: a.Cause,
		StartTime: isoTime(a.StartTime), EndTime: isoTime(a.EndTime), StatusCode: a.StatusCode, Message: a.StatusMessage,
		Progress: a.Progress, Details: a.Details}
}
