package scheduler

// cand is a host that passed every filter, with what the weighers need.
type cand struct {
	idx   int     // index in the caller's hosts
	host  *Host   // current state (the private copy once touched)
	load  float64 // allocated share, the larger of vCPU and memory
	group int     // instances of the request's cluster group on the host
}

// loadOf is h's dominant allocated share of its overcommitted capacity.
func loadOf(h *Host, vcpuCap, memCap int64) float64 {
	if vcpuCap <= 0 || memCap <= 0 {
		return 1
	}
	cpu := float64(h.AllocatedVCPUs) / float64(vcpuCap)
	mem := float64(h.AllocatedMemoryMiB) / float64(memCap)
	return max(cpu, mem)
}

// better reports whether a should be chosen over b: cluster groups prefer
// hosts already holding the group, then the policy's strategy (spread:
// lower load, pack: higher load), then the least recently placed host, then
// the smaller host ID.
func (s *sim) better(a, b *cand) bool {
	if a.group != b.group {
		return a.group > b.group
	}
	if a.load != b.load {
		if s.pack {
			return a.load > b.load
		}
		return a.load < b.load
	}
	if a.host.LastPlaced != b.host.LastPlaced {
		return a.host.LastPlaced < b.host.LastPlaced
	}
	if a.host.ID != b.host.ID {
		return a.host.ID < b.host.ID
	}
	return a.idx < b.idx
}

// worseLoad reports whether load a loses to load b under the strategy.
func (s *sim) worseLoad(a, b float64) bool {
	if s.pack {
		return a < b
	}
	return a > b
}
