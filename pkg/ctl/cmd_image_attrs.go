package ctl

import (
	"context"
	"strings"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// modify-image-attribute, describe-image-attribute, reset-image-attribute:
// an image's launch permissions (sharing) and description.

func init() { commandGroups = append(commandGroups, addImageAttributeCommands) }

func addImageAttributeCommands(root *cobra.Command, a *app) {
	root.AddCommand(newModifyImageAttributeCmd(a), newDescribeImageAttributeCmd(a), newResetImageAttributeCmd(a))
}

// modifyImageAttrFlags are modify-image-attribute's flags as given.
type modifyImageAttrFlags struct {
	imageID, attribute, operationType, value, description, launchPermission string
	userIDs, userGroups                                                     []string
	dryRun                                                                  bool
}

// request builds ModifyImageAttribute from the flags; --launch-permission
// and --description take the AWS CLI's shorthand or JSON.
func (fl *modifyImageAttrFlags) request() (*pb.ModifyImageAttributeRequest, error) {
	if fl.imageID == "" {
		return nil, usageErrorf("the following arguments are required: --image-id")
	}
	req := &pb.ModifyImageAttributeRequest{ImageId: fl.imageID, Attribute: fl.attribute, OperationType: fl.operationType,
		UserIds: fl.userIDs, UserGroups: fl.userGroups, Value: fl.value, DryRun: fl.dryRun}
	if fl.launchPermission != "" {
		lp, err := parseLaunchPermissionModifications(fl.launchPermission)
		if err != nil {
			return nil, &usageError{err}
		}
		req.LaunchPermission = lp
	}
	if fl.description != "" {
		m, err := oneStruct("description", fl.description, "one structure Value=string")
		if err != nil {
			return nil, &usageError{err}
		}
		f := newFields("AttributeValue", m, "Value")
		req.Description = &pb.AttributeValue{Value: f.str("Value")}
		if f.err != nil {
			return nil, &usageError{f.err}
		}
	}
	return req, nil
}

func parseLaunchPermissionModifications(raw string) (*pb.LaunchPermissionModifications, error) {
	m, err := oneStruct("launch-permission", raw, "one structure with Add and/or Remove")
	if err != nil {
		return nil, err
	}
	f := newFields("LaunchPermissionModifications", m, "Add", "Remove")
	add, remove := f.structs("Add"), f.structs("Remove")
	if f.err != nil {
		return nil, f.err
	}
	out := &pb.LaunchPermissionModifications{}
	if out.Add, err = toLaunchPermissions(add); err != nil {
		return nil, err
	}
	out.Remove, err = toLaunchPermissions(remove)
	return out, err
}

func toLaunchPermissions(ms []map[string]any) ([]*pb.LaunchPermission, error) {
	var out []*pb.LaunchPermission
	for _, m := range ms {
		f := newFields("LaunchPermission", m, "UserId", "Group")
		p := &pb.LaunchPermission{UserId: f.str("UserId"), Group: f.str("Group")}
		if f.err != nil {
			return nil, f.err
		}
		out = append(out, p)
	}
	return out, nil
}

func newModifyImageAttributeCmd(a *app) *cobra.Command {
	var fl modifyImageAttrFlags
	cmd := &cobra.Command{
		Use:   "modify-image-attribute",
		Short: "Share an image with accounts or everyone, or change its description (ModifyImageAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := fl.request()
			if err != nil {
				return err
			}
			return a.call(cmd.Context(), "ModifyImageAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ModifyImageAttribute(ctx, req)
				return nil, err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&fl.imageID, "image-id", "", "the image")
	f.StringVar(&fl.attribute, "attribute", "", "launchPermission or description (with --operation-type or --value)")
	f.StringVar(&fl.launchPermission, "launch-permission", "", `Add=[{UserId=123456789012},{Group=all}],Remove=[...] or JSON`)
	f.StringVar(&fl.description, "description", "", "Value=string or JSON")
	f.StringVar(&fl.operationType, "operation-type", "", "add or remove (with --user-ids / --user-groups)")
	f.StringSliceVar(&fl.userIDs, "user-ids", nil, "12-digit account IDs")
	f.StringSliceVar(&fl.userGroups, "user-groups", nil, "all (everyone)")
	f.StringVar(&fl.value, "value", "", "the new value of --attribute description")
	addDryRun(cmd, &fl.dryRun)
	markList(cmd, "user-ids", "user-groups")
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

func newDescribeImageAttributeCmd(a *app) *cobra.Command {
	var req pb.DescribeImageAttributeRequest
	cmd := &cobra.Command{
		Use:   "describe-image-attribute",
		Short: "Describe one attribute of an image you own (DescribeImageAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.ImageId == "" || req.Attribute == "" {
				return usageErrorf("the following arguments are required: --image-id, --attribute")
			}
			return a.call(cmd.Context(), "DescribeImageAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeImageAttribute(ctx, &req)
				return docImageAttribute(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.ImageId, "image-id", "", "the image")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", strings.Join([]string{"launchPermission", "description",
		"kernel", "ramdisk", "bootMode", "productCodes", "..."}, ", "))
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

func newResetImageAttributeCmd(a *app) *cobra.Command {
	var req pb.ResetImageAttributeRequest
	cmd := &cobra.Command{
		Use:   "reset-image-attribute",
		Short: "Make an image private again (ResetImageAttribute --attribute launchPermission)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.ImageId == "" || req.Attribute == "" {
				return usageErrorf("the following arguments are required: --image-id, --attribute")
			}
			return a.call(cmd.Context(), "ResetImageAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ResetImageAttribute(ctx, &req)
				return nil, err
			})
		},
	}
	cmd.Flags().StringVar(&req.ImageId, "image-id", "", "the image")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", "launchPermission")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

// imageAttributeMembers maps attribute names onto the members of EC2's
// ImageAttribute, in the model's order (the order the AWS CLI prints).
var imageAttributeMembers = [][2]string{
	{"description", "Description"}, {"kernel", "KernelId"}, {"ramdisk", "RamdiskId"},
	{"sriovNetSupport", "SriovNetSupport"}, {"bootMode", "BootMode"}, {"tpmSupport", "TpmSupport"},
	{"uefiData", "UefiData"}, {"lastLaunchedTime", "LastLaunchedTime"}, {"imdsSupport", "ImdsSupport"},
	{"deregistrationProtection", "DeregistrationProtection"},
}

// docImageAttribute is an EC2 ImageAttribute: ImageId and the one member
// asked for ({} for an unset value, as the AWS CLI shows it).
func docImageAttribute(r *pb.ImageAttribute) any {
	o := NewObject()
	for _, m := range imageAttributeMembers {
		if r.GetAttribute() == m[0] {
			o.Set(m[1], NewObject().Str("Value", r.GetValue()))
		}
	}
	o.Set("ImageId", r.GetImageId())
	switch r.GetAttribute() {
	case "launchPermission":
		o.Set("LaunchPermissions", list(r.GetLaunchPermissions(), docLaunchPermission))
	case "productCodes":
		o.Set("ProductCodes", []any{})
	}
	return o
}

func docLaunchPermission(p *pb.LaunchPermission) any {
	return NewObject().Str("UserId", p.GetUserId()).Str("Group", p.GetGroup())
}
