package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Member order below follows botocore's EC2 model (service-2.json), which
// is the order the AWS CLI prints.

func docTags(tags []*pb.Tag) []any {
	return list(tags, func(t *pb.Tag) any {
		return NewObject().Set("Key", t.GetKey()).Set("Value", t.GetValue())
	})
}

func docState(s *pb.InstanceState) *Object {
	return NewObject().Set("Code", int64(s.GetCode())).Set("Name", s.GetName())
}

func docPlacement(p *pb.Placement) *Object {
	o := NewObject().Str("GroupName", p.GetGroupName())
	if p.GetPartitionNumber() != 0 {
		o.Set("PartitionNumber", int64(p.GetPartitionNumber()))
	}
	o.Str("HostId", p.GetHostId()).Set("Tenancy", orDefault(p.GetTenancy(), "default"))
	return o.Set("AvailabilityZone", p.GetAvailabilityZone())
}

func docInstanceBDM(m *pb.InstanceBlockDeviceMapping) any {
	ebs := NewObject().Time("AttachTime", m.GetAttachTime()).
		Set("DeleteOnTermination", m.GetDeleteOnTermination()).
		Set("Status", m.GetStatus()).Set("VolumeId", m.GetVolumeId())
	return NewObject().Set("DeviceName", m.GetDeviceName()).Set("Ebs", ebs)
}

// docInstance is an EC2 Instance.
func docInstance(in *pb.Instance) any {
	o := NewObject().Str("Architecture", in.GetArchitecture()).
		Set("BlockDeviceMappings", list(in.GetBlockDeviceMappings(), docInstanceBDM)).
		Str("ClientToken", in.GetClientToken()).
		Set("EbsOptimized", in.GetEbsOptimized())
	if in.GetEnaSupport() {
		o.Set("EnaSupport", true)
	}
	o.Str("Hypervisor", in.GetHypervisor())
	if nis := in.GetNetworkInterfaces(); len(nis) > 0 {
		o.Set("NetworkInterfaces", list(nis, docInstanceNetworkInterface))
	}
	o.Str("RootDeviceName", in.GetRootDeviceName()).
		Str("RootDeviceType", in.GetRootDeviceType()).
		Set("SecurityGroups", []any{})
	if nis := in.GetNetworkInterfaces(); len(nis) > 0 {
		o.Set("SourceDestCheck", nis[0].GetSourceDestCheck()) // the primary interface's
	}
	if r := in.GetStateReason(); r != nil && r.GetCode() != "" {
		o.Set("StateReason", NewObject().Set("Code", r.GetCode()).Set("Message", r.GetMessage()))
	}
	if len(in.GetTags()) > 0 {
		o.Set("Tags", docTags(in.GetTags()))
	}
	o.Str("VirtualizationType", in.GetVirtualizationType())
	if c := in.GetCpuOptions(); c != nil {
		o.Set("CpuOptions", NewObject().Set("CoreCount", int64(c.GetCoreCount())).Set("ThreadsPerCore", int64(c.GetThreadsPerCore())))
	}
	o.Set("HibernationOptions", NewObject().Set("Configured", in.GetHibernationConfigured()))
	if m := in.GetMetadataOptions(); m != nil {
		o.Set("MetadataOptions", docMetadataOptions(m))
	}
	if e := in.GetEnclaveOptions(); e != nil {
		o.Set("EnclaveOptions", NewObject().Set("Enabled", e.GetEnabled()))
	}
	o.Str("BootMode", in.GetBootMode()).Str("PlatformDetails", in.GetPlatformDetails()).
		Str("UsageOperation", in.GetUsageOperation()).Time("UsageOperationUpdateTime", in.GetUsageOperationUpdateTime()).
		Str("CurrentInstanceBootMode", in.GetCurrentInstanceBootMode())
	o.Set("InstanceId", in.GetInstanceId()).
		Str("ImageId", in.GetImageId()).
		Set("State", docState(in.GetState())).
		Set("PrivateDnsName", in.GetPrivateDnsName()).
		Set("PublicDnsName", "").
		Set("StateTransitionReason", in.GetStateTransitionReason()).
		Str("KeyName", in.GetKeyName()).
		Set("AmiLaunchIndex", int64(in.GetAmiLaunchIndex())).
		Set("ProductCodes", []any{}).
		Set("InstanceType", in.GetInstanceType()).
		Time("LaunchTime", in.GetLaunchTime())
	if in.GetPlacement() != nil {
		o.Set("Placement", docPlacement(in.GetPlacement()))
	}
	// ec2lab has no detailed monitoring.
	o.Set("Monitoring", NewObject().Set("State", "disabled"))
	// The model's order.
	o.Str("SubnetId", in.GetSubnetId()).Str("VpcId", in.GetVpcId()).Str("PrivateIpAddress", in.GetPrivateIpAddress()).
		Str("PublicIpAddress", in.GetPublicIpAddress())
	if len(in.GetSecurityGroups()) > 0 {
		o.Set("SecurityGroups", list(in.GetSecurityGroups(), docGroupIdentifier))
	}
	// ec2lab-only members.
	return o.Str("DomainType", in.GetDomainType()).Str("HostId", in.GetHostId()).MarkExtra("DomainType", "HostId")
}

// docReservation is an EC2 Reservation (also run-instances' output).
func docReservation(r *pb.Reservation) any {
	return NewObject().Set("ReservationId", r.GetReservationId()).
		Set("OwnerId", r.GetOwnerId()).
		Set("Groups", []any{}).
		Set("Instances", list(r.GetInstances(), docInstance))
}

func docStateChange(c *pb.InstanceStateChange) any {
	return NewObject().Set("InstanceId", c.GetInstanceId()).
		Set("CurrentState", docState(c.GetCurrentState())).
		Set("PreviousState", docState(c.GetPreviousState()))
}

func docStateChanges(key string, r *pb.InstanceStateChanges) any {
	return NewObject().Set(key, list(r.GetInstances(), docStateChange))
}

func docConsoleOutput(r *pb.GetConsoleOutputResponse) any {
	return NewObject().Set("InstanceId", r.GetInstanceId()).
		Time("Timestamp", r.GetTimestamp()).
		Set("Output", string(r.GetOutput()))
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
