package controller

import (
	"context"
	"encoding/base64"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// InstanceAttributeNames are the attributes of DescribeInstanceAttribute
// and ModifyInstanceAttribute (botocore's InstanceAttributeName).
var InstanceAttributeNames = []string{"instanceType", "kernel", "ramdisk", "userData", "disableApiTermination",
	"instanceInitiatedShutdownBehavior", "rootDeviceName", "blockDeviceMapping", "productCodes",
	"sourceDestCheck", "groupSet", "ebsOptimized", "sriovNetSupport", "enaSupport", "enclaveOptions", "disableApiStop"}

// Instance-initiated shutdown behaviours (EC2's ShutdownBehavior).
const (
	ShutdownStop      = "stop"
	ShutdownTerminate = "terminate"
)

// shutdownBehavior is the instance's behaviour, "" read as EC2's default.
func (in Instance) shutdownBehavior() string {
	if in.ShutdownBehavior == "" {
		return ShutdownStop
	}
	return in.ShutdownBehavior
}

// checkShutdownBehavior accepts EC2's two behaviours ("" is the default).
func checkShutdownBehavior(v string) error {
	switch v {
	case "", ShutdownStop, ShutdownTerminate:
		return nil
	}
	return ec2err.New(ec2err.InvalidParameterValue,
		"Value (%s) for parameter instanceInitiatedShutdownBehavior is invalid. Valid values: stop, terminate", v)
}

// InstanceAttribute is one attribute of an instance as EC2's
// InstanceAttribute carries it: Bool for the boolean attributes (and
// enclaveOptions' Enabled), Value for the text ones (nil when unset: EC2's
// empty element), Groups for groupSet, BlockDevices for
// blockDeviceMapping; productCodes is always empty.
type InstanceAttribute struct {
	InstanceID, Name string
	Bool             *bool
	Value            *string
	Groups           []GroupRef
	BlockDevices     []BlockDevice
}

// DescribeInstanceAttribute answers one attribute of one of the caller's
// instances from its record.
func (s *Service) DescribeInstanceAttribute(ctx context.Context, id, attr string, dryRun bool) (InstanceAttribute, error) {
	if !slices.Contains(InstanceAttributeNames, attr) {
		return InstanceAttribute{}, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Unknown attribute.", attr)
	}
	in, err := s.instance(ctx, id)
	if err != nil {
		return InstanceAttribute{}, err
	}
	if dryRun {
		return InstanceAttribute{}, DryRun()
	}
	out := InstanceAttribute{InstanceID: in.ID, Name: attr}
	if b, ok := boolAttribute(in, attr); ok {
		out.Bool = &b
		return out, nil
	}
	switch attr {
	case "groupSet":
		out.Groups = slices.Clone(in.SecurityGroups)
	case "blockDeviceMapping":
		out.BlockDevices = slices.Clone(in.BlockDevices)
	case "productCodes":
	default:
		out.Value = s.textAttribute(ctx, in, attr)
	}
	return out, nil
}

// boolAttribute is a boolean attribute's value. ec2lab's guests have
// virtio network interfaces (no ENA, no SR-IOV), no dedicated EBS
// bandwidth and no enclaves.
func boolAttribute(in Instance, attr string) (bool, bool) {
	switch attr {
	case "disableApiTermination":
		return in.DisableAPITermination, true
	case "disableApiStop":
		return in.DisableAPIStop, true
	case "sourceDestCheck":
		return !in.SourceDestCheckOff, true
	case "ebsOptimized", "enaSupport", "enclaveOptions":
		return false, true
	}
	return false, false
}

// textAttribute is a text attribute's value, nil when unset. kernel and
// ramdisk name a direct-kernel image's files in its pool, as
// DescribeImageAttribute does (ec2lab has no AKIs or ARIs).
func (s *Service) textAttribute(ctx context.Context, in Instance, attr string) *string {
	var v string
	switch attr {
	case "instanceType":
		v = in.Type
	case "userData":
		v = base64.StdEncoding.EncodeToString(in.UserData)
	case "instanceInitiatedShutdownBehavior":
		v = in.shutdownBehavior()
	case "rootDeviceName":
		v = in.RootDeviceName
	case "kernel", "ramdisk":
		if img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+in.ImageID); err == nil {
			v = map[string]string{"kernel": img.Kernel, "ramdisk": img.Initrd}[attr]
		}
	}
	if v == "" {
		return nil
	}
	return &v
}
