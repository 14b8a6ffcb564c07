package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// reset-instance-attribute: kernel, ramdisk or sourceDestCheck back to its
// default.

func init() { commandGroups = append(commandGroups, addResetInstanceAttributeCommand) }

func addResetInstanceAttributeCommand(root *cobra.Command, a *app) {
	root.AddCommand(newResetInstanceAttributeCmd(a))
}

// resettableAttributes are the attributes EC2 resets.
var resettableAttributes = []string{"kernel", "ramdisk", "sourceDestCheck"}

func newResetInstanceAttributeCmd(a *app) *cobra.Command {
	var req pb.ResetInstanceAttributeRequest
	cmd := &cobra.Command{
		Use:   "reset-instance-attribute",
		Short: "Reset an attribute of an instance to its default (ResetInstanceAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "instance-id", "attribute"); err != nil {
				return err
			}
			return a.call(cmd.Context(), "ResetInstanceAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ResetInstanceAttribute(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.InstanceId, "instance-id", "", "the instance")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", "kernel, ramdisk (stopped instances) or sourceDestCheck")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	_ = cmd.RegisterFlagCompletionFunc("attribute", cobra.FixedCompletions(resettableAttributes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}
