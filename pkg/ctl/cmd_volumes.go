package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addVolumeCommands) }

func addVolumeCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateVolumeCmd(a), newDescribeVolumesCmd(a), newAttachVolumeCmd(a),
		newDetachVolumeCmd(a), newModifyVolumeCmd(a), newDeleteVolumeCmd(a))
}

type createVolumeFlags struct {
	zone, snapshotID, volumeType, clientToken string
	size, iops, throughput                    int32
	encrypted, dryRun                         bool
	tagSpecs                                  []string
}

func newCreateVolumeCmd(a *app) *cobra.Command {
	var fl createVolumeFlags
	cmd := &cobra.Command{
		Use:   "create-volume",
		Short: "Create an EBS-style volume (CreateVolume)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			specs, err := parseTagSpecs(fl.tagSpecs)
			if err != nil {
				return &usageError{err}
			}
			req := &pb.CreateVolumeRequest{AvailabilityZone: fl.zone, Size: fl.size, SnapshotId: fl.snapshotID,
				VolumeType: fl.volumeType, Iops: fl.iops, Throughput: fl.throughput, Encrypted: fl.encrypted,
				TagSpecifications: specs, ClientToken: fl.clientToken, DryRun: fl.dryRun}
			return a.call(cmd.Context(), "CreateVolume", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateVolume(ctx, req)
				return docVolume(r), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.zone, "availability-zone", "", "zone of the volume")
	f.Int32Var(&fl.size, "size", 0, "size in GiB")
	f.StringVar(&fl.snapshotID, "snapshot-id", "", "snapshot to restore")
	f.StringVar(&fl.volumeType, "volume-type", "", "standard, gp2, gp3, io1, io2, st1 or sc1")
	f.Int32Var(&fl.iops, "iops", 0, "provisioned IOPS")
	f.Int32Var(&fl.throughput, "throughput", 0, "throughput in MiB/s (gp3)")
	f.BoolVar(&fl.encrypted, "encrypted", false, "encrypt the volume")
	f.StringArrayVar(&fl.tagSpecs, "tag-specifications", nil, "ResourceType=volume,Tags=[{Key=k,Value=v}]")
	f.StringVar(&fl.clientToken, "client-token", "", "idempotency token")
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "tag-specifications")
	completeFlag(cmd, "snapshot-id", a, completeSnapshotIDs)
	return cmd
}

// describeVolumesFlags are shared by describe-volumes and its waiters.
type describeVolumesFlags struct {
	ids, filters []string
	page         pageFlags
}

func (fl *describeVolumesFlags) register(cmd *cobra.Command, a *app) {
	cmd.Flags().StringSliceVar(&fl.ids, "volume-ids", nil, "volume IDs")
	cmd.Flags().StringArrayVar(&fl.filters, "filters", nil, "Name=status,Values=available (repeatable)")
	fl.page.register(cmd)
	markList(cmd, "volume-ids", "filters")
	completeFlag(cmd, "volume-ids", a, completeVolumeIDs)
}

func (fl *describeVolumesFlags) describe(ctx context.Context, c pb.ComputeClient) (any, error) {
	flt, err := parseFilters(fl.filters)
	if err != nil {
		return nil, &usageError{err}
	}
	items, next, err := paginate(ctx, fl.page, func(ctx context.Context, token string, max int32) ([]*pb.Volume, string, error) {
		r, err := c.DescribeVolumes(ctx, &pb.DescribeVolumesRequest{VolumeIds: fl.ids, Filters: flt,
			MaxResults: max, NextToken: token})
		return r.GetVolumes(), r.GetNextToken(), err
	})
	return NewObject().Set("Volumes", list(items, docVolume)).Str("NextToken", next), err
}

func newDescribeVolumesCmd(a *app) *cobra.Command {
	var fl describeVolumesFlags
	cmd := &cobra.Command{
		Use:   "describe-volumes",
		Short: "Describe volumes (DescribeVolumes)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeVolumes", fl.describe)
		},
	}
	fl.register(cmd, a)
	return cmd
}

func newAttachVolumeCmd(a *app) *cobra.Command {
	var req pb.AttachVolumeRequest
	cmd := &cobra.Command{
		Use:   "attach-volume",
		Short: "Attach a volume to an instance (AttachVolume)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "AttachVolume", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.AttachVolume(ctx, &req)
				return docAttachment(r), err
			})
		},
	}
	volumeFlags(cmd, a, &req.VolumeId, &req.InstanceId, &req.Device, &req.DryRun)
	return cmd
}

func newDetachVolumeCmd(a *app) *cobra.Command {
	var req pb.DetachVolumeRequest
	cmd := &cobra.Command{
		Use:   "detach-volume",
		Short: "Detach a volume (DetachVolume)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DetachVolume", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DetachVolume(ctx, &req)
				return docAttachment(r), err
			})
		},
	}
	volumeFlags(cmd, a, &req.VolumeId, &req.InstanceId, &req.Device, &req.DryRun)
	cmd.Flags().BoolVar(&req.Force, "force", false, "force the detachment")
	return cmd
}

func volumeFlags(cmd *cobra.Command, a *app, volumeID, instanceID, device *string, dryRun *bool) {
	cmd.Flags().StringVar(volumeID, "volume-id", "", "the volume")
	cmd.Flags().StringVar(instanceID, "instance-id", "", "the instance")
	cmd.Flags().StringVar(device, "device", "", "device name, e.g. /dev/sdf")
	addDryRun(cmd, dryRun)
	completeFlag(cmd, "volume-id", a, completeVolumeIDs)
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
}

func newModifyVolumeCmd(a *app) *cobra.Command {
	var req pb.ModifyVolumeRequest
	cmd := &cobra.Command{
		Use:   "modify-volume",
		Short: "Grow a volume or change its type or performance (ModifyVolume)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "ModifyVolume", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ModifyVolume(ctx, &req)
				return docVolumeModification(r), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.VolumeId, "volume-id", "", "the volume")
	f.Int32Var(&req.Size, "size", 0, "new size in GiB")
	f.StringVar(&req.VolumeType, "volume-type", "", "new volume type")
	f.Int32Var(&req.Iops, "iops", 0, "new IOPS")
	f.Int32Var(&req.Throughput, "throughput", 0, "new throughput in MiB/s")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "volume-id", a, completeVolumeIDs)
	return cmd
}

func newDeleteVolumeCmd(a *app) *cobra.Command {
	var req pb.DeleteVolumeRequest
	cmd := &cobra.Command{
		Use:   "delete-volume",
		Short: "Delete an available volume (DeleteVolume)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeleteVolume", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeleteVolume(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.VolumeId, "volume-id", "", "the volume")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "volume-id", a, completeVolumeIDs)
	return cmd
}
