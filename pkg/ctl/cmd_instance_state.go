package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// instanceIDsCmd builds start/reboot/terminate-style commands taking
// --instance-ids and --dry-run.
func instanceIDsCmd(a *app, use, op, short string, extra func(*cobra.Command),
	call func(ctx context.Context, c pb.ComputeClient, ids []string, dryRun bool) (any, error)) *cobra.Command {
	var ids []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(ids) == 0 {
				return usageErrorf("the following arguments are required: --instance-ids")
			}
			return a.call(cmd.Context(), op, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				return call(ctx, c, ids, dryRun)
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "instance-ids", nil, "instance IDs (space or comma separated)")
	addDryRun(cmd, &dryRun)
	markList(cmd, "instance-ids")
	completeFlag(cmd, "instance-ids", a, completeInstanceIDs)
	if extra != nil {
		extra(cmd)
	}
	return cmd
}

func newStartInstancesCmd(a *app) *cobra.Command {
	return instanceIDsCmd(a, "start-instances", "StartInstances", "Start stopped instances (StartInstances)", nil,
		func(ctx context.Context, c pb.ComputeClient, ids []string, dry bool) (any, error) {
			r, err := c.StartInstances(ctx, &pb.InstanceIdsRequest{InstanceIds: ids, DryRun: dry})
			return docStateChanges("StartingInstances", r), err
		})
}

func newStopInstancesCmd(a *app) *cobra.Command {
	var force bool
	return instanceIDsCmd(a, "stop-instances", "StopInstances", "Stop instances (StopInstances)",
		func(cmd *cobra.Command) {
			cmd.Flags().BoolVar(&force, "force", false, "power off without a clean shutdown")
		},
		func(ctx context.Context, c pb.ComputeClient, ids []string, dry bool) (any, error) {
			r, err := c.StopInstances(ctx, &pb.StopInstancesRequest{InstanceIds: ids, Force: force, DryRun: dry})
			return docStateChanges("StoppingInstances", r), err
		})
}

func newRebootInstancesCmd(a *app) *cobra.Command {
	return instanceIDsCmd(a, "reboot-instances", "RebootInstances", "Reboot instances (RebootInstances)", nil,
		func(ctx context.Context, c pb.ComputeClient, ids []string, dry bool) (any, error) {
			_, err := c.RebootInstances(ctx, &pb.InstanceIdsRequest{InstanceIds: ids, DryRun: dry})
			return nil, err
		})
}

func newTerminateInstancesCmd(a *app) *cobra.Command {
	return instanceIDsCmd(a, "terminate-instances", "TerminateInstances", "Terminate instances (TerminateInstances)", nil,
		func(ctx context.Context, c pb.ComputeClient, ids []string, dry bool) (any, error) {
			r, err := c.TerminateInstances(ctx, &pb.InstanceIdsRequest{InstanceIds: ids, DryRun: dry})
			return docStateChanges("TerminatingInstances", r), err
		})
}
