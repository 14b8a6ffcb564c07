package asgquery

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// action reads a request's parameters, calls the controller and returns
// the result element (nil: the call has no output).
type action func(ctx context.Context, g Groups, p *params) (any, error)

var actions = map[string]action{
	"CreateAutoScalingGroup":              createGroup,
	"UpdateAutoScalingGroup":              updateGroup,
	"DeleteAutoScalingGroup":              deleteGroup,
	"DescribeAutoScalingGroups":           describeGroups,
	"SetDesiredCapacity":                  setDesired,
	"DescribeAutoScalingInstances":        describeInstances,
	"TerminateInstanceInAutoScalingGroup": terminateInstance,
	"DescribeScalingActivities":           describeActivities,
}

// Actions are the Auto Scaling actions served, sorted.
func Actions() []string {
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func actionNames() string { return strings.Join(Actions(), ", ") }

// groupRequest reads the parameters Create and Update share.
func groupRequest(p *params, create bool) (controller.GroupRequest, error) {
	var req controller.GroupRequest
	var err error
	req.Name, _ = p.str("AutoScalingGroupName")
	for _, f := range []struct {
		name string
		dst  **int
	}{{"MinSize", &req.MinSize}, {"MaxSize", &req.MaxSize}, {"DesiredCapacity", &req.DesiredCapacity},
		{"DefaultCooldown", &req.DefaultCooldown}, {"HealthCheckGracePeriod", &req.HealthCheckGracePeriod}} {
		if *f.dst, err = p.int(f.name); err != nil {
			return req, err
		}
	}
	id, idOK := p.str("LaunchTemplate.LaunchTemplateId")
	name, nameOK := p.str("LaunchTemplate.LaunchTemplateName")
	version, versionOK := p.str("LaunchTemplate.Version")
	if idOK || nameOK || versionOK {
		req.LaunchTemplate = &controller.LaunchTemplateSpec{ID: id, Name: name, Version: version}
	}
	if req.AvailabilityZones, err = p.list("AvailabilityZones"); err != nil {
		return req, err
	}
	if req.TerminationPolicies, err = p.list("TerminationPolicies"); err != nil {
		return req, err
	}
	req.VPCZoneIdentifier, req.HealthCheckType = p.strp("VPCZoneIdentifier"), p.strp("HealthCheckType")
	if create {
		if req.Tags, err = tags(p, req.Name); err != nil {
			return req, err
		}
	}
	return req, nil
}

// tags reads Tags.member.N (Key, Value, PropagateAtLaunch; ResourceType
// and ResourceId, when given, must name the group).
func tags(p *params, group string) ([]controller.GroupTag, error) {
	ns, err := p.indices("Tags")
	if err != nil {
		return nil, err
	}
	var out []controller.GroupTag
	for _, n := range ns {
		pre := fmt.Sprintf("Tags.member.%d.", n)
		var t controller.GroupTag
		t.Key, _ = p.str(pre + "Key")
		t.Value, _ = p.str(pre + "Value")
		if t.PropagateAtLaunch, err = p.bool(pre + "PropagateAtLaunch"); err != nil {
			return nil, err
		}
		if typ, ok := p.str(pre + "ResourceType"); ok && typ != "auto-scaling-group" {
			return nil, ec2err.New(ec2err.ValidationError, "Invalid resource type '%s'; tags go on an auto-scaling-group", clip(typ))
		}
		if id, ok := p.str(pre + "ResourceId"); ok && id != group {
			return nil, ec2err.New(ec2err.ValidationError, "Tag %s names resource '%s', not the group %s", clip(t.Key), clip(id), group)
		}
		out = append(out, t)
	}
	return out, nil
}

func createGroup(ctx context.Context, g Groups, p *params) (any, error) {
	req, err := groupRequest(p, true)
	if err != nil {
		return nil, err
	}
	if err := p.done("CreateAutoScalingGroup"); err != nil {
		return nil, err
	}
	return nil, g.CreateAutoScalingGroup(ctx, req)
}

func updateGroup(ctx context.Context, g Groups, p *params) (any, error) {
	req, err := groupRequest(p, false)
	if err != nil {
		return nil, err
	}
	if err := p.done("UpdateAutoScalingGroup"); err != nil {
		return nil, err
	}
	return nil, g.UpdateAutoScalingGroup(ctx, req)
}

func deleteGroup(ctx context.Context, g Groups, p *params) (any, error) {
	name, _ := p.str("AutoScalingGroupName")
	force, err := p.bool("ForceDelete")
	if err != nil {
		return nil, err
	}
	if err := p.done("DeleteAutoScalingGroup"); err != nil {
		return nil, err
	}
	return nil, g.DeleteAutoScalingGroup(ctx, name, force)
}

func setDesired(ctx context.Context, g Groups, p *params) (any, error) {
	name, _ := p.str("AutoScalingGroupName")
	desired, err := p.int("DesiredCapacity")
	if err != nil {
		return nil, err
	}
	honor, err := p.bool("HonorCooldown")
	if err != nil {
		return nil, err
	}
	if honor {
		return nil, ec2err.New(ec2err.ValidationError, "HonorCooldown is not supported by ec2lab (it keeps no cooldowns); leave it false")
	}
	if err := p.done("SetDesiredCapacity"); err != nil {
		return nil, err
	}
	if desired == nil {
		return nil, ec2err.New(ec2err.ValidationError, "1 validation error detected: Value null at 'desiredCapacity' failed to satisfy constraint: Member must not be null")
	}
	return nil, g.SetDesiredCapacity(ctx, name, *desired)
}

func terminateInstance(ctx context.Context, g Groups, p *params) (any, error) {
	id, _ := p.str("InstanceId")
	if _, ok := p.v["ShouldDecrementDesiredCapacity"]; !ok {
		return nil, ec2err.New(ec2err.ValidationError, "1 validation error detected: Value null at 'shouldDecrementDesiredCapacity' failed to satisfy constraint: Member must not be null")
	}
	decrement, err := p.bool("ShouldDecrementDesiredCapacity")
	if err != nil {
		return nil, err
	}
	if err := p.done("TerminateInstanceInAutoScalingGroup"); err != nil {
		return nil, err
	}
	a, err := g.TerminateInstanceInAutoScalingGroup(ctx, id, decrement)
	if err != nil {
		return nil, err
	}
	return terminateResult{Activity: activityXML(a)}, nil
}

// page reads MaxRecords and NextToken.
func page(p *params) (controller.Page, error) {
	n, err := p.int("MaxRecords")
	if err != nil {
		return controller.Page{}, err
	}
	pg := controller.Page{}
	if n != nil {
		if *n < 1 {
			return pg, ec2err.New(ec2err.ValidationError, "1 validation error detected: Value '%d' at 'maxRecords' failed to satisfy constraint: Member must have value greater than or equal to 1", *n)
		}
		pg.MaxResults = *n
	}
	pg.NextToken, _ = p.str("NextToken")
	return pg, nil
}

func describeGroups(ctx context.Context, g Groups, p *params) (any, error) {
	names, err := p.list("AutoScalingGroupNames")
	if err != nil {
		return nil, err
	}
	pg, err := page(p)
	if err != nil {
		return nil, err
	}
	include := true
	if _, ok := p.v["IncludeInstances"]; ok {
		if include, err = p.bool("IncludeInstances"); err != nil {
			return nil, err
		}
	}
	if err := p.done("DescribeAutoScalingGroups"); err != nil {
		return nil, err
	}
	gs, next, err := g.DescribeAutoScalingGroups(ctx, names, pg)
	if err != nil {
		return nil, err
	}
	out := describeGroupsResult{NextToken: next}
	for _, grp := range gs {
		out.Groups = append(out.Groups, groupOut(grp, include))
	}
	return out, nil
}

func describeInstances(ctx context.Context, g Groups, p *params) (any, error) {
	ids, err := p.list("InstanceIds")
	if err != nil {
		return nil, err
	}
	pg, err := page(p)
	if err != nil {
		return nil, err
	}
	if err := p.done("DescribeAutoScalingInstances"); err != nil {
		return nil, err
	}
	ins, next, err := g.DescribeAutoScalingInstances(ctx, ids, pg)
	if err != nil {
		return nil, err
	}
	out := describeInstancesResult{NextToken: next}
	for _, in := range ins {
		out.Instances = append(out.Instances, instanceDetailsXML{Group: in.Group, instanceXML: memberXML(in.GroupMember)})
	}
	return out, nil
}

func describeActivities(ctx context.Context, g Groups, p *params) (any, error) {
	group, _ := p.str("AutoScalingGroupName")
	ids, err := p.list("ActivityIds")
	if err != nil {
		return nil, err
	}
	pg, err := page(p)
	if err != nil {
		return nil, err
	}
	if deleted, err := p.bool("IncludeDeletedGroups"); err != nil {
		return nil, err
	} else if deleted {
		return nil, ec2err.New(ec2err.ValidationError, "IncludeDeletedGroups is not supported by ec2lab: a deleted group's activities go with it")
	}
	if err := p.done("DescribeScalingActivities"); err != nil {
		return nil, err
	}
	acts, next, err := g.DescribeScalingActivities(ctx, group, ids, pg)
	if err != nil {
		return nil, err
	}
	out := describeActivitiesResult{NextToken: next}
	for _, a := range acts {
		out.Activities = append(out.Activities, activityXML(a))
	}
	return out, nil
}
