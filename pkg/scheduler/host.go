package scheduler

import "github.com/ec2lab/ec2lab/pkg/instancetypes"

// Reserve books one instance of t on h, in placement group group ("" for
// none) and partition (0 for none). Callers use it to apply a Placement to
// their own host records (setting LastPlaced is theirs too); Place uses it
// on its private copies.
func (h *Host) Reserve(t instancetypes.Type, group string, partition int) {
	h.AllocatedVCPUs += t.VCPUs
	h.AllocatedMemoryMiB += t.MemoryMiB
	if t.DedicatedCPU {
		h.FreeDedicatedCPUs -= t.VCPUs
	}
	if t.Hugepages {
		h.HugepagesFreeMiB -= t.MemoryMiB
	}
	h.FreeGPUs -= t.GPUs
	h.FreeLocalDiskGB -= t.InstanceStoreGB
	h.Instances++
	if group == "" {
		return
	}
	if h.PlacementGroups == nil {
		h.PlacementGroups = map[string]int{}
	}
	h.PlacementGroups[group]++
	if partition > 0 {
		if h.Partitions == nil {
			h.Partitions = map[string]int{}
		}
		h.Partitions[group] = partition
	}
}

// Release undoes Reserve. A host whose last instance of a partition group
// goes away stops serving that group's partition.
func (h *Host) Release(t instancetypes.Type, group string) {
	h.AllocatedVCPUs -= t.VCPUs
	h.AllocatedMemoryMiB -= t.MemoryMiB
	if t.DedicatedCPU {
		h.FreeDedicatedCPUs += t.VCPUs
	}
	if t.Hugepages {
		h.HugepagesFreeMiB += t.MemoryMiB
	}
	h.FreeGPUs += t.GPUs
	h.FreeLocalDiskGB += t.InstanceStoreGB
	h.Instances--
	if group == "" || h.PlacementGroups[group] == 0 {
		return
	}
	h.PlacementGroups[group]--
	if h.PlacementGroups[group] == 0 {
		delete(h.PlacementGroups, group)
		delete(h.Partitions, group)
	}
}

// clone copies h with its own maps, so Reserve on the copy leaves h alone.
func (h *Host) clone() Host {
	c := *h
	c.PlacementGroups = cloneMap(h.PlacementGroups)
	c.Partitions = cloneMap(h.Partitions)
	return c
}

func cloneMap(m map[string]int) map[string]int {
	if m == nil {
		return nil
	}
	c := make(map[string]int, len(m)+1)
	for k, v := range m {
		c[k] = v
	}
	return c
}
