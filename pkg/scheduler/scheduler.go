// Package scheduler owns instance placement: given a snapshot of hosts and a
// RunInstances-shaped request it picks a host for each instance. It is pure
// (no I/O, no clock, no randomness) and deterministic: the same input gives
// the same placements. Filters: availability zone, health, vCPU and memory
// with overcommit, dedicated CPUs, hugepages, GPUs, instance store disk and
// placement-group rules. Weighers: spread (least loaded) or pack (most
// loaded), then least recently placed, then host ID.
package scheduler

import (
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/instancetypes"
)

// Host is the scheduler's view of one hypervisor host. Place never changes
// the caller's hosts; Reserve and Release apply a decision to one.
type Host struct {
	ID, AZ  string
	Healthy bool

	VCPUs              int
	MemoryMiB          int64
	AllocatedVCPUs     int
	AllocatedMemoryMiB int64

	FreeDedicatedCPUs int   // host CPUs not yet pinned
	HugepagesFreeMiB  int64 // hugepage-backed memory still free
	FreeGPUs          int
	FreeLocalDiskGB   int64 // for instance store disks

	// LastPlaced orders hosts by their last placement (a counter or unix
	// nanos); the smaller wins ties.
	LastPlaced int64
	Instances  int

	// PlacementGroups counts this host's instances per placement group.
	PlacementGroups map[string]int
	// Partitions is the partition number this host serves, per partition
	// placement group.
	Partitions map[string]int
}

// Weighing strategies.
const (
	StrategySpread = "spread" // least loaded host first (default)
	StrategyPack   = "pack"   // most loaded host that still fits first
)

// Policy holds the operator's placement settings.
type Policy struct {
	CPUOvercommit    float64 // allocatable vCPUs per host CPU; 0 means 4.0
	MemoryOvercommit float64 // allocatable MiB per host MiB; 0 means 1.0
	Strategy         string  // StrategySpread (default) or StrategyPack
}

// DefaultPolicy is 4x CPU overcommit, no memory overcommit, spread.
func DefaultPolicy() Policy {
	return Policy{CPUOvercommit: 4, MemoryOvercommit: 1, Strategy: StrategySpread}
}

func (p Policy) withDefaults() (Policy, error) {
	d := DefaultPolicy()
	if p.CPUOvercommit == 0 {
		p.CPUOvercommit = d.CPUOvercommit
	}
	if p.MemoryOvercommit == 0 {
		p.MemoryOvercommit = d.MemoryOvercommit
	}
	if p.Strategy == "" {
		p.Strategy = d.Strategy
	}
	switch {
	case p.CPUOvercommit < 1 || p.MemoryOvercommit < 1:
		return p, fmt.Errorf("overcommit ratios must be >= 1 (cpu %g, memory %g): %w",
			p.CPUOvercommit, p.MemoryOvercommit, ErrInvalidRequest)
	case p.Strategy != StrategySpread && p.Strategy != StrategyPack:
		return p, fmt.Errorf("strategy %q (want spread or pack): %w", p.Strategy, ErrInvalidRequest)
	}
	return p, nil
}

// Placement group strategies, as in EC2.
const (
	GroupCluster   = "cluster"
	GroupSpread    = "spread"
	GroupPartition = "partition"
)

// EC2 limits for placement groups.
const (
	MaxSpreadPerAZ = 7 // running instances of a spread group per AZ
	MaxPartitions  = 7 // partitions of a partition group
)

// PlacementGroup is the group a request launches into.
type PlacementGroup struct {
	Name, Strategy string
	PartitionCount int // partition groups only
}

// Request asks for MinCount..MaxCount instances of one type.
type Request struct {
	Type               instancetypes.Type
	MinCount, MaxCount int
	// AZ pins the request to one availability zone; "" spreads its
	// instances round-robin over the zones that have capacity.
	AZ              string
	Group           *PlacementGroup
	PartitionNumber int // partition groups: 0 lets the scheduler choose
}

// Placement is where one instance goes.
type Placement struct {
	HostID, AZ string
	Partition  int // partition number in a partition group, else 0
}

// ErrInvalidRequest marks requests that can never be placed because they
// are malformed; callers map it to InvalidParameterValue.
var ErrInvalidRequest = errors.New("invalid placement request")

func (r Request) validate() error {
	switch {
	case r.Type.Name == "" || r.Type.VCPUs <= 0 || r.Type.MemoryMiB <= 0:
		return fmt.Errorf("instance type %q without vCPUs or memory: %w", r.Type.Name, ErrInvalidRequest)
	case r.MinCount < 1 || r.MaxCount < r.MinCount:
		return fmt.Errorf("counts min %d max %d (want 1 <= min <= max): %w", r.MinCount, r.MaxCount, ErrInvalidRequest)
	}
	return r.validateGroup()
}

func (r Request) validateGroup() error {
	g := r.Group
	if g == nil {
		if r.PartitionNumber != 0 {
			return fmt.Errorf("partition number without a placement group: %w", ErrInvalidRequest)
		}
		return nil
	}
	if g.Name == "" {
		return fmt.Errorf("placement group without a name: %w", ErrInvalidRequest)
	}
	switch g.Strategy {
	case GroupCluster, GroupSpread:
		if r.PartitionNumber != 0 {
			return fmt.Errorf("partition number for %s group %q: %w", g.Strategy, g.Name, ErrInvalidRequest)
		}
	case GroupPartition:
		if g.PartitionCount < 1 || g.PartitionCount > MaxPartitions {
			return fmt.Errorf("group %q has %d partitions (want 1..%d): %w", g.Name, g.PartitionCount, MaxPartitions, ErrInvalidRequest)
		}
		if r.PartitionNumber < 0 || r.PartitionNumber > g.PartitionCount {
			return fmt.Errorf("partition %d of group %q (want 1..%d): %w", r.PartitionNumber, g.Name, g.PartitionCount, ErrInvalidRequest)
		}
	default:
		return fmt.Errorf("group %q strategy %q (want cluster, spread or partition): %w", g.Name, g.Strategy, ErrInvalidRequest)
	}
	return nil
}
