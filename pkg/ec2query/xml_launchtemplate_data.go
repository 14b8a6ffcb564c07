package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// templateDataXML is EC2's ResponseLaunchTemplateData, in the model's
// member order: a member the version does not give is left out.
type templateDataXML struct {
	EBSOptimized        *bool                  `xml:"ebsOptimized,omitempty"`
	IAMInstanceProfile  *iamProfileXML         `xml:"iamInstanceProfile,omitempty"`
	BlockDeviceMappings []templateDeviceXML    `xml:"blockDeviceMappingSet>item"`
	NetworkInterfaces   []templateNICXML       `xml:"networkInterfaceSet>item"`
	ImageID             string                 `xml:"imageId,omitempty"`
	InstanceType        string                 `xml:"instanceType,omitempty"`
	KeyName             string                 `xml:"keyName,omitempty"`
	Monitoring          *templateMonitoringXML `xml:"monitoring,omitempty"`
	Placement           *templatePlaceXML      `xml:"placement,omitempty"`
	DisableAPITerm      *bool                  `xml:"disableApiTermination,omitempty"`
	ShutdownBehavior    string                 `xml:"instanceInitiatedShutdownBehavior,omitempty"`
	UserData            string                 `xml:"userData,omitempty"`
	TagSpecifications   []tagSpecXML           `xml:"tagSpecificationSet>item"`
	SecurityGroupIDs    []string               `xml:"securityGroupIdSet>item"`
	SecurityGroups      []string               `xml:"securityGroupSet>item"`
	CreditSpecification *templateCreditXML     `xml:"creditSpecification,omitempty"`
	MetadataOptions     *templateIMDSXML       `xml:"metadataOptions,omitempty"`
	DisableAPIStop      *bool                  `xml:"disableApiStop,omitempty"`
}

type iamProfileXML struct {
	ARN  string `xml:"arn,omitempty"`
	Name string `xml:"name,omitempty"`
}

type templateMonitoringXML struct {
	Enabled bool `xml:"enabled"`
}

type templateDeviceXML struct {
	DeviceName string          `xml:"deviceName,omitempty"`
	EBS        *templateEBSXML `xml:"ebs,omitempty"`
	NoDevice   *string         `xml:"noDevice,omitempty"`
}

type templateEBSXML struct {
	Encrypted           *bool  `xml:"encrypted,omitempty"`
	DeleteOnTermination *bool  `xml:"deleteOnTermination,omitempty"`
	IOPS                int32  `xml:"iops,omitempty"`
	SnapshotID          string `xml:"snapshotId,omitempty"`
	VolumeSize          int32  `xml:"volumeSize,omitempty"`
	VolumeType          string `xml:"volumeType,omitempty"`
	Throughput          int32  `xml:"throughput,omitempty"`
}

// templateNICXML is LaunchTemplateInstanceNetworkInterfaceSpecification.
type templateNICXML struct {
	AssociatePublicIP   *bool    `xml:"associatePublicIpAddress,omitempty"`
	DeleteOnTermination *bool    `xml:"deleteOnTermination,omitempty"`
	Description         string   `xml:"description,omitempty"`
	DeviceIndex         *int32   `xml:"deviceIndex,omitempty"`
	Groups              []string `xml:"groupSet>groupId"`
	PrivateIPAddress    string   `xml:"privateIpAddress,omitempty"`
	SubnetID            string   `xml:"subnetId,omitempty"`
	NetworkCardIndex    *int32   `xml:"networkCardIndex,omitempty"`
}

type templatePlaceXML struct {
	AvailabilityZone string `xml:"availabilityZone,omitempty"`
	GroupName        string `xml:"groupName,omitempty"`
	Tenancy          string `xml:"tenancy,omitempty"`
	PartitionNumber  int32  `xml:"partitionNumber,omitempty"`
}

type tagSpecXML struct {
	ResourceType string     `xml:"resourceType"`
	Tags         *tagSetXML `xml:"tagSet,omitempty"`
}

type templateCreditXML struct {
	CPUCredits string `xml:"cpuCredits"`
}

type templateIMDSXML struct {
	HTTPTokens           string `xml:"httpTokens,omitempty"`
	HopLimit             *int32 `xml:"httpPutResponseHopLimit,omitempty"`
	HTTPEndpoint         string `xml:"httpEndpoint,omitempty"`
	HTTPProtocolIPv6     string `xml:"httpProtocolIpv6,omitempty"`
	InstanceMetadataTags string `xml:"instanceMetadataTags,omitempty"`
}

func templateDataXMLOut(d *ec2labv1.LaunchTemplateData) *templateDataXML {
	if d == nil {
		return nil
	}
	x := &templateDataXML{EBSOptimized: d.EbsOptimized, ImageID: d.GetImageId(), InstanceType: d.GetInstanceType(),
		KeyName: d.GetKeyName(), DisableAPITerm: d.DisableApiTermination, ShutdownBehavior: d.GetInstanceInitiatedShutdownBehavior(),
		UserData: d.GetUserData(), SecurityGroupIDs: d.GetSecurityGroupIds(), SecurityGroups: d.GetSecurityGroups(),
		DisableAPIStop: d.DisableApiStop}
	if p := d.GetIamInstanceProfile(); p != nil {
		x.IAMInstanceProfile = &iamProfileXML{ARN: p.GetArn(), Name: p.GetName()}
	}
	for _, m := range d.GetBlockDeviceMappings() {
		x.BlockDeviceMappings = append(x.BlockDeviceMappings, templateDeviceOut(m))
	}
	for _, ni := range d.GetNetworkInterfaces() {
		x.NetworkInterfaces = append(x.NetworkInterfaces, templateNICXML{AssociatePublicIP: ni.AssociatePublicIpAddress,
			DeleteOnTermination: ni.DeleteOnTermination, Description: ni.GetDescription(), DeviceIndex: ni.DeviceIndex,
			Groups: ni.GetGroups(), PrivateIPAddress: ni.GetPrivateIpAddress(), SubnetID: ni.GetSubnetId(), NetworkCardIndex: ni.NetworkCardIndex})
	}
	if m := d.GetMonitoring(); m != nil {
		x.Monitoring = &templateMonitoringXML{Enabled: m.GetEnabled()}
	}
	if p := d.GetPlacement(); p != nil {
		x.Placement = &templatePlaceXML{AvailabilityZone: p.GetAvailabilityZone(), GroupName: p.GetGroupName(),
			Tenancy: p.GetTenancy(), PartitionNumber: p.GetPartitionNumber()}
	}
	for _, s := range d.GetTagSpecifications() {
		x.TagSpecifications = append(x.TagSpecifications, tagSpecXML{ResourceType: s.GetResourceType(), Tags: tagsXML(s.GetTags())})
	}
	if c := d.GetCreditSpecification(); c != nil {
		x.CreditSpecification = &templateCreditXML{CPUCredits: c.GetCpuCredits()}
	}
	if m := d.GetMetadataOptions(); m != nil {
		x.MetadataOptions = &templateIMDSXML{HTTPTokens: m.GetHttpTokens(), HopLimit: m.HttpPutResponseHopLimit,
			HTTPEndpoint: m.GetHttpEndpoint(), HTTPProtocolIPv6: m.GetHttpProtocolIpv6(), InstanceMetadataTags: m.GetInstanceMetadataTags()}
	}
	return x
}

func templateDeviceOut(m *ec2labv1.LaunchTemplateBlockDeviceMapping) templateDeviceXML {
	x := templateDeviceXML{DeviceName: m.GetDeviceName(), NoDevice: m.NoDevice}
	if e := m.GetEbs(); e != nil {
		x.EBS = &templateEBSXML{Encrypted: e.Encrypted, DeleteOnTermination: e.DeleteOnTermination, IOPS: e.GetIops(),
			SnapshotID: e.GetSnapshotId(), VolumeSize: e.GetVolumeSize(), VolumeType: e.GetVolumeType(), Throughput: e.GetThroughput()}
	}
	return x
}
