// Package instancetypes owns the instance type catalog: the built-in EC2
// types with their real names and sizes, operator overrides (homelab types
// such as lab.tiny), validation, and the DescribeInstanceTypes filters.
// It is pure data and logic: no I/O.
package instancetypes

import (
	"fmt"
	"regexp"
	"strings"
)

// Family is the broad use an instance type is made for.
type Family string

// Families, in the order List returns them.
const (
	General     Family = "general"
	Compute     Family = "compute"
	Memory      Family = "memory"
	Storage     Family = "storage"
	Accelerated Family = "accelerated"
)

var familyOrder = map[Family]int{General: 0, Compute: 1, Memory: 2, Storage: 3, Accelerated: 4}

// Instance store media types.
const (
	SSD = "ssd"
	HDD = "hdd"
)

// Type describes one instance type. InstanceStoreGB is the total over all
// instance store disks (EC2's totalSizeInGB); each disk has
// InstanceStoreGB/InstanceStoreDisks GB.
type Type struct {
	Name      string `json:"name"`
	Family    Family `json:"family,omitempty"`
	VCPUs     int    `json:"vcpus"`
	MemoryMiB int64  `json:"memory_mib"`

	// Burstable types earn CPU credits; BaselinePercent is the per-vCPU
	// baseline utilisation.
	Burstable       bool `json:"burstable,omitempty"`
	BaselinePercent int  `json:"baseline_percent,omitempty"`
	// DedicatedCPU types get pinned host CPUs.
	DedicatedCPU bool `json:"dedicated_cpu,omitempty"`
	// Hugepages types have their memory backed by hugepages.
	Hugepages bool `json:"hugepages,omitempty"`

	InstanceStoreDisks int    `json:"instance_store_disks,omitempty"`
	InstanceStoreGB    int64  `json:"instance_store_gb,omitempty"`
	InstanceStoreType  string `json:"instance_store_type,omitempty"`

	GPUs    int    `json:"gpus,omitempty"`
	GPUName string `json:"gpu_name,omitempty"`

	Architectures []string `json:"architectures,omitempty"`
}

// Series is the part of the name before the dot ("t3" for "t3.micro").
func (t Type) Series() string {
	s, _, _ := strings.Cut(t.Name, ".")
	return s
}

// Size is the part of the name after the dot ("micro" for "t3.micro").
func (t Type) Size() string {
	_, s, _ := strings.Cut(t.Name, ".")
	return s
}

// InstanceStoreDiskGB is the size of one instance store disk, 0 if none.
func (t Type) InstanceStoreDiskGB() int64 {
	if t.InstanceStoreDisks == 0 {
		return 0
	}
	return t.InstanceStoreGB / int64(t.InstanceStoreDisks)
}

// HasInstanceStore reports whether the type comes with local disks.
func (t Type) HasInstanceStore() bool { return t.InstanceStoreDisks > 0 }

func (t Type) clone() Type {
	t.Architectures = append([]string(nil), t.Architectures...)
	return t
}

var nameRE = regexp.MustCompile(`^[a-z][a-z0-9-]*\.[a-z0-9][a-z0-9-]*$`)

// normalize fills defaults (family general, architecture x86_64) and
// validates t.
func normalize(t Type) (Type, error) {
	t = t.clone()
	if t.Family == "" {
		t.Family = General
	}
	if len(t.Architectures) == 0 {
		t.Architectures = []string{"x86_64"}
	}
	if err := validate(t); err != nil {
		return Type{}, fmt.Errorf("instance type %q: %w", t.Name, err)
	}
	return t, nil
}

func validate(t Type) error {
	switch {
	case !nameRE.MatchString(t.Name):
		return fmt.Errorf("name must look like family.size (e.g. lab.tiny)")
	case t.VCPUs <= 0:
		return fmt.Errorf("vcpus must be > 0, got %d", t.VCPUs)
	case t.MemoryMiB <= 0:
		return fmt.Errorf("memory_mib must be > 0, got %d", t.MemoryMiB)
	case t.BaselinePercent < 0 || t.BaselinePercent > 100:
		return fmt.Errorf("baseline_percent must be 0..100, got %d", t.BaselinePercent)
	case t.GPUs < 0:
		return fmt.Errorf("gpus must be >= 0, got %d", t.GPUs)
	}
	if _, ok := familyOrder[t.Family]; !ok {
		return fmt.Errorf("unknown family %q (want general, compute, memory, storage or accelerated)", t.Family)
	}
	return validateStore(t)
}

func validateStore(t Type) error {
	switch {
	case t.InstanceStoreDisks < 0 || t.InstanceStoreGB < 0:
		return fmt.Errorf("instance store sizes must be >= 0")
	case t.InstanceStoreDisks == 0 && (t.InstanceStoreGB != 0 || t.InstanceStoreType != ""):
		return fmt.Errorf("instance_store_gb/type set without instance_store_disks")
	case t.InstanceStoreDisks > 0 && t.InstanceStoreGB < int64(t.InstanceStoreDisks):
		return fmt.Errorf("instance_store_gb must be >= 1 GB per disk")
	case t.InstanceStoreDisks > 0 && t.InstanceStoreType != SSD && t.InstanceStoreType != HDD:
		return fmt.Errorf("instance_store_type must be ssd or hdd, got %q", t.InstanceStoreType)
	}
	return nil
}
