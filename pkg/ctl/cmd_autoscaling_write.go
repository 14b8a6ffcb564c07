package ctl

import (
	"context"
	"fmt"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// groupFlags are the options of create- and update-auto-scaling-group.
type groupFlags struct {
	name, launchTemplate, healthCheckType, vpcZoneIdentifier string
	zones, policies, tags                                    []string
}

// newGroupWriteCmd is create-auto-scaling-group or update-auto-scaling-group:
// the same options, tags on create only.
func newGroupWriteCmd(a *app, verb, op, short string) *cobra.Command {
	var fl groupFlags
	create := op == "CreateAutoScalingGroup"
	cmd := &cobra.Command{Use: verb, Short: short, Args: cobra.NoArgs}
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		lt, err := parseGroupTemplate(fl.launchTemplate)
		if err != nil {
			return &usageError{err}
		}
		if create {
			req, err := fl.createRequest(cmd, lt)
			if err != nil {
				return &usageError{err}
			}
			return a.callAutoScaling(cmd.Context(), op, func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
				_, err := c.CreateAutoScalingGroup(ctx, req)
				return nil, err
			})
		}
		req := fl.updateRequest(cmd, lt)
		return a.callAutoScaling(cmd.Context(), op, func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
			_, err := c.UpdateAutoScalingGroup(ctx, req)
			return nil, err
		})
	}
	f := cmd.Flags()
	f.StringVar(&fl.name, "auto-scaling-group-name", "", "name of the group")
	f.StringVar(&fl.launchTemplate, "launch-template", "", "LaunchTemplateId=lt-...|LaunchTemplateName=...,Version=$Latest|$Default|N (shorthand or JSON)")
	f.Int32("min-size", 0, "fewest instances")
	f.Int32("max-size", 0, "most instances")
	f.Int32("desired-capacity", 0, "instances to keep (default min-size)")
	f.Int32("default-cooldown", 0, "seconds (default 300)")
	f.StringSliceVar(&fl.zones, "availability-zones", nil, "zones whose default subnets the group uses (without --vpc-zone-identifier)")
	f.StringVar(&fl.healthCheckType, "health-check-type", "", "EC2 (the only type served)")
	f.Int32("health-check-grace-period", 0, "seconds a new instance's status is not checked")
	f.StringVar(&fl.vpcZoneIdentifier, "vpc-zone-identifier", "", "subnet IDs, comma-separated")
	f.StringSliceVar(&fl.policies, "termination-policies", nil, "Default, NewestInstance or OldestInstance")
	markList(cmd, "availability-zones", "termination-policies")
	if create {
		f.StringArrayVar(&fl.tags, "tags", nil, "Key=k,Value=v,PropagateAtLaunch=true (repeatable; shorthand or JSON)")
		markList(cmd, "tags")
	}
	return cmd
}

func (fl *groupFlags) createRequest(cmd *cobra.Command, lt *pb.AutoScalingLaunchTemplate) (*pb.CreateAutoScalingGroupRequest, error) {
	req := &pb.CreateAutoScalingGroupRequest{AutoScalingGroupName: fl.name, LaunchTemplate: lt,
		MinSize: int32Option(cmd, "min-size"), MaxSize: int32Option(cmd, "max-size"),
		DesiredCapacity: int32Option(cmd, "desired-capacity"), DefaultCooldown: int32Option(cmd, "default-cooldown"),
		AvailabilityZones: fl.zones, HealthCheckType: fl.healthCheckType,
		HealthCheckGracePeriod: int32Option(cmd, "health-check-grace-period"), VpcZoneIdentifier: fl.vpcZoneIdentifier,
		TerminationPolicies: fl.policies}
	ms, err := structList("tags", fl.tags)
	if err != nil {
		return nil, err
	}
	for _, m := range ms {
		t := &pb.AutoScalingTag{}
		if err := toMessage(m, t.ProtoReflect()); err != nil {
			return nil, err
		}
		req.Tags = append(req.Tags, t)
	}
	return req, nil
}

func (fl *groupFlags) updateRequest(cmd *cobra.Command, lt *pb.AutoScalingLaunchTemplate) *pb.UpdateAutoScalingGroupRequest {
	req := &pb.UpdateAutoScalingGroupRequest{AutoScalingGroupName: fl.name, LaunchTemplate: lt,
		MinSize: int32Option(cmd, "min-size"), MaxSize: int32Option(cmd, "max-size"),
		DesiredCapacity: int32Option(cmd, "desired-capacity"), DefaultCooldown: int32Option(cmd, "default-cooldown"),
		AvailabilityZones: fl.zones, HealthCheckGracePeriod: int32Option(cmd, "health-check-grace-period"),
		TerminationPolicies: fl.policies}
	if cmd.Flags().Changed("health-check-type") {
		req.HealthCheckType = &fl.healthCheckType
	}
	if cmd.Flags().Changed("vpc-zone-identifier") {
		req.VpcZoneIdentifier = &fl.vpcZoneIdentifier
	}
	return req
}

// parseGroupTemplate reads --launch-template (nil when not given).
func parseGroupTemplate(raw string) (*pb.AutoScalingLaunchTemplate, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("launch-template", []string{raw})
	if err != nil {
		return nil, err
	}
	if len(ms) != 1 {
		return nil, fmt.Errorf("--launch-template takes one structure, not a list")
	}
	lt := &pb.AutoScalingLaunchTemplate{}
	return lt, toMessage(ms[0], lt.ProtoReflect())
}
