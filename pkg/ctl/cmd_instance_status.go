package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-instance-status, and the flags the instance-status-ok and
// system-status-ok waiters share with it.

func init() { commandGroups = append(commandGroups, addInstanceStatusCommands) }

func addInstanceStatusCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeInstanceStatusCmd(a))
}

// describeInstanceStatusFlags are describe-instance-status' flags.
type describeInstanceStatusFlags struct {
	ids        []string
	filters    []string
	includeAll bool
	dryRun     bool
	page       pageFlags
}

func (fl *describeInstanceStatusFlags) register(cmd *cobra.Command, a *app) {
	f := cmd.Flags()
	f.StringSliceVar(&fl.ids, "instance-ids", nil, "instance IDs (space or comma separated)")
	f.StringArrayVar(&fl.filters, "filters", nil,
		"Name=instance-status.status,Values=impaired (repeatable; also system-status.status, *.reachability, instance-state-name, availability-zone, event.code)")
	f.BoolVar(&fl.includeAll, "include-all-instances", false, "every instance, not only running ones")
	f.Bool("no-include-all-instances", false, "running instances only (the default)")
	addDryRun(cmd, &fl.dryRun)
	fl.page.register(cmd)
	markList(cmd, "instance-ids", "filters")
	completeFlag(cmd, "instance-ids", a, completeInstanceIDs)
}

// describe fetches every page and returns the DescribeInstanceStatus
// document.
func (fl *describeInstanceStatusFlags) describe(ctx context.Context, c pb.ComputeClient) (any, error) {
	filters, err := parseFilters(fl.filters)
	if err != nil {
		return nil, &usageError{err}
	}
	items, next, err := paginate(ctx, fl.page, func(ctx context.Context, token string, max int32) ([]*pb.InstanceStatus, string, error) {
		r, err := c.DescribeInstanceStatus(ctx, &pb.DescribeInstanceStatusRequest{InstanceIds: fl.ids, Filters: filters,
			IncludeAllInstances: fl.includeAll, MaxResults: max, NextToken: token, DryRun: fl.dryRun})
		return r.GetInstanceStatuses(), r.GetNextToken(), err
	})
	if err != nil {
		return nil, err
	}
	return NewObject().Set("InstanceStatuses", list(items, docInstanceStatus)).Str("NextToken", next), nil
}

func newDescribeInstanceStatusCmd(a *app) *cobra.Command {
	var fl describeInstanceStatusFlags
	cmd := &cobra.Command{
		Use:   "describe-instance-status",
		Short: "Describe instances' status checks (DescribeInstanceStatus), following NextToken",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeInstanceStatus", fl.describe)
		},
	}
	fl.register(cmd, a)
	return cmd
}

func instanceStatusFlags(cmd *cobra.Command, a *app) describeFunc {
	fl := &describeInstanceStatusFlags{}
	fl.register(cmd, a)
	return fl.describe
}

// docInstanceStatus is an EC2 InstanceStatus, members in model order.
func docInstanceStatus(s *pb.InstanceStatus) any {
	o := NewObject().Set("AvailabilityZone", s.GetAvailabilityZone())
	if len(s.GetEvents()) > 0 {
		o.Set("Events", list(s.GetEvents(), docStatusEvent))
	}
	return o.Set("InstanceId", s.GetInstanceId()).Set("InstanceState", docState(s.GetInstanceState())).
		Set("InstanceStatus", docStatusSummary(s.GetInstanceStatus())).
		Set("SystemStatus", docStatusSummary(s.GetSystemStatus()))
}

// docStatusSummary is an EC2 InstanceStatusSummary.
func docStatusSummary(s *pb.InstanceStatusSummary) any {
	o := NewObject()
	if len(s.GetDetails()) > 0 {
		o.Set("Details", list(s.GetDetails(), func(d *pb.InstanceStatusDetails) any {
			return NewObject().Time("ImpairedSince", d.GetImpairedSince()).Set("Name", d.GetName()).Set("Status", d.GetStatus())
		}))
	}
	return o.Set("Status", s.GetStatus())
}

func docStatusEvent(e *pb.InstanceStatusEvent) any {
	return NewObject().Str("InstanceEventId", e.GetInstanceEventId()).Set("Code", e.GetCode()).
		Str("Description", e.GetDescription()).Time("NotAfter", e.GetNotAfter()).Time("NotBefore", e.GetNotBefore())
}
