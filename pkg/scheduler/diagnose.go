package scheduler

import "fmt"

// diagnose rescans the hosts after a failed placement and reports the
// deepest filter stage any host reached, with the host that had the most of
// the resource that stage checks.
func (s *sim) diagnose() Shortage {
	var bestFree [numStages]int64
	var bestHost [numStages]*Host
	deepest := stageOK
	cur := 0
	for i := range s.hosts {
		h := s.view(i, &cur)
		if _, open := s.zoneOf(i, h); !open {
			continue
		}
		st := s.check(h, s.failPart)
		if st == stageOK {
			continue
		}
		free := s.free(st, h)
		if bestHost[st] == nil || free > bestFree[st] {
			bestFree[st], bestHost[st] = free, h
		}
		deepest = max(deepest, st)
	}
	if deepest == stageOK {
		return s.zoneShortage()
	}
	sh := Shortage{Resource: stageResource[deepest], Need: s.need(deepest), BestFree: bestFree[deepest]}
	if h := bestHost[deepest]; h != nil && deepest > stageGroup {
		sh.BestHost, sh.BestAZ = h.ID, h.AZ
	}
	return sh
}

// zoneShortage explains a failure where no host was even considered.
func (s *sim) zoneShortage() Shortage {
	for i, in := range s.azIn {
		if in && s.spreadFull(i) {
			return Shortage{Resource: ResourcePlacementGroup, Need: 1, BestAZ: s.azNames[i]}
		}
	}
	return Shortage{Resource: ResourceHost, Need: 1}
}

var stageResource = [numStages]Resource{
	stageHealth: ResourceHealthyHost, stageGroup: ResourcePlacementGroup,
	stageVCPU: ResourceVCPU, stageMemory: ResourceMemory, stageDedicated: ResourceDedicatedCPU,
	stageHugepages: ResourceHugepages, stageGPU: ResourceGPU, stageDisk: ResourceLocalDisk,
}

// free is how much of stage st's resource h has left.
func (s *sim) free(st stage, h *Host) int64 {
	switch st {
	case stageVCPU:
		return s.vcpuCap(h) - int64(h.AllocatedVCPUs)
	case stageMemory:
		return s.memCap(h) - h.AllocatedMemoryMiB
	case stageDedicated:
		return int64(h.FreeDedicatedCPUs)
	case stageHugepages:
		return h.HugepagesFreeMiB
	case stageGPU:
		return int64(h.FreeGPUs)
	case stageDisk:
		return h.FreeLocalDiskGB
	}
	return 0
}

// need is how much of stage st's resource one instance needs.
func (s *sim) need(st stage) int64 {
	t := s.req.Type
	switch st {
	case stageVCPU, stageDedicated:
		return int64(t.VCPUs)
	case stageMemory, stageHugepages:
		return t.MemoryMiB
	case stageGPU:
		return int64(t.GPUs)
	case stageDisk:
		return t.InstanceStoreGB
	}
	return 1
}

// describe renders sh as the clause after "Insufficient capacity ...: ".
// withAZ adds the best host's zone when the request spans zones.
func (s *sim) describe(sh Shortage, withAZ bool) string {
	best := ""
	if sh.BestHost != "" {
		best = sh.BestHost
		if withAZ {
			best += " in " + sh.BestAZ
		}
	}
	switch sh.Resource {
	case ResourceHost:
		if s.req.AZ != "" {
			return "no hosts in availability zone " + s.req.AZ
		}
		return "no hosts"
	case ResourceHealthyHost:
		return "no healthy host"
	case ResourcePlacementGroup:
		return s.describeGroup(sh)
	case ResourceVCPU:
		return fmt.Sprintf("no host with %d free vCPUs at %gx CPU overcommit (best: %s %d free)",
			sh.Need, s.pol.CPUOvercommit, best, sh.BestFree)
	case ResourceMemory:
		return fmt.Sprintf("no host with %d MiB free memory at %gx memory overcommit (best: %s %d MiB free)",
			sh.Need, s.pol.MemoryOvercommit, best, sh.BestFree)
	case ResourceDedicatedCPU:
		return fmt.Sprintf("no host with %d free dedicated CPUs (best: %s %d free)", sh.Need, best, sh.BestFree)
	case ResourceHugepages:
		return fmt.Sprintf("no host with %d MiB hugepages free (best: %s %d MiB free)", sh.Need, best, sh.BestFree)
	case ResourceGPU:
		return fmt.Sprintf("no host with %d free GPUs (best: %s %d free)", sh.Need, best, sh.BestFree)
	default:
		return fmt.Sprintf("no host with %d GB free local disk for instance store (best: %s %d GB free)",
			sh.Need, best, sh.BestFree)
	}
}

func (s *sim) describeGroup(sh Shortage) string {
	switch {
	case sh.BestAZ != "":
		return fmt.Sprintf("spread placement group %q already has %d instances in %s (limit %d per availability zone)",
			s.group, s.azGroup[s.zoneIndex(sh.BestAZ)], sh.BestAZ, MaxSpreadPerAZ)
	case s.groupStrategy == GroupSpread:
		return fmt.Sprintf("every host already runs an instance of spread placement group %q", s.group)
	default:
		return fmt.Sprintf("no host free to serve partition %d of placement group %q", s.failPart, s.group)
	}
}
