package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// modify-snapshot-attribute, describe-snapshot-attribute,
// reset-snapshot-attribute: who may create volumes from a snapshot.

func init() { commandGroups = append(commandGroups, addSnapshotAttributeCommands) }

func addSnapshotAttributeCommands(root *cobra.Command, a *app) {
	root.AddCommand(newModifySnapshotAttributeCmd(a), newDescribeSnapshotAttributeCmd(a), newResetSnapshotAttributeCmd(a))
}

// modifySnapshotAttrFlags are modify-snapshot-attribute's flags as given.
type modifySnapshotAttrFlags struct {
	snapshotID, attribute, operationType, permission string
	userIDs, groupNames                              []string
	dryRun                                           bool
}

// request builds ModifySnapshotAttribute from the flags;
// --create-volume-permission takes the AWS CLI's shorthand or JSON.
func (fl *modifySnapshotAttrFlags) request() (*pb.ModifySnapshotAttributeRequest, error) {
	if fl.snapshotID == "" {
		return nil, usageErrorf("the following arguments are required: --snapshot-id")
	}
	req := &pb.ModifySnapshotAttributeRequest{SnapshotId: fl.snapshotID, Attribute: fl.attribute,
		OperationType: fl.operationType, UserIds: fl.userIDs, GroupNames: fl.groupNames, DryRun: fl.dryRun}
	if fl.permission != "" {
		m, err := oneStruct("create-volume-permission", fl.permission, "one structure with Add and/or Remove")
		if err != nil {
			return nil, &usageError{err}
		}
		f := newFields("CreateVolumePermissionModifications", m, "Add", "Remove")
		add, remove := f.structs("Add"), f.structs("Remove")
		if f.err != nil {
			return nil, &usageError{f.err}
		}
		req.CreateVolumePermission = &pb.CreateVolumePermissionModifications{}
		if req.CreateVolumePermission.Add, err = toVolumePermissions(add); err != nil {
			return nil, &usageError{err}
		}
		if req.CreateVolumePermission.Remove, err = toVolumePermissions(remove); err != nil {
			return nil, &usageError{err}
		}
	}
	return req, nil
}

func toVolumePermissions(ms []map[string]any) ([]*pb.CreateVolumePermission, error) {
	var out []*pb.CreateVolumePermission
	for _, m := range ms {
		f := newFields("CreateVolumePermission", m, "UserId", "Group")
		p := &pb.CreateVolumePermission{UserId: f.str("UserId"), Group: f.str("Group")}
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, p)
	}
	return out, nil
}

func newModifySnapshotAttributeCmd(a *app) *cobra.Command {
	var fl modifySnapshotAttrFlags
	cmd := &cobra.Command{
		Use:   "modify-snapshot-attribute",
		Short: "Share a snapshot with accounts or everyone, or stop sharing it (ModifySnapshotAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := fl.request()
			if err != nil {
				return err
			}
			return a.call(cmd.Context(), "ModifySnapshotAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ModifySnapshotAttribute(ctx, req)
				return nil, err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.snapshotID, "snapshot-id", "", "the snapshot")
	f.StringVar(&fl.attribute, "attribute", "", "createVolumePermission (with --operation-type)")
	f.StringVar(&fl.permission, "create-volume-permission", "", `Add=[{UserId=123456789012},{Group=all}],Remove=[...] or JSON`)
	f.StringVar(&fl.operationType, "operation-type", "", "add or remove (with --user-ids / --group-names)")
	f.StringSliceVar(&fl.userIDs, "user-ids", nil, "12-digit account IDs")
	f.StringSliceVar(&fl.groupNames, "group-names", nil, "all (everyone)")
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "user-ids", "group-names")
	completeFlag(cmd, "snapshot-id", a, completeSnapshotIDs)
	return cmd
}

func newDescribeSnapshotAttributeCmd(a *app) *cobra.Command {
	var req pb.DescribeSnapshotAttributeRequest
	cmd := &cobra.Command{
		Use:   "describe-snapshot-attribute",
		Short: "Describe who may create volumes from a snapshot you own (DescribeSnapshotAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.SnapshotId == "" || req.Attribute == "" {
				return usageErrorf("the following arguments are required: --snapshot-id, --attribute")
			}
			return a.call(cmd.Context(), "DescribeSnapshotAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeSnapshotAttribute(ctx, &req)
				return docSnapshotAttribute(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.SnapshotId, "snapshot-id", "", "the snapshot")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", "createVolumePermission or productCodes")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "snapshot-id", a, completeSnapshotIDs)
	return cmd
}

func newResetSnapshotAttributeCmd(a *app) *cobra.Command {
	var req pb.ResetSnapshotAttributeRequest
	cmd := &cobra.Command{
		Use:   "reset-snapshot-attribute",
		Short: "Make a snapshot private again (ResetSnapshotAttribute --attribute createVolumePermission)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.SnapshotId == "" || req.Attribute == "" {
				return usageErrorf("the following arguments are required: --snapshot-id, --attribute")
			}
			return a.call(cmd.Context(), "ResetSnapshotAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ResetSnapshotAttribute(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.SnapshotId, "snapshot-id", "", "the snapshot")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", "createVolumePermission")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "snapshot-id", a, completeSnapshotIDs)
	return cmd
}

// docSnapshotAttribute is EC2's DescribeSnapshotAttributeResult, members
// in the model's order: ProductCodes, SnapshotId, CreateVolumePermissions.
func docSnapshotAttribute(r *pb.SnapshotAttribute) any {
	o := NewObject()
	if r.GetAttribute() == "productCodes" {
		o.Set("ProductCodes", []any{})
	}
	o.Set("SnapshotId", r.GetSnapshotId())
	if r.GetAttribute() == "createVolumePermission" {
		o.Set("CreateVolumePermissions", list(r.GetCreateVolumePermissions(), func(p *pb.CreateVolumePermission) any {
			return NewObject().Str("UserId", p.GetUserId()).Str("Group", p.GetGroup())
		}))
	}
	return o
}
