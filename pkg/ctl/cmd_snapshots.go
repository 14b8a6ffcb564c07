package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addSnapshotCommands) }

func addSnapshotCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateSnapshotCmd(a), newDescribeSnapshotsCmd(a),
		newCopySnapshotCmd(a), newDeleteSnapshotCmd(a))
}

func newCreateSnapshotCmd(a *app) *cobra.Command {
	var req pb.CreateSnapshotRequest
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "create-snapshot",
		Short: "Snapshot a volume (CreateSnapshot)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.TagSpecifications, err = parseTagSpecs(tagSpecs); err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateSnapshot", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateSnapshot(ctx, &req)
				return docSnapshot(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.VolumeId, "volume-id", "", "the volume")
	cmd.Flags().StringVar(&req.Description, "description", "", "description")
	cmd.Flags().StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=snapshot,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	completeFlag(cmd, "volume-id", a, completeVolumeIDs)
	return cmd
}

// describeSnapshotsFlags are shared by describe-snapshots and its waiter.
type describeSnapshotsFlags struct {
	ids, owners, restorableBy, filters []string
	page                               pageFlags
}

func (fl *describeSnapshotsFlags) register(cmd *cobra.Command, a *app) {
	cmd.Flags().StringSliceVar(&fl.ids, "snapshot-ids", nil, "snapshot IDs")
	cmd.Flags().StringSliceVar(&fl.owners, "owner-ids", nil, "owners (self or account IDs)")
	cmd.Flags().StringSliceVar(&fl.restorableBy, "restorable-by-user-ids", nil,
		"self (yours and those shared with you), all (public) or account IDs (yours shared with them)")
	cmd.Flags().StringArrayVar(&fl.filters, "filters", nil, "Name=status,Values=completed (repeatable)")
	fl.page.register(cmd)
	markList(cmd, "snapshot-ids", "owner-ids", "restorable-by-user-ids", "filters")
	completeFlag(cmd, "snapshot-ids", a, completeSnapshotIDs)
}

func (fl *describeSnapshotsFlags) describe(ctx context.Context, c pb.ComputeClient) (any, error) {
	flt, err := parseFilters(fl.filters)
	if err != nil {
		return nil, &usageError{err}
	}
	items, next, err := paginate(ctx, fl.page, func(ctx context.Context, token string, max int32) ([]*pb.Snapshot, string, error) {
		r, err := c.DescribeSnapshots(ctx, &pb.DescribeSnapshotsRequest{SnapshotIds: fl.ids, OwnerIds: fl.owners,
			RestorableByUserIds: fl.restorableBy, Filters: flt, MaxResults: max, NextToken: token})
		return r.GetSnapshots(), r.GetNextToken(), err
	})
	return NewObject().Set("Snapshots", list(items, docSnapshot)).Str("NextToken", next), err
}

func newDescribeSnapshotsCmd(a *app) *cobra.Command {
	var fl describeSnapshotsFlags
	cmd := &cobra.Command{
		Use:   "describe-snapshots",
		Short: "Describe snapshots (DescribeSnapshots)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeSnapshots", fl.describe)
		},
	}
	fl.register(cmd, a)
	return cmd
}

func newCopySnapshotCmd(a *app) *cobra.Command {
	var req pb.CopySnapshotRequest
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "copy-snapshot",
		Short: "Copy a snapshot (CopySnapshot)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.TagSpecifications, err = parseTagSpecs(tagSpecs); err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CopySnapshot", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CopySnapshot(ctx, &req)
				return NewObject().Set("SnapshotId", r.GetSnapshotId()), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.SourceRegion, "source-region", "", "region of the source snapshot")
	f.StringVar(&req.SourceSnapshotId, "source-snapshot-id", "", "the snapshot to copy")
	f.StringVar(&req.Description, "description", "", "description of the copy")
	f.BoolVar(&req.Encrypted, "encrypted", false, "encrypt the copy")
	f.StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=snapshot,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	completeFlag(cmd, "source-snapshot-id", a, completeSnapshotIDs)
	return cmd
}

func newDeleteSnapshotCmd(a *app) *cobra.Command {
	var req pb.DeleteSnapshotRequest
	cmd := &cobra.Command{
		Use:   "delete-snapshot",
		Short: "Delete a snapshot (DeleteSnapshot)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteSnapshot", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteSnapshot(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.SnapshotId, "snapshot-id", "", "the snapshot")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "snapshot-id", a, completeSnapshotIDs)
	return cmd
}
