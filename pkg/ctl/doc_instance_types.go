package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// What every ec2lab instance type offers whatever its size (the proto's
// InstanceTypeInfo carries only what differs between types). The Query
// API answers the same values (pkg/ec2query/xml_catalog.go); the parity
// test runs the AWS CLI against it to keep the two alike.
const (
	// typeHypervisor is EC2's enum (nitro, xen): nitro is KVM, as every
	// ec2lab guest is.
	typeHypervisor = "nitro"
	// QEMU gives guests no Nitro Enclaves and no TPM device.
	typeNitroEnclaves = "unsupported"
	typeNitroTpm      = "unsupported"
	// typeThreadsPerCore: QEMU gives each vCPU its own single-threaded core.
	typeThreadsPerCore = 1
	// Volumes are virtio-blk disks (not NVMe), encrypted at rest with LUKS,
	// without a separate EBS bandwidth.
	typeEbsOptimizedSupport = "unsupported"
	typeEbsEncryption       = "supported"
	typeEbsNvme             = "unsupported"
	// Every instance has one virtio-net interface on one card, IPv4 only
	// (no ENA, EFA or IPv6).
	typeNetworkPerformance = "Up to 10 Gigabit"
	typeNetworkInterfaces  = 1
	typeIPv4PerInterface   = 1
	typeEnaSupport         = "unsupported"
)

var (
	typeUsageClasses    = []string{"on-demand"}
	typeRootDeviceTypes = []string{"ebs"}
	typeVirtTypes       = []string{"hvm"}
	typePlacementGroups = []string{"cluster", "partition", "spread"}
	typeBootModes       = []string{"legacy-bios"}
)

// docInstanceType is an EC2 InstanceTypeInfo with what the Query API
// answers, in the model's order; the ec2lab-only members come last.
func docInstanceType(t *pb.InstanceTypeInfo) any {
	o := NewObject().Set("InstanceType", t.GetInstanceType()).
		Set("CurrentGeneration", t.GetCurrentGeneration()).
		Set("FreeTierEligible", false).
		Set("SupportedUsageClasses", strList(typeUsageClasses)).
		Set("SupportedRootDeviceTypes", strList(typeRootDeviceTypes)).
		Set("SupportedVirtualizationTypes", strList(typeVirtTypes)).
		Set("BareMetal", false).
		Set("Hypervisor", typeHypervisor).
		Set("ProcessorInfo", NewObject().Set("SupportedArchitectures", strList(t.GetArchitectures()))).
		Set("VCpuInfo", docVCpuInfo(t)).
		Set("MemoryInfo", NewObject().Set("SizeInMiB", t.GetMemoryMib())).
		Set("InstanceStorageSupported", t.GetInstanceStoreGb() > 0)
	if gb := t.GetInstanceStoreGb(); gb > 0 {
		n := int64(max(t.GetInstanceStoreDisks(), 1))
		disk := NewObject().Set("SizeInGB", gb/n).Set("Count", n).Set("Type", t.GetInstanceStoreType())
		o.Set("InstanceStorageInfo", NewObject().Set("TotalSizeInGB", gb).Set("Disks", []any{disk}))
	}
	o.Set("EbsInfo", NewObject().Set("EbsOptimizedSupport", typeEbsOptimizedSupport).
		Set("EncryptionSupport", typeEbsEncryption).
		Set("NvmeSupport", typeEbsNvme)).
		Set("NetworkInfo", docNetworkInfo())
	if t.GetGpus() > 0 {
		gpu := NewObject().Set("Name", t.GetGpuName()).Set("Count", int64(t.GetGpus()))
		o.Set("GpuInfo", NewObject().Set("Gpus", []any{gpu}))
	}
	o.Set("PlacementGroupInfo", NewObject().Set("SupportedStrategies", strList(typePlacementGroups))).
		Set("HibernationSupported", false).
		Set("BurstablePerformanceSupported", t.GetBurstable()).
		Set("DedicatedHostsSupported", false).
		Set("AutoRecoverySupported", false).
		Set("SupportedBootModes", strList(typeBootModes)).
		Set("NitroEnclavesSupport", typeNitroEnclaves).
		Set("NitroTpmSupport", typeNitroTpm)
	return o.Str("Family", t.GetFamily()).
		Int("BaselineCpuPercent", int64(t.GetBaselinePercent())).
		Set("DedicatedCpu", t.GetDedicatedCpu()).
		Set("Hugepages", t.GetHugepages()).
		MarkExtra("Family", "BaselineCpuPercent", "DedicatedCpu", "Hugepages")
}

// docVCpuInfo is an EC2 VCpuInfo: one core per vCPU.
func docVCpuInfo(t *pb.InstanceTypeInfo) any {
	return NewObject().Set("DefaultVCpus", int64(t.GetVcpus())).
		Set("DefaultCores", int64(t.GetVcpus())).
		Set("DefaultThreadsPerCore", int64(typeThreadsPerCore))
}

// docNetworkInfo is the EC2 NetworkInfo of every instance type.
func docNetworkInfo() any {
	card := NewObject().Set("NetworkCardIndex", int64(0)).
		Set("NetworkPerformance", typeNetworkPerformance).
		Set("MaximumNetworkInterfaces", int64(typeNetworkInterfaces))
	return NewObject().Set("NetworkPerformance", typeNetworkPerformance).
		Set("MaximumNetworkInterfaces", int64(typeNetworkInterfaces)).
		Set("MaximumNetworkCards", int64(1)).
		Set("DefaultNetworkCardIndex", int64(0)).
		Set("NetworkCards", []any{card}).
		Set("Ipv4AddressesPerInterface", int64(typeIPv4PerInterface)).
		Set("Ipv6AddressesPerInterface", int64(0)).
		Set("Ipv6Supported", false).
		Set("EnaSupport", typeEnaSupport).
		Set("EfaSupported", false).
		Set("EncryptionInTransitSupported", false).
		Set("EnaSrdSupported", false)
}
