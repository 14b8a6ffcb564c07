package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addImageCommands) }

func addImageCommands(root *cobra.Command, a *app) {
	root.AddCommand(newRegisterImageCmd(a), newCreateImageCmd(a), newDescribeImagesCmd(a),
		newDeregisterImageCmd(a), newImportImageCmd(a), newExportImageCmd(a))
}

// registerImageFlags are shared by register-image and import-image.
type registerImageFlags struct {
	req      pb.RegisterImageRequest
	bdms     []string
	tagSpecs []string
}

func (fl *registerImageFlags) register(cmd *cobra.Command) {
	f := cmd.Flags()
	f.StringVar(&fl.req.Name, "name", "", "image name (3-128 characters)")
	f.StringVar(&fl.req.Description, "description", "", "description")
	f.StringVar(&fl.req.BundlePath, "image-location", "", "a bundle directory (manifest.json + disks) or one qcow2/raw disk image on the controller's host")
	f.StringVar(&fl.req.BundlePath, "bundle", "", "same as --image-location")
	f.StringVar(&fl.req.BootMode, "boot-mode", "", "legacy-bios, uefi or uefi-preferred (a disk image or snapshots; default legacy-bios)")
	f.StringVar(&fl.req.Architecture, "architecture", "", "x86_64 or arm64")
	f.StringVar(&fl.req.RootDeviceName, "root-device-name", "", "root device, e.g. /dev/sda1")
	f.StringArrayVar(&fl.bdms, "block-device-mappings", nil, "JSON list of block device mappings")
	f.StringArrayVar(&fl.tagSpecs, "tag-specifications", nil, "ResourceType=image,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &fl.req.DryRun)
	markList(cmd, "block-device-mappings", "tag-specifications")
}

func (fl *registerImageFlags) run(ctx context.Context, a *app) error {
	// The server, not this shell, opens the file: send it absolute.
	if err := absBundle(&fl.req.BundlePath); err != nil {
		return err
	}
	var err error
	if fl.req.BlockDeviceMappings, err = parseBlockDeviceMappings(fl.bdms); err != nil {
		return &usageError{err}
	}
	if fl.req.TagSpecifications, err = parseTagSpecs(fl.tagSpecs); err != nil {
		return &usageError{err}
	}
	return a.call(ctx, "RegisterImage", func(ctx context.Context, c pb.ComputeClient) (any, error) {
		r, err := c.RegisterImage(ctx, &fl.req)
		return NewObject().Set("ImageId", r.GetImageId()), err
	})
}

func newRegisterImageCmd(a *app) *cobra.Command {
	var fl registerImageFlags
	cmd := &cobra.Command{
		Use:   "register-image",
		Short: "Register an image from a bundle, a disk image file or snapshots (RegisterImage)",
		Args:  cobra.NoArgs,
		RunE:  func(cmd *cobra.Command, _ []string) error { return fl.run(cmd.Context(), a) },
	}
	fl.register(cmd)
	return cmd
}

func newCreateImageCmd(a *app) *cobra.Command {
	var req pb.CreateImageRequest
	var tagSpecs []string
	var reboot bool
	cmd := &cobra.Command{
		Use:   "create-image",
		Short: "Create an image from an instance (CreateImage)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.TagSpecifications, err = parseTagSpecs(tagSpecs); err != nil {
				return &usageError{err}
			}
			if cmd.Flags().Changed("reboot") {
				req.NoReboot = !reboot
			}
			return a.call(cmd.Context(), "CreateImage", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateImage(ctx, &req)
				return NewObject().Set("ImageId", r.GetImageId()), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.InstanceId, "instance-id", "", "the instance")
	f.StringVar(&req.Name, "name", "", "image name")
	f.StringVar(&req.Description, "description", "", "description")
	f.BoolVar(&req.NoReboot, "no-reboot", false, "do not stop the instance before imaging")
	f.BoolVar(&reboot, "reboot", true, "stop the instance before imaging (default)")
	f.StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=image,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	return cmd
}

// describeImagesFlags are shared by describe-images and its waiter.
type describeImagesFlags struct {
	ids, owners, execUsers, filters []string
	page                            pageFlags
}

func (fl *describeImagesFlags) register(cmd *cobra.Command, a *app) {
	cmd.Flags().StringSliceVar(&fl.ids, "image-ids", nil, "image IDs")
	cmd.Flags().StringSliceVar(&fl.owners, "owners", nil, "owners (self, amazon or account IDs)")
	cmd.Flags().StringSliceVar(&fl.execUsers, "executable-users", nil, "images these may launch: self (shared with you), all (public) or account IDs")
	cmd.Flags().StringArrayVar(&fl.filters, "filters", nil, "Name=name,Values=ubuntu-* (repeatable)")
	fl.page.register(cmd)
	markList(cmd, "image-ids", "owners", "executable-users", "filters")
	completeFlag(cmd, "image-ids", a, completeImageIDs)
}

func (fl *describeImagesFlags) describe(ctx context.Context, c pb.ComputeClient) (any, error) {
	flt, err := parseFilters(fl.filters)
	if err != nil {
		return nil, &usageError{err}
	}
	items, next, err := paginate(ctx, fl.page, func(ctx context.Context, token string, max int32) ([]*pb.Image, string, error) {
		r, err := c.DescribeImages(ctx, &pb.DescribeImagesRequest{ImageIds: fl.ids, Owners: fl.owners,
			ExecutableUsers: fl.execUsers, Filters: flt, MaxResults: max, NextToken: token})
		return r.GetImages(), r.GetNextToken(), err
	})
	return NewObject().Set("Images", list(items, docImage)).Str("NextToken", next), err
}

func newDescribeImagesCmd(a *app) *cobra.Command {
	var fl describeImagesFlags
	cmd := &cobra.Command{
		Use:   "describe-images",
		Short: "Describe images (DescribeImages)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DescribeImages", fl.describe)
		},
	}
	fl.register(cmd, a)
	return cmd
}

func newDeregisterImageCmd(a *app) *cobra.Command {
	var req pb.DeregisterImageRequest
	cmd := &cobra.Command{
		Use:   "deregister-image",
		Short: "Deregister an image (DeregisterImage)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "DeregisterImage", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.DeregisterImage(ctx, &req)
				return NewObject().Set("Return", true), err
			})
		},
	}
	cmd.Flags().StringVar(&req.ImageId, "image-id", "", "the image")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}
