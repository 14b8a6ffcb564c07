package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// report-instance-status: a user's report about instances' health.

func init() { commandGroups = append(commandGroups, addInstanceReportCommands) }

func addInstanceReportCommands(root *cobra.Command, a *app) {
	root.AddCommand(newReportInstanceStatusCmd(a))
}

func newReportInstanceStatusCmd(a *app) *cobra.Command {
	var req pb.ReportInstanceStatusRequest
	cmd := &cobra.Command{
		Use:   "report-instance-status",
		Short: "Report instances whose health differs from their status checks (ReportInstanceStatus)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if len(req.InstanceIds) == 0 || req.Status == "" || len(req.ReasonCodes) == 0 {
				return usageErrorf("the following arguments are required: --instances, --status, --reason-codes")
			}
			return a.call(cmd.Context(), "ReportInstanceStatus", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ReportInstanceStatus(ctx, &req)
				return nil, err
			})
		},
	}
	f := cmd.Flags()
	f.StringSliceVar(&req.InstanceIds, "instances", nil, "instance IDs")
	f.StringVar(&req.Status, "status", "", "ok or impaired")
	f.StringSliceVar(&req.ReasonCodes, "reason-codes", nil, "unresponsive, instance-stuck-in-state, performance-network, … or other")
	f.StringVar(&req.Description, "description", "", "what you saw")
	f.StringVar(&req.StartTime, "start-time", "", "when it started (ISO 8601)")
	f.StringVar(&req.EndTime, "end-time", "", "when it ended (ISO 8601)")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "instances", "reason-codes")
	completeFlag(cmd, "instances", a, completeInstanceIDs)
	return cmd
}
