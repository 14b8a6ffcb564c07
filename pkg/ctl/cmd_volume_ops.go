package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-volumes-modifications, describe-volume-status,
// describe-volume-attribute, modify-volume-attribute.

func init() { commandGroups = append(commandGroups, addVolumeOpsCommands) }

func addVolumeOpsCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeVolumesModificationsCmd(a), newDescribeVolumeStatusCmd(a),
		newDescribeVolumeAttributeCmd(a), newModifyVolumeAttributeCmd(a))
}

// volumeListFlags are the --volume-ids, --filters and paging flags of the
// volume Describe verbs.
type volumeListFlags struct {
	ids, filters []string
	page         pageFlags
	dryRun       bool
}

func (fl *volumeListFlags) register(cmd *cobra.Command, a *app, filterHint string) {
	cmd.Flags().StringSliceVar(&fl.ids, "volume-ids", nil, "volume IDs")
	cmd.Flags().StringArrayVar(&fl.filters, "filters", nil, filterHint+" (repeatable)")
	fl.page.register(cmd)
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "volume-ids", "filters")
	completeFlag(cmd, "volume-ids", a, completeVolumeIDs)
}

func newDescribeVolumesModificationsCmd(a *app) *cobra.Command {
	var fl volumeListFlags
	cmd := &cobra.Command{
		Use:   "describe-volumes-modifications",
		Short: "Describe the latest modification of volumes (DescribeVolumesModifications)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(fl.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeVolumesModifications", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, fl.page, func(ctx context.Context, token string, max int32) ([]*pb.VolumeModification, string, error) {
					r, err := c.DescribeVolumesModifications(ctx, &pb.DescribeVolumesModificationsRequest{VolumeIds: fl.ids,
						Filters: flt, MaxResults: max, NextToken: token, DryRun: fl.dryRun})
					return r.GetVolumesModifications(), r.GetNextToken(), err
				})
				return NewObject().Str("NextToken", next).Set("VolumesModifications", list(items, docModification)), err
			})
		},
	}
	fl.register(cmd, a, "Name=modification-state,Values=completed")
	return cmd
}

func newDescribeVolumeStatusCmd(a *app) *cobra.Command {
	var fl volumeListFlags
	cmd := &cobra.Command{
		Use:   "describe-volume-status",
		Short: "Describe the status checks of volumes (DescribeVolumeStatus)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(fl.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeVolumeStatus", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, fl.page, func(ctx context.Context, token string, max int32) ([]*pb.VolumeStatusItem, string, error) {
					r, err := c.DescribeVolumeStatus(ctx, &pb.DescribeVolumeStatusRequest{VolumeIds: fl.ids,
						Filters: flt, MaxResults: max, NextToken: token, DryRun: fl.dryRun})
					return r.GetVolumeStatuses(), r.GetNextToken(), err
				})
				return NewObject().Str("NextToken", next).Set("VolumeStatuses", list(items, docVolumeStatus)), err
			})
		},
	}
	fl.register(cmd, a, "Name=volume-status.status,Values=impaired")
	return cmd
}

func newDescribeVolumeAttributeCmd(a *app) *cobra.Command {
	var req pb.DescribeVolumeAttributeRequest
	cmd := &cobra.Command{
		Use:   "describe-volume-attribute",
		Short: "Describe one attribute of a volume: autoEnableIO or productCodes (DescribeVolumeAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.VolumeId == "" || req.Attribute == "" {
				return usageErrorf("the following arguments are required: --volume-id, --attribute")
			}
			return a.call(cmd.Context(), "DescribeVolumeAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeVolumeAttribute(ctx, &req)
				return docVolumeAttribute(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.VolumeId, "volume-id", "", "the volume")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", "autoEnableIO or productCodes")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "volume-id", a, completeVolumeIDs)
	return cmd
}

func newModifyVolumeAttributeCmd(a *app) *cobra.Command {
	var req pb.ModifyVolumeAttributeRequest
	cmd := &cobra.Command{
		Use:   "modify-volume-attribute",
		Short: "Set a volume's autoEnableIO (ModifyVolumeAttribute; ec2lab never disables I/O, so it changes nothing)",
		Args:  cobra.NoArgs,
	}
	auto := addBoolAttr(cmd, "auto-enable-io", "whether the volume's I/O comes back on by itself")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if req.VolumeId == "" {
			return usageErrorf("the following arguments are required: --volume-id")
		}
		if err := readBoolAttrs(boolAttrField{auto, &req.AutoEnableIo}); err != nil {
			return err
		}
		return a.call(cmd.Context(), "ModifyVolumeAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
			_, err := c.ModifyVolumeAttribute(ctx, &req)
			return nil, err
		})
	}
	cmd.Flags().StringVar(&req.VolumeId, "volume-id", "", "the volume")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "volume-id", a, completeVolumeIDs)
	return cmd
}

// docVolumeStatus is an EC2 VolumeStatusItem (Actions and Events are
// always empty: ec2lab has none).
func docVolumeStatus(st *pb.VolumeStatusItem) any {
	info := NewObject().Set("Details", list(st.GetDetails(), func(d *pb.VolumeStatusDetail) any {
		return NewObject().Set("Name", d.GetName()).Set("Status", d.GetStatus())
	})).Set("Status", st.GetStatus())
	o := NewObject().Set("Actions", []any{}).
		Set("AvailabilityZone", st.GetAvailabilityZone()).
		Set("Events", []any{}).
		Set("VolumeId", st.GetVolumeId()).
		Set("VolumeStatus", info)
	if as := st.GetAttachmentStatuses(); len(as) > 0 {
		o.Set("AttachmentStatuses", list(as, func(a *pb.VolumeStatusAttachmentStatus) any {
			return NewObject().Str("IoPerformance", a.GetIoPerformance()).Str("InstanceId", a.GetInstanceId())
		}))
	}
	return o
}

// docVolumeAttribute is EC2's DescribeVolumeAttributeResult: the one
// member asked for, and VolumeId.
func docVolumeAttribute(r *pb.VolumeAttribute) any {
	o := NewObject()
	switch r.GetAttribute() {
	case "autoEnableIO":
		o.Set("AutoEnableIO", NewObject().Set("Value", r.GetAutoEnableIo().GetValue()))
	case "productCodes":
		o.Set("ProductCodes", []any{})
	}
	return o.Set("VolumeId", r.GetVolumeId())
}
