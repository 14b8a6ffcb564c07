package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// get-instance-uefi-data: a UEFI instance's variable store, in EC2's
// format (python-uefivars reads it).

func init() { commandGroups = append(commandGroups, addUefiDataCommand) }

func addUefiDataCommand(root *cobra.Command, a *app) {
	root.AddCommand(newGetInstanceUefiDataCmd(a))
}

func newGetInstanceUefiDataCmd(a *app) *cobra.Command {
	var req pb.GetInstanceUefiDataRequest
	cmd := &cobra.Command{
		Use:   "get-instance-uefi-data",
		Short: "Get a UEFI instance's variable store (GetInstanceUefiData)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "instance-id"); err != nil {
				return err
			}
			return a.call(cmd.Context(), "GetInstanceUefiData", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.GetInstanceUefiData(ctx, &req)
				return NewObject().Set("InstanceId", r.GetInstanceId()).Set("UefiData", r.GetUefiData()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.InstanceId, "instance-id", "", "the instance")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	return cmd
}
