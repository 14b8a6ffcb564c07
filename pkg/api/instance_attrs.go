package api

import (
	"context"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeInstanceAttribute answers one attribute in its EC2 member.
func (c *Compute) DescribeInstanceAttribute(ctx context.Context, r *v1.DescribeInstanceAttributeRequest) (*v1.InstanceAttribute, error) {
	a, err := c.svc.DescribeInstanceAttribute(ctx, r.GetInstanceId(), r.GetAttribute(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return instanceAttributeOut(a), nil
}

// instanceAttributeOut puts the attribute in the member EC2 names it by.
func instanceAttributeOut(a controller.InstanceAttribute) *v1.InstanceAttribute {
	out := &v1.InstanceAttribute{InstanceId: a.InstanceID, Attribute: a.Name}
	if a.Bool != nil {
		b := &v1.AttributeBooleanValue{Value: *a.Bool}
		out.Value = strconv.FormatBool(b.Value)
		switch a.Name {
		case "disableApiTermination":
			out.DisableApiTermination = b
		case "disableApiStop":
			out.DisableApiStop = b
		case "sourceDestCheck":
			out.SourceDestCheck = b
		case "ebsOptimized":
			out.EbsOptimized = b
		case "enaSupport":
			out.EnaSupport = b
		case "enclaveOptions":
			out.EnclaveOptions = &v1.EnclaveOptions{Enabled: b.Value}
		}
		return out
	}
	v := &v1.AttributeValue{}
	if a.Value != nil {
		v.Value, out.Value = *a.Value, *a.Value
	}
	switch a.Name {
	case "instanceType":
		out.InstanceType = v
	case "kernel":
		out.KernelId = v
	case "ramdisk":
		out.RamdiskId = v
	case "userData":
		out.UserData = v
	case "instanceInitiatedShutdownBehavior":
		out.InstanceInitiatedShutdownBehavior = v
	case "rootDeviceName":
		out.RootDeviceName = v
	case "sriovNetSupport":
		out.SriovNetSupport = v
	case "groupSet":
		out.Groups = groupsOut(a.Groups)
	case "blockDeviceMapping":
		out.BlockDeviceMappings = blockDevicesOut(a.BlockDevices)
	}
	return out
}

func groupsOut(refs []controller.GroupRef) []*v1.GroupIdentifier {
	out := make([]*v1.GroupIdentifier, 0, len(refs))
	for _, g := range refs {
		out = append(out, &v1.GroupIdentifier{GroupId: g.ID, GroupName: g.Name})
	}
	return out
}

func blockDevicesOut(list []controller.BlockDevice) []*v1.InstanceBlockDeviceMapping {
	out := make([]*v1.InstanceBlockDeviceMapping, 0, len(list))
	for _, b := range list {
		out = append(out, &v1.InstanceBlockDeviceMapping{DeviceName: b.DeviceName, VolumeId: b.VolumeID,
			Status: b.Status, AttachTime: ts(b.AttachTime), DeleteOnTermination: b.DeleteOnTermination})
	}
	return out
}

// ModifyInstanceAttribute changes one attribute.
func (c *Compute) ModifyInstanceAttribute(ctx context.Context, r *v1.ModifyInstanceAttributeRequest) (*v1.ModifyInstanceAttributeResponse, error) {
	if err := c.svc.ModifyInstanceAttribute(ctx, attributeChangeIn(r)); err != nil {
		return nil, err
	}
	return &v1.ModifyInstanceAttributeResponse{}, nil
}

// attributeChangeIn maps the request's members; a member absent stays nil.
func attributeChangeIn(r *v1.ModifyInstanceAttributeRequest) controller.InstanceAttributeChange {
	c := controller.InstanceAttributeChange{InstanceID: r.GetInstanceId(), Attribute: r.GetAttribute(), Value: r.Value,
		InstanceType: text(r.GetInstanceType()), Kernel: text(r.GetKernel()), Ramdisk: text(r.GetRamdisk()),
		ShutdownBehavior: text(r.GetInstanceInitiatedShutdownBehavior()), SriovNetSupport: text(r.GetSriovNetSupport()),
		DisableAPITermination: flag(r.GetDisableApiTermination()), DisableAPIStop: flag(r.GetDisableApiStop()),
		SourceDestCheck: flag(r.GetSourceDestCheck()), EbsOptimized: flag(r.GetEbsOptimized()),
		EnaSupport: flag(r.GetEnaSupport()), Groups: r.GetGroups(), DryRun: r.GetDryRun()}
	if u := r.GetUserData(); u != nil {
		data := u.GetValue()
		c.UserData = &data
	}
	for _, m := range r.GetBlockDeviceMappings() {
		c.BlockDevices = append(c.BlockDevices, controller.DeviceChange{DeviceName: m.GetDeviceName(),
			VolumeID: m.GetEbs().GetVolumeId(), DeleteOnTermination: m.GetEbs().DeleteOnTermination,
			VirtualName: m.GetVirtualName(), NoDevice: m.GetNoDevice()})
	}
	return c
}

func text(v *v1.AttributeValue) *string {
	if v == nil {
		return nil
	}
	s := v.GetValue()
	return &s
}

func flag(v *v1.AttributeBooleanValue) *bool {
	if v == nil {
		return nil
	}
	b := v.GetValue()
	return &b
}

// ResetInstanceAttribute resets kernel, ramdisk or sourceDestCheck.
func (c *Compute) ResetInstanceAttribute(ctx context.Context, r *v1.ResetInstanceAttributeRequest) (*v1.ResetInstanceAttributeResponse, error) {
	if err := c.svc.ResetInstanceAttribute(ctx, r.GetInstanceId(), r.GetAttribute(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.ResetInstanceAttributeResponse{}, nil
}
