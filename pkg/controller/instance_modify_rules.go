package controller

import (
	"cmp"
	"context"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
)

// stoppedOnly are the attributes EC2 changes only while the instance is
// stopped: the domain is built from them.
var stoppedOnly = map[string]bool{"instanceType": true, "userData": true}

// prepareEdit validates what e asks against the catalog and the account's
// resources, and refuses what ec2lab cannot honour.
func (s *Service) prepareEdit(ctx context.Context, acct string, in Instance, e *attrEdit) error {
	switch e.name {
	case "instanceType":
		t, err := s.checkNewType(in, e.text)
		if t.Burstable { // a burstable type keeps (or gets EC2's default) credit mode
			e.credits = cmp.Or(in.CPUCredits, CreditsUnlimited)
		}
		return err
	case "userData":
		if len(e.data) > MaxUserData {
			return ec2err.New(ec2err.InvalidParameterValue, "User data is limited to %d bytes", MaxUserData)
		}
		return nil
	case "instanceInitiatedShutdownBehavior":
		if e.text == "" {
			return checkShutdownBehavior("(empty)")
		}
		return checkShutdownBehavior(e.text)
	case "groupSet":
		refs, err := s.instanceGroups(ctx, acct, in, e.groups)
		e.refs = refs
		return err
	case "blockDeviceMapping":
		return checkDeviceChanges(in, e.devices)
	}
	return unsupportedEdit(*e)
}

// unsupportedEdit refuses the values ec2lab's guests cannot have, and the
// attributes no call may change.
func unsupportedEdit(e attrEdit) error {
	switch e.name {
	case "kernel", "ramdisk":
		return ec2err.New(ec2err.UnsupportedOperation,
			"The %s of an instance cannot be changed: ec2lab instances boot their image's kernel and ramdisk", e.name)
	case "ebsOptimized":
		if e.flag {
			return ec2err.New(ec2err.UnsupportedOperation,
				"ec2lab cannot make an instance EBS-optimized: volumes have per-volume IOPS and throughput limits, no dedicated bandwidth")
		}
	case "enaSupport":
		if e.flag {
			return ec2err.New(ec2err.UnsupportedOperation,
				"ec2lab cannot enable ENA: instances have virtio network interfaces")
		}
	case "sriovNetSupport":
		if e.text != "simple" {
			return ec2err.New(ec2err.InvalidParameterValue,
				"Value (%s) for parameter sriovNetSupport is invalid. Valid values: simple", e.text)
		}
		return ec2err.New(ec2err.UnsupportedOperation,
			"ec2lab cannot enable SR-IOV networking: instances have virtio network interfaces")
	case "rootDeviceName", "productCodes", "enclaveOptions":
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. The attribute cannot be modified.", e.name)
	}
	return nil
}

// checkNewType accepts a catalog type the instance's architecture runs on.
func (s *Service) checkNewType(in Instance, name string) (instancetypes.Type, error) {
	t, ok := s.types.Get(name)
	if !ok {
		return t, ec2err.New(ec2err.InvalidInstanceAttributeValue, "Value (%s) for parameter instanceType is invalid.", name)
	}
	if len(t.Architectures) > 0 && in.Architecture != "" && !slices.Contains(t.Architectures, in.Architecture) {
		return t, ec2err.New(ec2err.InvalidInstanceAttributeValue,
			"The instance type '%s' does not support the instance's architecture (%s).", name, in.Architecture)
	}
	return t, nil
}

// instanceGroups resolves new security groups: the caller's, in the
// instance's VPC, each once.
func (s *Service) instanceGroups(ctx context.Context, acct string, in Instance, groupIDs []string) ([]GroupRef, error) {
	if in.VpcID == "" {
		return nil, ec2err.New(ec2err.UnsupportedOperation, "The instance '%s' has no network interface to change the groups of", in.ID)
	}
	var out []GroupRef
	for _, id := range groupIDs {
		g, _, err := s.ownGroup(ctx, acct, id)
		if err != nil {
			return nil, err
		}
		if g.VpcID != in.VpcID {
			return nil, ec2err.New(ec2err.InvalidGroupNotFound,
				"The security group '%s' does not exist in VPC '%s'", id, in.VpcID)
		}
		if !slices.ContainsFunc(out, func(r GroupRef) bool { return r.ID == id }) {
			out = append(out, GroupRef{ID: id, Name: g.Name})
		}
	}
	return out, nil
}

// checkDeviceChanges accepts DeleteOnTermination changes of the volumes
// attached at the named devices; devices are added only at launch.
func checkDeviceChanges(in Instance, changes []DeviceChange) error {
	for _, c := range changes {
		if c.DeviceName == "" {
			return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter BlockDeviceMapping.DeviceName")
		}
		if c.VirtualName != "" || c.NoDevice {
			return ec2err.New(ec2err.UnsupportedOperation,
				"Devices are added or suppressed at launch only; ModifyInstanceAttribute changes DeleteOnTermination of attached volumes")
		}
		bd, ok := deviceAt(in, c.DeviceName)
		if !ok {
			return ec2err.New(ec2err.InvalidInstanceAttributeValue, "No device is currently mapped at %s", c.DeviceName)
		}
		if c.VolumeID != "" && c.VolumeID != bd.VolumeID {
			return ec2err.New(ec2err.InvalidParameterValue,
				"The volume '%s' is not attached at %s of instance '%s' (%s is)", c.VolumeID, c.DeviceName, in.ID, bd.VolumeID)
		}
	}
	return nil
}

func deviceAt(in Instance, name string) (BlockDevice, bool) {
	for _, bd := range in.BlockDevices {
		if bd.DeviceName == name {
			return bd, true
		}
	}
	return BlockDevice{}, false
}

// checkEdit holds e to the instance's state: nothing changes on a
// terminated instance, type and user data only on a stopped one.
func checkEdit(in Instance, e attrEdit) error {
	if in.State == StateTerminated || in.State == StateShuttingDown {
		return ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is not in a state from which its attributes can be modified (state: %s).", in.ID, in.State)
	}
	if stoppedOnly[e.name] && in.State != StateStopped {
		return ec2err.New(ec2err.IncorrectInstanceState, "The instance '%s' is not in the 'stopped' state.", in.ID)
	}
	if e.name == "blockDeviceMapping" {
		return checkDeviceChanges(in, e.devices) // a volume may have been detached since
	}
	return nil
}

// applyEdit records e on the instance.
func applyEdit(r *Instance, e attrEdit) {
	switch e.name {
	case "instanceType":
		if r.Type != e.text {
			r.Type, r.CPUCredits, r.Redefine = e.text, e.credits, true
		}
	case "userData":
		r.UserData, r.Redefine = e.data, true
	case "disableApiTermination":
		r.DisableAPITermination = e.flag
	case "disableApiStop":
		r.DisableAPIStop = e.flag
	case "sourceDestCheck":
		r.SourceDestCheckOff = !e.flag
	case "instanceInitiatedShutdownBehavior":
		r.ShutdownBehavior = e.text
	case "groupSet":
		r.SecurityGroups = e.refs
	case "blockDeviceMapping":
		for _, c := range e.devices {
			for i := range r.BlockDevices {
				if r.BlockDevices[i].DeviceName == c.DeviceName {
					r.BlockDevices[i].DeleteOnTermination = deleteOnTermination(c)
				}
			}
		}
	}
}

func deleteOnTermination(c DeviceChange) bool {
	return c.DeleteOnTermination == nil || *c.DeleteOnTermination
}

// mirrorDeleteOnTermination shows changed DeleteOnTermination flags on the
// volumes' attachments too (DescribeVolumes); terminate reads the
// instance's record.
func (s *Service) mirrorDeleteOnTermination(ctx context.Context, in Instance, changes []DeviceChange) {
	for _, c := range changes {
		bd, ok := deviceAt(in, c.DeviceName)
		if !ok {
			continue
		}
		_, err := update(ctx, s.st, prefixVolume+bd.VolumeID, func(v *Volume) error {
			if v.Attachment != nil && v.Attachment.InstanceID == in.ID {
				v.Attachment.DeleteOnTermination = deleteOnTermination(c)
			}
			return nil
		})
		if err != nil {
			s.log.Warn("mirror DeleteOnTermination on the volume", "volume", bd.VolumeID, "err", err)
		}
	}
}
