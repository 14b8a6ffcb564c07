package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addPlacementGroupCommands) }

func addPlacementGroupCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreatePlacementGroupCmd(a), newDescribePlacementGroupsCmd(a), newDeletePlacementGroupCmd(a))
}

func newCreatePlacementGroupCmd(a *app) *cobra.Command {
	var name, strategy string
	var partitions int32
	var tagSpecs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "create-placement-group",
		Short: "Create a cluster, spread or partition placement group (CreatePlacementGroup)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreatePlacementGroup", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreatePlacementGroup(ctx, &pb.CreatePlacementGroupRequest{GroupName: name, Strategy: strategy,
					PartitionCount: partitions, TagSpecifications: specs, DryRun: dryRun})
				return NewObject().Set("PlacementGroup", docPlacementGroup(r)), err
			})
		},
	}
	cmd.Flags().StringVar(&name, "group-name", "", "name of the placement group")
	cmd.Flags().StringVar(&strategy, "strategy", "", "cluster, spread or partition")
	cmd.Flags().Int32Var(&partitions, "partition-count", 0, "partition groups: number of partitions (1-7, default 2)")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=placement-group,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &dryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newDescribePlacementGroupsCmd(a *app) *cobra.Command {
	var names, ids, filters []string
	cmd := &cobra.Command{
		Use:   "describe-placement-groups",
		Short: "Describe placement groups (DescribePlacementGroups)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribePlacementGroups", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribePlacementGroups(ctx, &pb.DescribePlacementGroupsRequest{GroupNames: names, GroupIds: ids, Filters: flt})
				return NewObject().Set("PlacementGroups", list(r.GetPlacementGroups(), docPlacementGroup)), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&names, "group-names", nil, "placement group names")
	cmd.Flags().StringSliceVar(&ids, "group-ids", nil, "placement group IDs")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=...,Values=... (repeatable)")
	markList(cmd, "group-names", "group-ids", "filters")
	return cmd
}

func newDeletePlacementGroupCmd(a *app) *cobra.Command {
	var name string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   "delete-placement-group",
		Short: "Delete an unused placement group (DeletePlacementGroup)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeletePlacementGroup", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeletePlacementGroup(ctx, &pb.DeletePlacementGroupRequest{GroupName: name, DryRun: dryRun})
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&name, "group-name", "", "name of the placement group")
	addDryRun(cmd, &dryRun)
	return cmd
}

func docPlacementGroup(g *pb.PlacementGroup) any {
	o := NewObject().Set("GroupName", g.GetGroupName()).
		Set("State", g.GetState()).
		Set("Strategy", g.GetStrategy())
	if g.GetPartitionCount() > 0 {
		o.Set("PartitionCount", int64(g.GetPartitionCount()))
	}
	return o.Set("GroupId", g.GetGroupId()).Set("Tags", docTags(g.GetTags())).Str("GroupArn", g.GetGroupArn())
}
