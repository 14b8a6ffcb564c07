package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addCatalogCommands) }

func addCatalogCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeInstanceTypesCmd(a), newDescribeRegionsCmd(a),
		newDescribeAvailabilityZonesCmd(a), newDescribeHostsCmd(a))
}

func newDescribeInstanceTypesCmd(a *app) *cobra.Command {
	var types, filters []string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "describe-instance-types",
		Short: "Describe instance types (DescribeInstanceTypes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeInstanceTypes", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, page, func(ctx context.Context, token string, max int32) ([]*pb.InstanceTypeInfo, string, error) {
					r, err := c.DescribeInstanceTypes(ctx, &pb.DescribeInstanceTypesRequest{InstanceTypes: types,
						Filters: flt, MaxResults: max, NextToken: token})
					return r.GetInstanceTypes(), r.GetNextToken(), err
				})
				return NewObject().Set("InstanceTypes", list(items, docInstanceType)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&types, "instance-types", nil, "instance types, e.g. t3.micro m5.large")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=...,Values=... (repeatable)")
	page.register(cmd)
	markList(cmd, "instance-types", "filters")
	return cmd
}

func newDescribeRegionsCmd(a *app) *cobra.Command {
	var names []string
	cmd := &cobra.Command{
		Use:   "describe-regions",
		Short: "Describe regions (DescribeRegions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeRegions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeRegions(ctx, &pb.DescribeRegionsRequest{RegionNames: names})
				return NewObject().Set("Regions", list(r.GetRegions(), docRegion)), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&names, "region-names", nil, "regions to describe")
	markList(cmd, "region-names")
	return cmd
}

func newDescribeAvailabilityZonesCmd(a *app) *cobra.Command {
	var names, filters []string
	cmd := &cobra.Command{
		Use:   "describe-availability-zones",
		Short: "Describe availability zones (DescribeAvailabilityZones)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeAvailabilityZones", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeAvailabilityZones(ctx, &pb.DescribeAvailabilityZonesRequest{ZoneNames: names, Filters: flt})
				return NewObject().Set("AvailabilityZones", list(r.GetAvailabilityZones(), docZone)), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&names, "zone-names", nil, "zones to describe")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=...,Values=... (repeatable)")
	markList(cmd, "zone-names", "filters")
	return cmd
}

func newDescribeHostsCmd(a *app) *cobra.Command {
	var ids []string
	cmd := &cobra.Command{
		Use:   "describe-hosts",
		Short: "Describe the hypervisor hosts of the region (ec2lab)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeHosts", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeHosts(ctx, &pb.DescribeHostsRequest{HostIds: ids})
				return NewObject().Set("Hosts", list(r.GetHosts(), docHost)), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "host-ids", nil, "hosts to describe")
	markList(cmd, "host-ids")
	return cmd
}
