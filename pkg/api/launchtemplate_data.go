package api

import (
	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// templateDataIn is LaunchTemplateData as the controller keeps it; every
// member crosses, so that the controller judges what it cannot honour.
func templateDataIn(d *v1.LaunchTemplateData) controller.LaunchTemplateData {
	if d == nil {
		return controller.LaunchTemplateData{}
	}
	out := controller.LaunchTemplateData{ImageID: d.GetImageId(), InstanceType: d.GetInstanceType(), KeyName: d.GetKeyName(),
		UserData: d.GetUserData(), SecurityGroupIDs: d.GetSecurityGroupIds(), SecurityGroups: d.GetSecurityGroups(),
		TagSpecs: tagSpecsIn(d.GetTagSpecifications()), CPUCredits: d.GetCreditSpecification().GetCpuCredits(),
		DisableAPITermination: d.DisableApiTermination, DisableAPIStop: d.DisableApiStop,
		ShutdownBehavior: d.GetInstanceInitiatedShutdownBehavior(), EBSOptimized: d.EbsOptimized}
	for _, ni := range d.GetNetworkInterfaces() {
		out.NetworkInterfaces = append(out.NetworkInterfaces, controller.TemplateInterface{DeviceIndex: ni.DeviceIndex,
			SubnetID: ni.GetSubnetId(), Groups: ni.GetGroups(), PrivateIP: ni.GetPrivateIpAddress(),
			AssociatePublicIP: ni.AssociatePublicIpAddress, DeleteOnTermination: ni.DeleteOnTermination,
			Description: ni.GetDescription(), NetworkCardIndex: ni.NetworkCardIndex})
	}
	for _, m := range d.GetBlockDeviceMappings() {
		out.BlockDevices = append(out.BlockDevices, templateDeviceIn(m))
	}
	if p := d.GetPlacement(); p != nil {
		out.Placement = &controller.TemplatePlacement{AZ: p.GetAvailabilityZone(), GroupName: p.GetGroupName(),
			PartitionNumber: p.GetPartitionNumber(), Tenancy: p.GetTenancy()}
	}
	if m := d.GetMetadataOptions(); m != nil {
		out.MetadataOptions = &controller.TemplateMetadataOptions{HTTPTokens: m.GetHttpTokens(), HopLimit: m.HttpPutResponseHopLimit,
			HTTPEndpoint: m.GetHttpEndpoint(), HTTPProtocolIPv6: m.GetHttpProtocolIpv6(), InstanceMetadataTags: m.GetInstanceMetadataTags()}
	}
	if p := d.GetIamInstanceProfile(); p != nil {
		out.IAMInstanceProfile = &controller.InstanceProfileRef{ARN: p.GetArn(), Name: p.GetName()}
	}
	if m := d.GetMonitoring(); m != nil {
		enabled := m.GetEnabled()
		out.Monitoring = &enabled
	}
	return out
}

func templateDeviceIn(m *v1.LaunchTemplateBlockDeviceMapping) controller.TemplateDevice {
	out := controller.TemplateDevice{DeviceName: m.GetDeviceName(), NoDevice: m.NoDevice}
	if e := m.GetEbs(); e != nil {
		out.EBS = &controller.TemplateEBS{Encrypted: e.Encrypted, DeleteOnTermination: e.DeleteOnTermination, IOPS: e.GetIops(),
			SnapshotID: e.GetSnapshotId(), SizeGiB: e.GetVolumeSize(), VolumeType: e.GetVolumeType(), Throughput: e.GetThroughput()}
	}
	return out
}

// templateDataOut is a version's data as it was given.
func templateDataOut(d controller.LaunchTemplateData) *v1.LaunchTemplateData {
	out := &v1.LaunchTemplateData{ImageId: d.ImageID, InstanceType: d.InstanceType, KeyName: d.KeyName, UserData: d.UserData,
		SecurityGroupIds: d.SecurityGroupIDs, SecurityGroups: d.SecurityGroups, TagSpecifications: tagSpecsOut(d.TagSpecs),
		DisableApiTermination: d.DisableAPITermination, DisableApiStop: d.DisableAPIStop,
		InstanceInitiatedShutdownBehavior: d.ShutdownBehavior, EbsOptimized: d.EBSOptimized}
	if d.CPUCredits != "" {
		out.CreditSpecification = &v1.CreditSpecificationRequest{CpuCredits: d.CPUCredits}
	}
	for _, ni := range d.NetworkInterfaces {
		out.NetworkInterfaces = append(out.NetworkInterfaces, &v1.LaunchTemplateNetworkInterface{DeviceIndex: ni.DeviceIndex,
			SubnetId: ni.SubnetID, Groups: ni.Groups, PrivateIpAddress: ni.PrivateIP, AssociatePublicIpAddress: ni.AssociatePublicIP,
			DeleteOnTermination: ni.DeleteOnTermination, Description: ni.Description, NetworkCardIndex: ni.NetworkCardIndex})
	}
	for _, dev := range d.BlockDevices {
		m := &v1.LaunchTemplateBlockDeviceMapping{DeviceName: dev.DeviceName, NoDevice: dev.NoDevice}
		if e := dev.EBS; e != nil {
			m.Ebs = &v1.LaunchTemplateEbsBlockDevice{Encrypted: e.Encrypted, DeleteOnTermination: e.DeleteOnTermination,
				Iops: e.IOPS, SnapshotId: e.SnapshotID, VolumeSize: e.SizeGiB, VolumeType: e.VolumeType, Throughput: e.Throughput}
		}
		out.BlockDeviceMappings = append(out.BlockDeviceMappings, m)
	}
	if p := d.Placement; p != nil {
		out.Placement = &v1.LaunchTemplatePlacement{AvailabilityZone: p.AZ, GroupName: p.GroupName,
			PartitionNumber: p.PartitionNumber, Tenancy: p.Tenancy}
	}
	if m := d.MetadataOptions; m != nil {
		out.MetadataOptions = &v1.LaunchTemplateMetadataOptions{HttpTokens: m.HTTPTokens, HttpPutResponseHopLimit: m.HopLimit,
			HttpEndpoint: m.HTTPEndpoint, HttpProtocolIpv6: m.HTTPProtocolIPv6, InstanceMetadataTags: m.InstanceMetadataTags}
	}
	if p := d.IAMInstanceProfile; p != nil {
		out.IamInstanceProfile = &v1.LaunchTemplateIamInstanceProfile{Arn: p.ARN, Name: p.Name}
	}
	if d.Monitoring != nil {
		out.Monitoring = &v1.LaunchTemplateMonitoring{Enabled: *d.Monitoring}
	}
	return out
}
