package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addImageLifecycleCommands) }

// addImageLifecycleCommands registers the image lifecycle verbs and
// describe-instance-image-metadata.
func addImageLifecycleCommands(root *cobra.Command, a *app) {
	root.AddCommand(newEnableImageDeregistrationProtectionCmd(a), newImageIDCmd(a, "disable-image-deregistration-protection",
		"Lift an image's deregistration protection (DisableImageDeregistrationProtection)", "DisableImageDeregistrationProtection",
		func(ctx context.Context, c pb.ComputeClient, id string, dry bool) (any, error) {
			r, err := c.DisableImageDeregistrationProtection(ctx, &pb.DisableImageDeregistrationProtectionRequest{ImageId: id, DryRun: dry})
			return NewObject().Set("Return", r.GetReturn()), err
		}),
		newEnableImageDeprecationCmd(a), newImageIDCmd(a, "disable-image-deprecation",
			"Cancel an image's deprecation (DisableImageDeprecation)", "DisableImageDeprecation",
			func(ctx context.Context, c pb.ComputeClient, id string, dry bool) (any, error) {
				_, err := c.DisableImageDeprecation(ctx, &pb.DisableImageDeprecationRequest{ImageId: id, DryRun: dry})
				return NewObject().Set("Return", true), err
			}),
		newImageIDCmd(a, "cancel-image-launch-permission",
			"Remove your account from the launch permissions of an image shared with it (CancelImageLaunchPermission)",
			"CancelImageLaunchPermission", func(ctx context.Context, c pb.ComputeClient, id string, dry bool) (any, error) {
				_, err := c.CancelImageLaunchPermission(ctx, &pb.CancelImageLaunchPermissionRequest{ImageId: id, DryRun: dry})
				return NewObject().Set("Return", true), err
			}),
		newDescribeInstanceImageMetadataCmd(a))
}

// newImageIDCmd is a verb taking --image-id and --dry-run only.
func newImageIDCmd(a *app, use, short, op string, call func(context.Context, pb.ComputeClient, string, bool) (any, error)) *cobra.Command {
	var id string
	var dry bool
	cmd := &cobra.Command{
		Use: use, Short: short, Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), op, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				return call(ctx, c, id, dry)
			})
		},
	}
	cmd.Flags().StringVar(&id, "image-id", "", "the image")
	addDryRun(cmd, &dry)
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

func newEnableImageDeregistrationProtectionCmd(a *app) *cobra.Command {
	var req pb.EnableImageDeregistrationProtectionRequest
	var noCooldown bool
	cmd := &cobra.Command{
		Use:   "enable-image-deregistration-protection",
		Short: "Protect an image from deregistration (EnableImageDeregistrationProtection)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if noCooldown {
				req.WithCooldown = false
			}
			return a.call(cmd.Context(), "EnableImageDeregistrationProtection", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.EnableImageDeregistrationProtection(ctx, &req)
				return NewObject().Set("Return", r.GetReturn()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.ImageId, "image-id", "", "the image")
	cmd.Flags().BoolVar(&req.WithCooldown, "with-cooldown", false, "keep the image protected 24 hours after protection is disabled")
	cmd.Flags().BoolVar(&noCooldown, "no-with-cooldown", false, "no cooldown (the default)")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

func newEnableImageDeprecationCmd(a *app) *cobra.Command {
	var req pb.EnableImageDeprecationRequest
	cmd := &cobra.Command{
		Use:   "enable-image-deprecation",
		Short: "Deprecate an image at a time (EnableImageDeprecation)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "EnableImageDeprecation", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.EnableImageDeprecation(ctx, &req)
				return NewObject().Set("Return", true), err
			})
		},
	}
	cmd.Flags().StringVar(&req.ImageId, "image-id", "", "the image")
	cmd.Flags().StringVar(&req.DeprecateAt, "deprecate-at", "", "when, in ISO 8601 UTC (rounded to the minute)")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

func newDescribeInstanceImageMetadataCmd(a *app) *cobra.Command {
	var d listFlags
	var dry bool
	cmd := &cobra.Command{
		Use:   "describe-instance-image-metadata",
		Short: "Describe the images your instances were launched from (DescribeInstanceImageMetadata)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(d.filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeInstanceImageMetadata", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, d.pg, func(ctx context.Context, token string, max int32) ([]*pb.InstanceImageMetadata, string, error) {
					r, err := c.DescribeInstanceImageMetadata(ctx, &pb.DescribeInstanceImageMetadataRequest{InstanceIds: d.ids,
						Filters: flt, MaxResults: max, NextToken: token, DryRun: dry})
					return r.GetInstanceImageMetadata(), r.GetNextToken(), err
				})
				return NewObject().Set("InstanceImageMetadata", list(items, docInstanceImageMetadata)).Str("NextToken", next), err
			})
		},
	}
	d.register(cmd, "instance-ids", "instance IDs", "Name=instance-state-name,Values=running (repeatable)")
	addDryRun(cmd, &dry)
	return cmd
}

// docInstanceImageMetadata is an EC2 InstanceImageMetadata.
func docInstanceImageMetadata(m *pb.InstanceImageMetadata) any {
	im := m.GetImageMetadata()
	img := NewObject().Set("ImageId", im.GetImageId()).Str("Name", im.GetName()).Str("OwnerId", im.GetOwnerId()).
		Str("State", im.GetState()).Str("CreationDate", secondsTime(im.GetCreationDate())).
		Str("DeprecationTime", secondsTime(im.GetDeprecationTime()))
	if im.ImageAllowed != nil {
		img.Set("ImageAllowed", im.GetImageAllowed())
	}
	if im.IsPublic != nil {
		img.Set("IsPublic", im.GetIsPublic())
	}
	o := NewObject().Set("InstanceId", m.GetInstanceId()).Set("InstanceType", m.GetInstanceType()).
		Time("LaunchTime", m.GetLaunchTime()).Set("AvailabilityZone", m.GetAvailabilityZone()).Str("ZoneId", m.GetZoneId()).
		Set("State", docState(m.GetState())).Set("OwnerId", m.GetOwnerId()).Set("Tags", docTags(m.GetTags()))
	return o.Set("ImageMetadata", img)
}
