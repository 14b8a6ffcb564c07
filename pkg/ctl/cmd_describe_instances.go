package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describeInstancesFlags are shared by describe-instances and the
// instance waiters.
type describeInstancesFlags struct {
	ids     []string
	filters []string
	page    pageFlags
}

func (fl *describeInstancesFlags) register(cmd *cobra.Command, a *app) {
	cmd.Flags().StringSliceVar(&fl.ids, "instance-ids", nil, "instance IDs (space or comma separated)")
	cmd.Flags().StringArrayVar(&fl.filters, "filters", nil, "Name=instance-state-name,Values=running,stopped (repeatable)")
	fl.page.register(cmd)
	markList(cmd, "instance-ids", "filters")
	completeFlag(cmd, "instance-ids", a, completeInstanceIDs)
}

// describe fetches every page and returns the DescribeInstances document.
func (fl *describeInstancesFlags) describe(ctx context.Context, c pb.ComputeClient) (any, error) {
	filters, err := parseFilters(fl.filters)
	if err != nil {
		return nil, &usageError{err}
	}
	items, next, err := paginate(ctx, fl.page, func(ctx context.Context, token string, max int32) ([]*pb.Reservation, string, error) {
		r, err := c.DescribeInstances(ctx, &pb.DescribeInstancesRequest{InstanceIds: fl.ids,
			Filters: filters, MaxResults: max, NextToken: token})
		return r.GetReservations(), r.GetNextToken(), err
	})
	if err != nil {
		return nil, err
	}
	doc := NewObject().Set("Reservations", list(items, docReservation))
	return doc.Str("NextToken", next), nil
}

func newDescribeInstancesCmd(a *app) *cobra.Command {
	var fl describeInstancesFlags
	cmd := &cobra.Command{
		Use:   "describe-instances",
		Short: "Describe instances (DescribeInstances), following NextToken",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeInstances", fl.describe)
		},
	}
	fl.register(cmd, a)
	return cmd
}
