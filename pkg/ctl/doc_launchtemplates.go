package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Launch template documents, members in botocore's order.

func docLaunchTemplate(t *pb.LaunchTemplate) any {
	o := NewObject().Set("LaunchTemplateId", t.GetLaunchTemplateId()).
		Set("LaunchTemplateName", t.GetLaunchTemplateName()).
		Time("CreateTime", t.GetCreateTime()).
		Str("CreatedBy", t.GetCreatedBy()).
		Set("DefaultVersionNumber", t.GetDefaultVersionNumber()).
		Set("LatestVersionNumber", t.GetLatestVersionNumber())
	if len(t.GetTags()) > 0 {
		o.Set("Tags", docTags(t.GetTags()))
	}
	return o
}

func docLaunchTemplateVersion(v *pb.LaunchTemplateVersion) any {
	return NewObject().Set("LaunchTemplateId", v.GetLaunchTemplateId()).
		Set("LaunchTemplateName", v.GetLaunchTemplateName()).
		Set("VersionNumber", v.GetVersionNumber()).
		Str("VersionDescription", v.GetVersionDescription()).
		Time("CreateTime", v.GetCreateTime()).
		Str("CreatedBy", v.GetCreatedBy()).
		Set("DefaultVersion", v.GetDefaultVersion()).
		Set("LaunchTemplateData", docLaunchTemplateData(v.GetLaunchTemplateData()))
}

// withWarning adds EC2's Warning (a ValidationWarning) when there is one.
func withWarning(o *Object, w *pb.ValidationWarning) *Object {
	if len(w.GetErrors()) == 0 {
		return o
	}
	errs := list(w.GetErrors(), func(e *pb.ValidationError) any {
		return NewObject().Set("Code", e.GetCode()).Set("Message", e.GetMessage())
	})
	return o.Set("Warning", NewObject().Set("Errors", errs))
}

// setBool sets k when b is given (a proto3 optional bool).
func setOptBool(o *Object, k string, b *bool) {
	if b != nil {
		o.Set(k, *b)
	}
}

// docLaunchTemplateData is EC2's ResponseLaunchTemplateData: the members a
// version gives, as it gave them.
func docLaunchTemplateData(d *pb.LaunchTemplateData) any {
	o := NewObject()
	setOptBool(o, "EbsOptimized", d.EbsOptimized)
	if p := d.GetIamInstanceProfile(); p != nil {
		o.Set("IamInstanceProfile", NewObject().Str("Arn", p.GetArn()).Str("Name", p.GetName()))
	}
	if len(d.GetBlockDeviceMappings()) > 0 {
		o.Set("BlockDeviceMappings", list(d.GetBlockDeviceMappings(), docTemplateDevice))
	}
	if len(d.GetNetworkInterfaces()) > 0 {
		o.Set("NetworkInterfaces", list(d.GetNetworkInterfaces(), docTemplateInterface))
	}
	o.Str("ImageId", d.GetImageId()).Str("InstanceType", d.GetInstanceType()).Str("KeyName", d.GetKeyName())
	if m := d.GetMonitoring(); m != nil {
		o.Set("Monitoring", NewObject().Set("Enabled", m.GetEnabled()))
	}
	if p := d.GetPlacement(); p != nil {
		o.Set("Placement", NewObject().Str("AvailabilityZone", p.GetAvailabilityZone()).Str("GroupName", p.GetGroupName()).
			Str("Tenancy", p.GetTenancy()).Int("PartitionNumber", int64(p.GetPartitionNumber())))
	}
	setOptBool(o, "DisableApiTermination", d.DisableApiTermination)
	o.Str("InstanceInitiatedShutdownBehavior", d.GetInstanceInitiatedShutdownBehavior()).Str("UserData", d.GetUserData())
	if len(d.GetTagSpecifications()) > 0 {
		o.Set("TagSpecifications", list(d.GetTagSpecifications(), func(s *pb.TagSpecification) any {
			return NewObject().Set("ResourceType", s.GetResourceType()).Set("Tags", docTags(s.GetTags()))
		}))
	}
	if len(d.GetSecurityGroupIds()) > 0 {
		o.Set("SecurityGroupIds", strList(d.GetSecurityGroupIds()))
	}
	if len(d.GetSecurityGroups()) > 0 {
		o.Set("SecurityGroups", strList(d.GetSecurityGroups()))
	}
	if c := d.GetCreditSpecification(); c != nil {
		o.Set("CreditSpecification", NewObject().Set("CpuCredits", c.GetCpuCredits()))
	}
	if m := d.GetMetadataOptions(); m != nil {
		mo := NewObject().Str("HttpTokens", m.GetHttpTokens())
		if m.HttpPutResponseHopLimit != nil {
			mo.Set("HttpPutResponseHopLimit", int64(m.GetHttpPutResponseHopLimit()))
		}
		o.Set("MetadataOptions", mo.Str("HttpEndpoint", m.GetHttpEndpoint()).Str("HttpProtocolIpv6", m.GetHttpProtocolIpv6()).
			Str("InstanceMetadataTags", m.GetInstanceMetadataTags()))
	}
	setOptBool(o, "DisableApiStop", d.DisableApiStop)
	return o
}

func docTemplateDevice(m *pb.LaunchTemplateBlockDeviceMapping) any {
	o := NewObject().Str("DeviceName", m.GetDeviceName())
	if e := m.GetEbs(); e != nil {
		eo := NewObject()
		setOptBool(eo, "Encrypted", e.Encrypted)
		setOptBool(eo, "DeleteOnTermination", e.DeleteOnTermination)
		eo.Int("Iops", int64(e.GetIops())).Str("SnapshotId", e.GetSnapshotId()).Int("VolumeSize", int64(e.GetVolumeSize())).
			Str("VolumeType", e.GetVolumeType()).Int("Throughput", int64(e.GetThroughput()))
		o.Set("Ebs", eo)
	}
	if m.NoDevice != nil {
		o.Set("NoDevice", m.GetNoDevice())
	}
	return o
}

func docTemplateInterface(ni *pb.LaunchTemplateNetworkInterface) any {
	o := NewObject()
	setOptBool(o, "AssociatePublicIpAddress", ni.AssociatePublicIpAddress)
	setOptBool(o, "DeleteOnTermination", ni.DeleteOnTermination)
	o.Str("Description", ni.GetDescription())
	if ni.DeviceIndex != nil {
		o.Set("DeviceIndex", int64(ni.GetDeviceIndex()))
	}
	if len(ni.GetGroups()) > 0 {
		o.Set("Groups", strList(ni.GetGroups()))
	}
	o.Str("PrivateIpAddress", ni.GetPrivateIpAddress()).Str("SubnetId", ni.GetSubnetId())
	if ni.NetworkCardIndex != nil {
		o.Set("NetworkCardIndex", int64(ni.GetNetworkCardIndex()))
	}
	return o
}

func docVersionDeletions(r *pb.DeleteLaunchTemplateVersionsResponse) any {
	conv := func(d *pb.LaunchTemplateVersionDeletion) any {
		o := NewObject().Set("LaunchTemplateId", d.GetLaunchTemplateId()).
			Set("LaunchTemplateName", d.GetLaunchTemplateName()).Set("VersionNumber", d.GetVersionNumber())
		if e := d.GetResponseError(); e != nil {
			o.Set("ResponseError", NewObject().Set("Code", e.GetCode()).Set("Message", e.GetMessage()))
		}
		return o
	}
	o := NewObject()
	if ok := r.GetSuccessfullyDeletedLaunchTemplateVersions(); len(ok) > 0 {
		o.Set("SuccessfullyDeletedLaunchTemplateVersions", list(ok, conv))
	}
	if failed := r.GetUnsuccessfullyDeletedLaunchTemplateVersions(); len(failed) > 0 {
		o.Set("UnsuccessfullyDeletedLaunchTemplateVersions", list(failed, conv))
	}
	return o
}
