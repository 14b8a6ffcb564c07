package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-instance-type-offerings: the types each location offers.

func init() { commandGroups = append(commandGroups, addTypeOfferingsCommands) }

func addTypeOfferingsCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeInstanceTypeOfferingsCmd(a))
}

// locationTypes are EC2's LocationType values (ec2lab has no Outposts).
var locationTypes = []string{"region", "availability-zone", "availability-zone-id", "outpost"}

func newDescribeInstanceTypeOfferingsCmd(a *app) *cobra.Command {
	var req pb.DescribeInstanceTypeOfferingsRequest
	var filters []string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "describe-instance-type-offerings",
		Short: "Describe the instance types each location offers (DescribeInstanceTypeOfferings)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			req.Filters = flt
			return a.call(cmd.Context(), "DescribeInstanceTypeOfferings", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, page, func(ctx context.Context, token string, max int32) ([]*pb.InstanceTypeOffering, string, error) {
					r := &req
					r.MaxResults, r.NextToken = max, token
					resp, err := c.DescribeInstanceTypeOfferings(ctx, r)
					return resp.GetInstanceTypeOfferings(), resp.GetNextToken(), err
				})
				return NewObject().Set("InstanceTypeOfferings", list(items, docInstanceTypeOffering)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringVar(&req.LocationType, "location-type", "", "region (default), availability-zone or availability-zone-id")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=instance-type|location,Values=... (repeatable)")
	addDryRun(cmd, &req.DryRun)
	page.register(cmd)
	markList(cmd, "filters")
	_ = cmd.RegisterFlagCompletionFunc("location-type", cobra.FixedCompletions(locationTypes, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// docInstanceTypeOffering is EC2's InstanceTypeOffering.
func docInstanceTypeOffering(o *pb.InstanceTypeOffering) any {
	return NewObject().Set("InstanceType", o.GetInstanceType()).
		Set("LocationType", o.GetLocationType()).
		Set("Location", o.GetLocation())
}
