package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// `ec2ctl autoscaling`: the AutoScaling service of ec2d, shaped like `aws
// autoscaling` (same verbs, options and output; awsmodel_autoscaling.json
// gives them --cli-input-json, --generate-cli-skeleton and the required
// options). Options of members ec2lab does not serve (launch
// configurations, load balancers, ...) are not offered.

func init() { commandGroups = append(commandGroups, addAutoScalingCommands) }

func addAutoScalingCommands(root *cobra.Command, a *app) {
	group := &cobra.Command{
		Use:   "autoscaling",
		Short: "Auto Scaling groups, shaped like `aws autoscaling` (same gRPC endpoint as the EC2 verbs)",
		Args:  cobra.NoArgs,
	}
	group.AddCommand(newGroupWriteCmd(a, "create-auto-scaling-group", "CreateAutoScalingGroup",
		"Create an Auto Scaling group of a launch template's instances (CreateAutoScalingGroup)"),
		newGroupWriteCmd(a, "update-auto-scaling-group", "UpdateAutoScalingGroup",
			"Change an Auto Scaling group; options left out keep their values (UpdateAutoScalingGroup)"),
		newDeleteGroupCmd(a), newDescribeGroupsCmd(a), newSetDesiredCapacityCmd(a),
		newDescribeGroupInstancesCmd(a), newTerminateGroupInstanceCmd(a), newDescribeActivitiesCmd(a))
	root.AddCommand(group)
	addModelFlagsOf(group, a, loadAutoScalingModel())
}

// callAutoScaling is call for the AutoScaling service, on the same
// connection.
func (a *app) callAutoScaling(ctx context.Context, op string, fn func(context.Context, pb.AutoScalingClient) (any, error)) error {
	return a.call(ctx, op, func(ctx context.Context, _ pb.ComputeClient) (any, error) {
		return fn(ctx, pb.NewAutoScalingClient(a.conn))
	})
}

// boolPair registers the AWS CLI's --name and --no-name of a boolean
// member.
func boolPair(cmd *cobra.Command, name, usage string) {
	cmd.Flags().Bool(name, false, usage)
	cmd.Flags().Bool("no-"+name, false, "the opposite of --"+name)
}

// pairValue is the member a boolPair gives: nil when neither was given.
func pairValue(cmd *cobra.Command, name string) (*bool, error) {
	pos, neg := cmd.Flags().Changed(name), cmd.Flags().Changed("no-"+name)
	switch {
	case pos && neg:
		return nil, usageErrorf("Cannot specify both the \"--%s\" option and the \"--no-%s\" option.", name, name)
	case !pos && !neg:
		return nil, nil
	}
	v, _ := cmd.Flags().GetBool(name)
	if neg {
		v, _ = cmd.Flags().GetBool("no-" + name)
		v = !v
	}
	return &v, nil
}

// int32Option is an integer option's value, nil when it was not given.
func int32Option(cmd *cobra.Command, name string) *int32 {
	if !cmd.Flags().Changed(name) {
		return nil
	}
	v, _ := cmd.Flags().GetInt32(name)
	return &v
}

func newDeleteGroupCmd(a *app) *cobra.Command {
	var req pb.DeleteAutoScalingGroupRequest
	cmd := &cobra.Command{
		Use:   "delete-auto-scaling-group",
		Short: "Delete an Auto Scaling group; --force-delete terminates its instances first (DeleteAutoScalingGroup)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			force, err := pairValue(cmd, "force-delete")
			if err != nil {
				return err
			}
			req.ForceDelete = force != nil && *force
			return a.callAutoScaling(cmd.Context(), "DeleteAutoScalingGroup", func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
				_, err := c.DeleteAutoScalingGroup(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.AutoScalingGroupName, "auto-scaling-group-name", "", "name of the group")
	boolPair(cmd, "force-delete", "terminate the group's instances, then delete it")
	return cmd
}

func newSetDesiredCapacityCmd(a *app) *cobra.Command {
	var req pb.SetDesiredCapacityRequest
	cmd := &cobra.Command{
		Use:   "set-desired-capacity",
		Short: "Set how many instances an Auto Scaling group keeps (SetDesiredCapacity)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			honor, err := pairValue(cmd, "honor-cooldown")
			if err != nil {
				return err
			}
			req.HonorCooldown = honor != nil && *honor
			req.DesiredCapacity = int32Option(cmd, "desired-capacity")
			return a.callAutoScaling(cmd.Context(), "SetDesiredCapacity", func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
				_, err := c.SetDesiredCapacity(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.AutoScalingGroupName, "auto-scaling-group-name", "", "name of the group")
	cmd.Flags().Int32("desired-capacity", 0, "instances to keep, from the group's min-size to its max-size")
	boolPair(cmd, "honor-cooldown", "not served by ec2lab (it keeps no cooldowns)")
	return cmd
}

func newTerminateGroupInstanceCmd(a *app) *cobra.Command {
	var req pb.TerminateInstanceInAutoScalingGroupRequest
	cmd := &cobra.Command{
		Use:   "terminate-instance-in-auto-scaling-group",
		Short: "Terminate an instance of an Auto Scaling group, lowering its desired capacity or replacing it (TerminateInstanceInAutoScalingGroup)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			dec, err := pairValue(cmd, "should-decrement-desired-capacity")
			if err != nil {
				return err
			}
			if dec == nil { // botocore's check: argparse requires neither form
				return usageErrorf("Parameter validation failed:\nMissing required parameter in input: \"ShouldDecrementDesiredCapacity\"")
			}
			req.ShouldDecrementDesiredCapacity = dec
			return a.callAutoScaling(cmd.Context(), "TerminateInstanceInAutoScalingGroup", func(ctx context.Context, c pb.AutoScalingClient) (any, error) {
				r, err := c.TerminateInstanceInAutoScalingGroup(ctx, &req)
				return NewObject().Set("Activity", docActivity(r.GetActivity())), err
			})
		},
	}
	cmd.Flags().StringVar(&req.InstanceId, "instance-id", "", "ID of the instance")
	boolPair(cmd, "should-decrement-desired-capacity", "lower the group's desired capacity (else the instance is replaced)")
	return cmd
}
