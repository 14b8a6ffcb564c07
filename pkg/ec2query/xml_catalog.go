package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Catalog shapes (botocore: InstanceTypeInfo, Region, AvailabilityZone,
// AccountAttribute).

type itemStrings struct {
	Items []string `xml:"item"`
}

type diskXML struct {
	SizeInGB int64  `xml:"sizeInGB"`
	Count    int32  `xml:"count"`
	Type     string `xml:"type"`
}

type storageInfoXML struct {
	TotalSizeInGB int64     `xml:"totalSizeInGB"`
	Disks         []diskXML `xml:"disks>item"`
}

type gpuXML struct {
	Name  string `xml:"name"`
	Count int32  `xml:"count"`
}

type instanceTypeXML struct {
	InstanceType                  string          `xml:"instanceType"`
	CurrentGeneration             bool            `xml:"currentGeneration"`
	SupportedUsageClasses         itemStrings     `xml:"supportedUsageClasses"`
	SupportedRootDeviceTypes      itemStrings     `xml:"supportedRootDeviceTypes"`
	SupportedVirtualizationTypes  itemStrings     `xml:"supportedVirtualizationTypes"`
	BareMetal                     bool            `xml:"bareMetal"`
	Hypervisor                    string          `xml:"hypervisor,omitempty"`
	ProcessorInfo                 processorXML    `xml:"processorInfo"`
	VCPUInfo                      vcpuXML         `xml:"vCpuInfo"`
	MemoryInfo                    memoryXML       `xml:"memoryInfo"`
	InstanceStorageSupported      bool            `xml:"instanceStorageSupported"`
	InstanceStorageInfo           *storageInfoXML `xml:"instanceStorageInfo,omitempty"`
	GPUs                          []gpuXML        `xml:"gpuInfo>gpus>item"`
	EBSInfo                       ebsInfoXML      `xml:"ebsInfo"`
	NetworkInfo                   networkInfoXML  `xml:"networkInfo"`
	PlacementGroupInfo            itemStrings     `xml:"placementGroupInfo>supportedStrategies"`
	HibernationSupported          bool            `xml:"hibernationSupported"`
	BurstablePerformanceSupported bool            `xml:"burstablePerformanceSupported"`
	DedicatedHostsSupported       bool            `xml:"dedicatedHostsSupported"`
	AutoRecoverySupported         bool            `xml:"autoRecoverySupported"`
	SupportedBootModes            itemStrings     `xml:"supportedBootModes"`
	FreeTierEligible              bool            `xml:"freeTierEligible"`
	NitroEnclavesSupport          string          `xml:"nitroEnclavesSupport"`
	NitroTpmSupport               string          `xml:"nitroTpmSupport"`
}

// ebsInfoXML is how volumes reach the guest: virtio-blk disks (not NVMe),
// encryption at rest supported (LUKS), no separate EBS bandwidth.
type ebsInfoXML struct {
	EBSOptimizedSupport string `xml:"ebsOptimizedSupport"`
	EncryptionSupport   string `xml:"encryptionSupport"`
	NVMeSupport         string `xml:"nvmeSupport"`
}

// networkInfoXML describes the one virtio NIC every instance gets.
type networkInfoXML struct {
	NetworkPerformance           string           `xml:"networkPerformance"`
	MaximumNetworkInterfaces     int32            `xml:"maximumNetworkInterfaces"`
	MaximumNetworkCards          int32            `xml:"maximumNetworkCards"`
	DefaultNetworkCardIndex      int32            `xml:"defaultNetworkCardIndex"`
	NetworkCards                 []networkCardXML `xml:"networkCards>item"`
	IPv4AddressesPerInterface    int32            `xml:"ipv4AddressesPerInterface"`
	IPv6AddressesPerInterface    int32            `xml:"ipv6AddressesPerInterface"`
	IPv6Supported                bool             `xml:"ipv6Supported"`
	ENASupport                   string           `xml:"enaSupport"`
	EFASupported                 bool             `xml:"efaSupported"`
	EncryptionInTransitSupported bool             `xml:"encryptionInTransitSupported"`
	ENASrdSupported              bool             `xml:"enaSrdSupported"`
}

type networkCardXML struct {
	NetworkCardIndex         int32  `xml:"networkCardIndex"`
	NetworkPerformance       string `xml:"networkPerformance"`
	MaximumNetworkInterfaces int32  `xml:"maximumNetworkInterfaces"`
}

type processorXML struct {
	SupportedArchitectures itemStrings `xml:"supportedArchitectures"`
}

type vcpuXML struct {
	DefaultVCPUs          int32 `xml:"defaultVCpus"`
	DefaultCores          int32 `xml:"defaultCores"`
	DefaultThreadsPerCore int32 `xml:"defaultThreadsPerCore"`
}

type memoryXML struct {
	SizeInMiB int64 `xml:"sizeInMiB"`
}

// oneVirtioNIC is the network of every instance type: one virtio-net
// interface on one card, IPv4 only (no ENA, EFA or IPv6).
var oneVirtioNIC = networkInfoXML{
	NetworkPerformance: "Up to 10 Gigabit", MaximumNetworkInterfaces: 1, MaximumNetworkCards: 1,
	NetworkCards:              []networkCardXML{{0, "Up to 10 Gigabit", 1}},
	IPv4AddressesPerInterface: 1, ENASupport: "unsupported",
}

func instanceType(t *ec2labv1.InstanceTypeInfo) instanceTypeXML {
	x := instanceTypeXML{
		InstanceType: t.GetInstanceType(), CurrentGeneration: t.GetCurrentGeneration(),
		SupportedUsageClasses:        itemStrings{[]string{"on-demand"}},
		SupportedRootDeviceTypes:     itemStrings{[]string{"ebs"}},
		SupportedVirtualizationTypes: itemStrings{[]string{"hvm"}},
		// EC2's enum knows nitro and xen; nitro is KVM, as every ec2lab guest is.
		Hypervisor:    "nitro",
		ProcessorInfo: processorXML{itemStrings{t.GetArchitectures()}},
		// one thread per core: QEMU gives each vCPU its own single-threaded core
		VCPUInfo:                      vcpuXML{t.GetVcpus(), t.GetVcpus(), 1},
		MemoryInfo:                    memoryXML{t.GetMemoryMib()},
		InstanceStorageSupported:      t.GetInstanceStoreGb() > 0,
		BurstablePerformanceSupported: t.GetBurstable(),
		EBSInfo:                       ebsInfoXML{"unsupported", "supported", "unsupported"},
		NetworkInfo:                   oneVirtioNIC,
		PlacementGroupInfo:            itemStrings{[]string{"cluster", "partition", "spread"}},
		SupportedBootModes:            itemStrings{[]string{"legacy-bios"}},
		// QEMU gives guests no Nitro Enclaves and no TPM device.
		NitroEnclavesSupport: "unsupported",
		NitroTpmSupport:      "unsupported",
	}
	if gb, n := t.GetInstanceStoreGb(), t.GetInstanceStoreDisks(); gb > 0 {
		n = max(n, 1)
		x.InstanceStorageInfo = &storageInfoXML{TotalSizeInGB: gb,
			Disks: []diskXML{{SizeInGB: gb / int64(n), Count: n, Type: t.GetInstanceStoreType()}}}
	}
	if t.GetGpus() > 0 {
		x.GPUs = []gpuXML{{Name: t.GetGpuName(), Count: t.GetGpus()}}
	}
	return x
}

type describeInstanceTypesBody struct {
	meta
	InstanceTypeSet struct {
		Items []instanceTypeXML `xml:"item"`
	} `xml:"instanceTypeSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeInstanceTypesXML(r *ec2labv1.DescribeInstanceTypesResponse) body {
	b := &describeInstanceTypesBody{NextToken: r.GetNextToken()}
	for _, t := range r.GetInstanceTypes() {
		b.InstanceTypeSet.Items = append(b.InstanceTypeSet.Items, instanceType(t))
	}
	return b
}

type regionXML struct {
	RegionName     string `xml:"regionName"`
	RegionEndpoint string `xml:"regionEndpoint"`
	OptInStatus    string `xml:"optInStatus,omitempty"`
}

type describeRegionsBody struct {
	meta
	RegionInfo struct {
		Items []regionXML `xml:"item"`
	} `xml:"regionInfo"`
}

func describeRegionsXML(r *ec2labv1.DescribeRegionsResponse) body {
	b := &describeRegionsBody{}
	for _, g := range r.GetRegions() {
		b.RegionInfo.Items = append(b.RegionInfo.Items, regionXML{g.GetRegionName(), g.GetEndpoint(), g.GetOptInStatus()})
	}
	return b
}

type zoneMessageXML struct {
	Message string `xml:"message"`
}

type zoneXML struct {
	ZoneName           string           `xml:"zoneName"`
	ZoneState          string           `xml:"zoneState"`
	RegionName         string           `xml:"regionName"`
	ZoneID             string           `xml:"zoneId,omitempty"`
	ZoneType           string           `xml:"zoneType,omitempty"`
	Messages           []zoneMessageXML `xml:"messageSet>item"`
	OptInStatus        string           `xml:"optInStatus,omitempty"`
	GroupName          string           `xml:"groupName,omitempty"`
	NetworkBorderGroup string           `xml:"networkBorderGroup,omitempty"`
}

type describeZonesBody struct {
	meta
	Info struct {
		Items []zoneXML `xml:"item"`
	} `xml:"availabilityZoneInfo"`
}

func describeZonesXML(r *ec2labv1.DescribeAvailabilityZonesResponse) body {
	b := &describeZonesBody{}
	for _, z := range r.GetAvailabilityZones() {
		x := zoneXML{ZoneName: z.GetZoneName(), ZoneState: z.GetState(), RegionName: z.GetRegionName(),
			ZoneID: z.GetZoneId(), ZoneType: z.GetZoneType(), OptInStatus: z.GetOptInStatus(),
			GroupName: z.GetGroupName(), NetworkBorderGroup: z.GetNetworkBorderGroup()}
		for _, m := range z.GetMessages() {
			x.Messages = append(x.Messages, zoneMessageXML{m})
		}
		b.Info.Items = append(b.Info.Items, x)
	}
	return b
}
