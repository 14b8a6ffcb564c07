package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// The Auto Scaling describe verbs: paginated as the AWS CLI paginates
// them (--max-items, --page-size, --starting-token; --max-records or
// --next-token make one call).

func newDescribeGroupsCmd(a *app) *cobra.Command {
	var names []string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-auto-scaling-groups",
		Short: "Describe Auto Scaling groups (DescribeAutoScalingGroups)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			include, err := pairValue(cmd, "include-instances")
			if err != nil {
				return err
			}
			return a.callAutoScaling(cmd.Context(), "DescribeAutoScalingGroups", func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.AutoScalingGroup, string, error) {
					r, err := c.DescribeAutoScalingGroups(ctx, &pb.DescribeAutoScalingGroupsRequest{AutoScalingGroupNames: names,
						IncludeInstances: include, NextToken: token, MaxRecords: max})
					return r.GetAutoScalingGroups(), r.GetNextToken(), err
				})
				return NewObject().Set("AutoScalingGroups", list(items, docAutoScalingGroup)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&names, "auto-scaling-group-names", nil, "group names (default: every group)")
	boolPair(cmd, "include-instances", "list each group's instances (the default)")
	pg.registerLimit(cmd, "max-records")
	markList(cmd, "auto-scaling-group-names")
	return cmd
}

func newDescribeGroupInstancesCmd(a *app) *cobra.Command {
	var ids []string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-auto-scaling-instances",
		Short: "Describe the instances of Auto Scaling groups (DescribeAutoScalingInstances)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.callAutoScaling(cmd.Context(), "DescribeAutoScalingInstances", func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.AutoScalingInstance, string, error) {
					r, err := c.DescribeAutoScalingInstances(ctx, &pb.DescribeAutoScalingInstancesRequest{InstanceIds: ids,
						NextToken: token, MaxRecords: max})
					return r.GetAutoScalingInstances(), r.GetNextToken(), err
				})
				return NewObject().Set("AutoScalingInstances", list(items, docAutoScalingInstanceDetails)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "instance-ids", nil, "instance IDs (default: every instance of the caller's groups)")
	pg.registerLimit(cmd, "max-records")
	markList(cmd, "instance-ids")
	return cmd
}

func newDescribeActivitiesCmd(a *app) *cobra.Command {
	var ids []string
	var group string
	var pg pageFlags
	cmd := &cobra.Command{
		Use:   "describe-scaling-activities",
		Short: "Describe the launches and terminations of Auto Scaling groups, newest first (DescribeScalingActivities)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			deleted, err := pairValue(cmd, "include-deleted-groups")
			if err != nil {
				return err
			}
			return a.callAutoScaling(cmd.Context(), "DescribeScalingActivities", func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
				items, next, err := paginate(ctx, pg, func(ctx context.Context, token string, max int32) ([]*pb.ScalingActivity, string, error) {
					r, err := c.DescribeScalingActivities(ctx, &pb.DescribeScalingActivitiesRequest{ActivityIds: ids,
						AutoScalingGroupName: group, IncludeDeletedGroups: deleted != nil && *deleted, NextToken: token, MaxRecords: max})
					return r.GetActivities(), r.GetNextToken(), err
				})
				return NewObject().Set("Activities", list(items, docActivity)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "activity-ids", nil, "activity IDs")
	cmd.Flags().StringVar(&group, "auto-scaling-group-name", "", "name of the group")
	boolPair(cmd, "include-deleted-groups", "not served by ec2lab: a deleted group's activities go with it")
	pg.registerLimit(cmd, "max-records")
	markList(cmd, "activity-ids")
	return cmd
}
