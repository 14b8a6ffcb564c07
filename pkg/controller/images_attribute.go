package controller

import (
	"context"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// imageAttributes are the attribute names of DescribeImageAttribute
// (botocore's ImageAttributeName).
var imageAttributes = []string{"description", "kernel", "ramdisk", "launchPermission", "productCodes",
	"blockDeviceMapping", "sriovNetSupport", "bootMode", "tpmSupport", "uefiData", "lastLaunchedTime",
	"imdsSupport", "deregistrationProtection"}

// ImageAttributeValue is one attribute of an image: LaunchPermissions for
// launchPermission, Value for the others ("" when unset).
type ImageAttributeValue struct {
	ImageID, Attribute string
	LaunchPermissions  []LaunchPermission
	Value              string
}

// DescribeImageAttribute answers one attribute of the caller's image.
// Another account's image is AuthFailure even when shared with the caller,
// so its launch permissions stay the owner's business. blockDeviceMapping
// is AuthFailure for everyone, as on EC2 (DescribeImages has the mappings).
func (s *Service) DescribeImageAttribute(ctx context.Context, id, attribute string, dryRun bool) (ImageAttributeValue, error) {
	if !slices.Contains(imageAttributes, attribute) {
		return ImageAttributeValue{}, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Unknown attribute.", attribute)
	}
	img, err := s.ownedImage(ctx, id)
	if err != nil {
		return ImageAttributeValue{}, err
	}
	if attribute == "blockDeviceMapping" {
		return ImageAttributeValue{}, ec2err.New(ec2err.AuthFailure, "Unauthorized attempt to access restricted resource")
	}
	if dryRun {
		return ImageAttributeValue{}, DryRun()
	}
	out := ImageAttributeValue{ImageID: img.ID, Attribute: attribute}
	switch attribute {
	case "launchPermission":
		out.LaunchPermissions = LaunchPermissions(img)
	case "description":
		out.Value = img.Description
	case "kernel": // ec2lab: the direct-kernel image's kernel file in its pool
		out.Value = img.Kernel
	case "ramdisk":
		out.Value = img.Initrd
	case "bootMode":
		out.Value = img.BootMode
	case "lastLaunchedTime":
		if !img.LastLaunchedTime.IsZero() {
			out.Value = img.LastLaunchedTime.UTC().Format(LastLaunchedTimeFormat)
		}
	case "deregistrationProtection":
		out.Value = protectionAt(img, s.now())
	}
	return out, nil
}
