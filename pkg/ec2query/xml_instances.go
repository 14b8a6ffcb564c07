package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Instance shapes (botocore: Reservation, Instance, InstanceStateChange).

type tagXML struct {
	Key   string `xml:"key"`
	Value string `xml:"value"`
}

// tagSetXML is a tagSet. EC2 writes an empty one for untagged resources
// (amazon.aws's ec2_snapshot reads Tags unconditionally), except for
// instances, whose untagged Instance has no Tags (instanceTagsXML).
type tagSetXML struct {
	Items []tagXML `xml:"item"`
}

func tagsXML(tags []*ec2labv1.Tag) *tagSetXML {
	out := &tagSetXML{Items: make([]tagXML, 0, len(tags))}
	for _, t := range tags {
		out.Items = append(out.Items, tagXML{t.GetKey(), t.GetValue()})
	}
	return out
}

// instanceTagsXML is an instance's tagSet: absent when it has no tags.
func instanceTagsXML(tags []*ec2labv1.Tag) *tagSetXML {
	if len(tags) == 0 {
		return nil
	}
	return tagsXML(tags)
}

type stateXML struct {
	Code int32  `xml:"code"`
	Name string `xml:"name"`
}

func instanceState(s *ec2labv1.InstanceState) stateXML {
	return stateXML{s.GetCode(), s.GetName()}
}

// emptySet renders as an empty list element such as <groupSet/>.
type emptySet struct{}

type placementXML struct {
	AvailabilityZone string `xml:"availabilityZone,omitempty"`
	GroupName        string `xml:"groupName,omitempty"`
	PartitionNumber  int32  `xml:"partitionNumber,omitempty"`
	HostID           string `xml:"hostId,omitempty"`
	Tenancy          string `xml:"tenancy,omitempty"`
}

type stateReasonXML struct {
	Code    string `xml:"code,omitempty"`
	Message string `xml:"message,omitempty"`
}

type instanceEbsXML struct {
	VolumeID            string `xml:"volumeId"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime,omitempty"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

type instanceBDMXML struct {
	DeviceName string         `xml:"deviceName"`
	Ebs        instanceEbsXML `xml:"ebs"`
}

type monitoringXML struct {
	State string `xml:"state"`
}

type instanceXML struct {
	InstanceID         string              `xml:"instanceId"`
	ImageID            string              `xml:"imageId"`
	State              stateXML            `xml:"instanceState"`
	PrivateDNSName     string              `xml:"privateDnsName"`
	DNSName            string              `xml:"dnsName"`
	Reason             string              `xml:"reason"`
	KeyName            string              `xml:"keyName,omitempty"`
	AmiLaunchIndex     int32               `xml:"amiLaunchIndex"`
	InstanceType       string              `xml:"instanceType"`
	LaunchTime         string              `xml:"launchTime,omitempty"`
	Placement          *placementXML       `xml:"placement,omitempty"`
	Monitoring         monitoringXML       `xml:"monitoring"`
	PrivateIPAddress   string              `xml:"privateIpAddress,omitempty"`
	IPAddress          string              `xml:"ipAddress,omitempty"`
	SubnetID           string              `xml:"subnetId,omitempty"`
	VpcID              string              `xml:"vpcId,omitempty"`
	GroupSet           groupSetXML         `xml:"groupSet"`
	SourceDestCheck    *bool               `xml:"sourceDestCheck,omitempty"`
	StateReason        *stateReasonXML     `xml:"stateReason,omitempty"`
	Architecture       string              `xml:"architecture,omitempty"`
	RootDeviceType     string              `xml:"rootDeviceType,omitempty"`
	RootDeviceName     string              `xml:"rootDeviceName,omitempty"`
	BlockDeviceMapping []instanceBDMXML    `xml:"blockDeviceMapping>item"`
	VirtualizationType string              `xml:"virtualizationType,omitempty"`
	ClientToken        string              `xml:"clientToken,omitempty"`
	TagSet             *tagSetXML          `xml:"tagSet,omitempty"`
	Hypervisor         string              `xml:"hypervisor,omitempty"`
	NetworkInterfaces  []instanceENIXML    `xml:"networkInterfaceSet>item"`
	MetadataOptions    *metadataOptionsXML `xml:"metadataOptions,omitempty"`
	instanceGuestXML
}

// instanceGuestXML is what EC2 reports of every instance's platform
// (pkg/api's guestOut says where each value comes from).
type instanceGuestXML struct {
	ProductCodes             emptySet           `xml:"productCodes"`
	EbsOptimized             bool               `xml:"ebsOptimized"`
	EnaSupport               *bool              `xml:"enaSupport,omitempty"`
	CPUOptions               *cpuOptionsXML     `xml:"cpuOptions,omitempty"`
	HibernationOptions       hibernationXML     `xml:"hibernationOptions"`
	EnclaveOptions           *enclaveOptionsXML `xml:"enclaveOptions,omitempty"`
	BootMode                 string             `xml:"bootMode,omitempty"`
	CurrentInstanceBootMode  string             `xml:"currentInstanceBootMode,omitempty"`
	PlatformDetails          string             `xml:"platformDetails,omitempty"`
	UsageOperation           string             `xml:"usageOperation,omitempty"`
	UsageOperationUpdateTime string             `xml:"usageOperationUpdateTime,omitempty"`
}

type cpuOptionsXML struct {
	CoreCount      int32 `xml:"coreCount"`
	ThreadsPerCore int32 `xml:"threadsPerCore"`
}

type hibernationXML struct {
	Configured bool `xml:"configured"`
}

func instanceGuest(in *ec2labv1.Instance) instanceGuestXML {
	x := instanceGuestXML{EbsOptimized: in.GetEbsOptimized(),
		HibernationOptions: hibernationXML{in.GetHibernationConfigured()},
		BootMode:           in.GetBootMode(), CurrentInstanceBootMode: in.GetCurrentInstanceBootMode(),
		PlatformDetails: in.GetPlatformDetails(), UsageOperation: in.GetUsageOperation(),
		UsageOperationUpdateTime: xmlTime(in.GetUsageOperationUpdateTime())}
	if in.GetEnaSupport() {
		x.EnaSupport = new(true)
	}
	if c := in.GetCpuOptions(); c != nil {
		x.CPUOptions = &cpuOptionsXML{c.GetCoreCount(), c.GetThreadsPerCore()}
	}
	if e := in.GetEnclaveOptions(); e != nil {
		x.EnclaveOptions = &enclaveOptionsXML{e.GetEnabled()}
	}
	return x
}

func instance(in *ec2labv1.Instance) instanceXML {
	x := instanceXML{
		InstanceID: in.GetInstanceId(), ImageID: in.GetImageId(), State: instanceState(in.GetState()),
		PrivateDNSName: in.GetPrivateDnsName(), Reason: in.GetStateTransitionReason(),
		KeyName: in.GetKeyName(), AmiLaunchIndex: in.GetAmiLaunchIndex(), InstanceType: in.GetInstanceType(),
		LaunchTime: xmlTime(in.GetLaunchTime()), Monitoring: monitoringXML{"disabled"},
		PrivateIPAddress: in.GetPrivateIpAddress(), IPAddress: in.GetPublicIpAddress(), SubnetID: in.GetSubnetId(), VpcID: in.GetVpcId(),
		Architecture: in.GetArchitecture(), RootDeviceType: in.GetRootDeviceType(), RootDeviceName: in.GetRootDeviceName(),
		VirtualizationType: in.GetVirtualizationType(), ClientToken: in.GetClientToken(),
		TagSet: instanceTagsXML(in.GetTags()), Hypervisor: in.GetHypervisor(), GroupSet: groupSet(in.GetSecurityGroups()),
		MetadataOptions: metadataOptions(in.GetMetadataOptions()), instanceGuestXML: instanceGuest(in),
	}
	if p := in.GetPlacement(); p != nil {
		x.Placement = &placementXML{p.GetAvailabilityZone(), p.GetGroupName(), p.GetPartitionNumber(), p.GetHostId(), p.GetTenancy()}
	}
	if r := in.GetStateReason(); r != nil {
		x.StateReason = &stateReasonXML{r.GetCode(), r.GetMessage()}
	}
	x.NetworkInterfaces, x.SourceDestCheck = networkInterfaces(in), primarySourceDestCheck(in)
	x.BlockDeviceMapping = instanceBDMs(in.GetBlockDeviceMappings())
	return x
}

func instanceBDMs(list []*ec2labv1.InstanceBlockDeviceMapping) []instanceBDMXML {
	var out []instanceBDMXML
	for _, b := range list {
		out = append(out, instanceBDMXML{b.GetDeviceName(), instanceEbsXML{
			VolumeID: b.GetVolumeId(), Status: b.GetStatus(), AttachTime: xmlTime(b.GetAttachTime()),
			DeleteOnTermination: b.GetDeleteOnTermination()}})
	}
	return out
}

type instanceSet struct {
	Items []instanceXML `xml:"item"`
}

// reservationXML is both RunInstances' body and a reservationSet item.
type reservationXML struct {
	ReservationID string      `xml:"reservationId"`
	OwnerID       string      `xml:"ownerId"`
	GroupSet      emptySet    `xml:"groupSet"`
	InstancesSet  instanceSet `xml:"instancesSet"`
}

func reservation(r *ec2labv1.Reservation) reservationXML {
	x := reservationXML{ReservationID: r.GetReservationId(), OwnerID: r.GetOwnerId()}
	for _, in := range r.GetInstances() {
		x.InstancesSet.Items = append(x.InstancesSet.Items, instance(in))
	}
	return x
}

type runInstancesBody struct {
	meta
	reservationXML
}

func runInstancesXML(r *ec2labv1.Reservation) body {
	return &runInstancesBody{reservationXML: reservation(r)}
}

type describeInstancesBody struct {
	meta
	ReservationSet struct {
		Items []reservationXML `xml:"item"`
	} `xml:"reservationSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeInstancesXML(r *ec2labv1.DescribeInstancesResponse) body {
	b := &describeInstancesBody{NextToken: r.GetNextToken()}
	for _, res := range r.GetReservations() {
		b.ReservationSet.Items = append(b.ReservationSet.Items, reservation(res))
	}
	return b
}

type stateChangeXML struct {
	InstanceID    string   `xml:"instanceId"`
	CurrentState  stateXML `xml:"currentState"`
	PreviousState stateXML `xml:"previousState"`
}

type stateChangesBody struct {
	meta
	InstancesSet struct {
		Items []stateChangeXML `xml:"item"`
	} `xml:"instancesSet"`
}

func stateChangesXML(r *ec2labv1.InstanceStateChanges) body {
	b := &stateChangesBody{}
	for _, c := range r.GetInstances() {
		b.InstancesSet.Items = append(b.InstancesSet.Items, stateChangeXML{
			c.GetInstanceId(), instanceState(c.GetCurrentState()), instanceState(c.GetPreviousState())})
	}
	return b
}
