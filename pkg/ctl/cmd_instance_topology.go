package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-instance-topology: where running instances sit in the network.

func init() { commandGroups = append(commandGroups, addInstanceTopologyCommand) }

func addInstanceTopologyCommand(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeInstanceTopologyCmd(a))
}

func newDescribeInstanceTopologyCmd(a *app) *cobra.Command {
	var req pb.DescribeInstanceTopologyRequest
	var filters []string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "describe-instance-topology",
		Short: "Describe where running instances sit in the network (DescribeInstanceTopology)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			req.Filters = flt
			return a.call(cmd.Context(), "DescribeInstanceTopology", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, page, func(ctx context.Context, token string, max int32) ([]*pb.InstanceTopology, string, error) {
					req.MaxResults, req.NextToken = max, token
					r, err := c.DescribeInstanceTopology(ctx, &req)
					return r.GetInstances(), r.GetNextToken(), err
				})
				return NewObject().Set("Instances", list(items, docInstanceTopology)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&req.InstanceIds, "instance-ids", nil, "instances (default: every running one)")
	cmd.Flags().StringSliceVar(&req.GroupNames, "group-names", nil, "placement groups")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=availability-zone|instance-type|zone-id,Values=... (repeatable)")
	addDryRun(cmd, &req.DryRun)
	page.register(cmd)
	markList(cmd, "instance-ids", "group-names", "filters")
	completeFlag(cmd, "instance-ids", a, completeInstanceIDs)
	return cmd
}

// docInstanceTopology is EC2's InstanceTopology.
func docInstanceTopology(t *pb.InstanceTopology) any {
	return NewObject().Set("InstanceId", t.GetInstanceId()).
		Set("InstanceType", t.GetInstanceType()).
		Str("GroupName", t.GetGroupName()).
		Set("NetworkNodes", strList(t.GetNetworkNodes())).
		Set("AvailabilityZone", t.GetAvailabilityZone()).
		Set("ZoneId", t.GetZoneId())
}
