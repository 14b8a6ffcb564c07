package scheduler

// stage names the filter a host failed. Failing stages are ordered by how
// far a host got: a host failing stageMemory passed health, group and vCPU.
type stage uint8

const (
	stageOK stage = iota
	stageHealth
	stageGroup
	stageVCPU
	stageMemory
	stageDedicated
	stageHugepages
	stageGPU
	stageDisk
	numStages
)

// check runs every host-level filter on h for one instance, part being the
// partition it would join (0 outside partition groups). AZ rules are the
// caller's: they apply per zone, not per host.
func (s *sim) check(h *Host, part int) stage {
	return s.checkCaps(h, part, s.vcpuCap(h), s.memCap(h))
}

// checkCaps is check with h's overcommitted capacities already computed.
func (s *sim) checkCaps(h *Host, part int, vcpuCap, memCap int64) stage {
	if !h.Healthy {
		return stageHealth
	}
	if s.groupStrategy != "" && !s.groupAllows(h, part) {
		return stageGroup
	}
	t := &s.req.Type
	if int64(h.AllocatedVCPUs+t.VCPUs) > vcpuCap {
		return stageVCPU
	}
	if h.AllocatedMemoryMiB+t.MemoryMiB > memCap {
		return stageMemory
	}
	return checkDevices(h, t.DedicatedCPU, t.Hugepages, t.VCPUs, t.MemoryMiB, t.GPUs, t.InstanceStoreGB)
}

// checkDevices is the part of check that never overcommits.
func checkDevices(h *Host, dedicated, hugepages bool, vcpus int, mib int64, gpus int, diskGB int64) stage {
	switch {
	case dedicated && h.FreeDedicatedCPUs < vcpus:
		return stageDedicated
	case hugepages && h.HugepagesFreeMiB < mib:
		return stageHugepages
	case gpus > 0 && h.FreeGPUs < gpus:
		return stageGPU
	case diskGB > 0 && h.FreeLocalDiskGB < diskGB:
		return stageDisk
	}
	return stageOK
}

// groupAllows applies spread (one instance per host) and partition (a host
// serves one partition) rules. Cluster groups restrict zones, not hosts.
func (s *sim) groupAllows(h *Host, part int) bool {
	switch s.groupStrategy {
	case GroupSpread:
		return h.PlacementGroups[s.group] == 0
	case GroupPartition:
		serves := h.Partitions[s.group]
		if serves == 0 {
			// A host with group members but no partition record cannot
			// prove it is disjoint from other partitions.
			return h.PlacementGroups[s.group] == 0
		}
		return serves == part
	}
	return true
}

// vcpuCap is how many vCPUs h may allocate under the CPU overcommit ratio.
func (s *sim) vcpuCap(h *Host) int64 {
	return int64(float64(h.VCPUs) * s.pol.CPUOvercommit)
}

// memCap is how many MiB h may allocate under the memory overcommit ratio.
func (s *sim) memCap(h *Host) int64 {
	return int64(float64(h.MemoryMiB) * s.pol.MemoryOvercommit)
}
