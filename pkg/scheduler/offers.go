package scheduler

import "github.com/ec2lab/ec2lab/pkg/instancetypes"

// Fits reports whether an empty host of capacity c could hold one instance
// of t under pol: what a zone offers (DescribeInstanceTypeOfferings), not
// what is free now. c's free fields are its capacities (host CPUs that may
// be pinned, hugepage memory, GPUs, local disk); its allocations and
// health are ignored. An invalid policy fits nothing.
func Fits(c Host, t instancetypes.Type, pol Policy) bool {
	pol, err := pol.withDefaults()
	if err != nil || t.VCPUs <= 0 || t.MemoryMiB <= 0 {
		return false
	}
	empty := c
	empty.AllocatedVCPUs, empty.AllocatedMemoryMiB = 0, 0
	s := &sim{pol: pol}
	if int64(t.VCPUs) > s.vcpuCap(&empty) || t.MemoryMiB > s.memCap(&empty) {
		return false
	}
	return checkDevices(&empty, t.DedicatedCPU, t.Hugepages, t.VCPUs, t.MemoryMiB, t.GPUs, t.InstanceStoreGB) == stageOK
}
