package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addTagCommands) }

func addTagCommands(root *cobra.Command, a *app) {
	root.AddCommand(newTagsCmd(a, "create-tags", "CreateTags", "Add or overwrite tags (CreateTags)"),
		newTagsCmd(a, "delete-tags", "DeleteTags", "Delete tags (DeleteTags)"), newDescribeTagsCmd(a))
}

func newTagsCmd(a *app, use, op, short string) *cobra.Command {
	var resources, tagArgs []string
	var dryRun bool
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			tags, err := parseTags("tags", tagArgs)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), op, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				if op == "CreateTags" {
					_, err = c.CreateTags(ctx, &pb.CreateTagsRequest{Resources: resources, Tags: tags, DryRun: dryRun})
				} else {
					_, err = c.DeleteTags(ctx, &pb.DeleteTagsRequest{Resources: resources, Tags: tags, DryRun: dryRun})
				}
				return nil, err
			})
		},
	}
	cmd.Flags().StringSliceVar(&resources, "resources", nil, "resource IDs")
	cmd.Flags().StringArrayVar(&tagArgs, "tags", nil, "Key=k,Value=v (one per tag, or a JSON list)")
	addDryRun(cmd, &dryRun)
	markList(cmd, "resources", "tags")
	return cmd
}

func newDescribeTagsCmd(a *app) *cobra.Command {
	var filters []string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "describe-tags",
		Short: "Describe tags (DescribeTags)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeTags", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, page, func(ctx context.Context, token string, max int32) ([]*pb.TagDescription, string, error) {
					r, err := c.DescribeTags(ctx, &pb.DescribeTagsRequest{Filters: flt, MaxResults: max, NextToken: token})
					return r.GetTags(), r.GetNextToken(), err
				})
				return NewObject().Set("Tags", list(items, docTagDescription)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=resource-id,Values=i-... (repeatable)")
	page.register(cmd)
	markList(cmd, "filters")
	return cmd
}
