package scheduler

import (
	"fmt"
	"strings"
)

// Resource names what ran short.
type Resource string

// Resources a Shortage can name.
const (
	ResourceHost           Resource = "host"            // no host in the zone(s)
	ResourceHealthyHost    Resource = "healthy-host"    // hosts exist, none healthy
	ResourcePlacementGroup Resource = "placement-group" // group rules exclude every host
	ResourceVCPU           Resource = "vcpu"
	ResourceMemory         Resource = "memory"
	ResourceDedicatedCPU   Resource = "dedicated-cpu"
	ResourceHugepages      Resource = "hugepages"
	ResourceGPU            Resource = "gpu"
	ResourceLocalDisk      Resource = "local-disk"
)

// Shortage says what stopped the next instance from fitting: the resource
// that the hosts which came closest lacked, how much one instance needs,
// and the host that had the most of it.
type Shortage struct {
	Resource Resource
	Need     int64  // per instance, in the resource's unit (vCPUs, MiB, GPUs, GB)
	BestHost string // "" when not applicable
	BestAZ   string
	BestFree int64
	Detail   string // human clause, e.g. "no host with 2 free dedicated CPUs (best: h-1 1 free)"
}

// InsufficientCapacityError means fewer than MinCount instances fit; the
// caller maps it to EC2's InsufficientInstanceCapacity.
type InsufficientCapacityError struct {
	AZ           string // the zone the request was confined to, "" if any
	InstanceType string
	MinCount     int
	Fit          int // how many would have fit (< MinCount); none were placed
	Shortage     Shortage
}

func (e *InsufficientCapacityError) Error() string {
	var b strings.Builder
	b.WriteString("Insufficient capacity")
	if e.AZ != "" {
		b.WriteString(" in " + e.AZ)
	}
	fmt.Fprintf(&b, " for %s: ", e.InstanceType)
	if e.Fit > 0 {
		fmt.Fprintf(&b, "only %d of minimum %d instances fit; ", e.Fit, e.MinCount)
	}
	b.WriteString(e.Shortage.Detail)
	return b.String()
}

func (s *sim) capacityError() *InsufficientCapacityError {
	az := s.req.AZ
	if az == "" && s.groupStrategy == GroupCluster {
		for i, in := range s.azIn {
			if in {
				az = s.azNames[i]
			}
		}
	}
	sh := s.diagnose()
	sh.Detail = s.describe(sh, az == "")
	return &InsufficientCapacityError{AZ: az, InstanceType: s.req.Type.Name,
		MinCount: s.req.MinCount, Fit: len(s.out), Shortage: sh}
}
