package controller

import (
	"context"
	"maps"

	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/scheduler"
)

// usage is the capacity instances hold, summed per host and per account
// by the record cache as records change (RunInstances reads it instead of
// walking every instance).
type usage struct {
	VCPUs, Instances, DedicatedVCPUs, PendingGPUs int
	MemoryMiB, PendingHugepagesMiB                int64
}

func (u *usage) add(v usage, sign int) {
	u.VCPUs += sign * v.VCPUs
	u.Instances += sign * v.Instances
	u.DedicatedVCPUs += sign * v.DedicatedVCPUs
	u.PendingGPUs += sign * v.PendingGPUs
	u.MemoryMiB += int64(sign) * v.MemoryMiB
	u.PendingHugepagesMiB += int64(sign) * v.PendingHugepagesMiB
}

// usageOf returns what one instance holds under the catalog (false: none,
// it is not in a capacity-holding state or its type is unknown). The
// catalog never changes after New, so a record adds and later subtracts
// the same amounts.
func usageOf(types *instancetypes.Catalog) func(*Instance) (usage, bool) {
	return func(in *Instance) (usage, bool) {
		if !consumesCapacity(in.State) {
			return usage{}, false
		}
		t, ok := types.Get(in.Type)
		if !ok {
			return usage{}, false
		}
		u := usage{VCPUs: t.VCPUs, Instances: 1, MemoryMiB: t.MemoryMiB}
		if t.DedicatedCPU {
			u.DedicatedVCPUs = t.VCPUs
		}
		if in.State == StatePending && t.GPUs > 0 {
			u.PendingGPUs = t.GPUs
		}
		if in.State == StatePending && t.Hugepages {
			u.PendingHugepagesMiB = t.MemoryMiB
		}
		return u, true
	}
}

// usageSums keeps usage per host and per account.
type usageSums struct {
	of      func(*Instance) (usage, bool)
	byHost  map[string]usage
	byOwner map[string]usage
}

func (s *usageSums) reset() { s.byHost, s.byOwner = map[string]usage{}, map[string]usage{} }

// change moves the sums from old to cur (either may be nil).
func (s *usageSums) change(old, cur *Instance) {
	for _, c := range []struct {
		in   *Instance
		sign int
	}{{old, -1}, {cur, 1}} {
		if c.in == nil {
			continue
		}
		u, ok := s.of(c.in)
		if !ok {
			continue
		}
		h, o := s.byHost[c.in.HostID], s.byOwner[c.in.Owner]
		h.add(u, c.sign)
		o.add(u, c.sign)
		s.byHost[c.in.HostID], s.byOwner[c.in.Owner] = h, o
	}
}

// applyTo charges what a host's instances hold to its scheduler view.
func (u usage) applyTo(h *scheduler.Host) {
	h.AllocatedVCPUs += u.VCPUs
	h.AllocatedMemoryMiB += u.MemoryMiB
	h.Instances += u.Instances
	h.FreeDedicatedCPUs -= u.DedicatedVCPUs
	h.FreeGPUs -= u.PendingGPUs
	h.HugepagesFreeMiB -= u.PendingHugepagesMiB
}

// schedulerUsage returns, from one cache state, the usage per host ID and
// the capacity-holding instances launched into a placement group (sorted
// by ID within each group name).
func (s *Service) schedulerUsage(ctx context.Context) (byHost map[string]usage, grouped []*Instance, err error) {
	err = s.cache.read(ctx, func() {
		byHost = maps.Clone(s.cache.use.byHost)
		for name, list := range s.cache.inst.index["pgroup"] {
			if name == "" {
				continue
			}
			for _, e := range list {
				if _, ok := s.cache.use.of(e.rec); ok {
					grouped = append(grouped, e.rec)
				}
			}
		}
	})
	return byHost, grouped, err
}

// accountUsage returns what the account's instances hold.
func (s *Service) accountUsage(ctx context.Context, acct string) (out usage, err error) {
	err = s.cache.read(ctx, func() { out = s.cache.use.byOwner[acct] })
	return out, err
}
