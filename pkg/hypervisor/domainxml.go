package hypervisor

import (
	"fmt"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"
)

// Boot modes of DomainSpec.BootMode.
const (
	BootDirectKernel = "direct-kernel"
	BootBIOS         = "bios"
	BootUEFI         = "uefi"
)

// cpuPeriod is the CFS period (µs) used for burstable quotas.
const cpuPeriod = 100000

// diskCache is the host cache mode of every file-backed disk. "none"
// (O_DIRECT) works with live external snapshots and is what libvirt considers
// safe for live migration on a shared directory; pools must therefore live on
// a filesystem with O_DIRECT support (ext4, xfs; not tmpfs).
const diskCache = "none"

// BuildDomainXML turns spec into libvirt domain XML. It is a pure function.
func BuildDomainXML(spec DomainSpec) (string, error) {
	if err := validateSpec(spec); err != nil {
		return "", err
	}
	dom := &libvirtxml.Domain{
		Type:       spec.DomainType,
		Name:       spec.Name,
		UUID:       spec.UUID,
		Memory:     &libvirtxml.DomainMemory{Value: uint(spec.MemoryMiB), Unit: "MiB"},
		VCPU:       &libvirtxml.DomainVCPU{Placement: "static", Value: uint(spec.VCPUs)},
		OS:         buildOS(spec),
		Features:   &libvirtxml.DomainFeatureList{ACPI: &libvirtxml.DomainFeature{}, APIC: &libvirtxml.DomainFeatureAPIC{}},
		CPUTune:    buildCPUTune(spec),
		OnPoweroff: "destroy",
		OnReboot:   "restart",
		OnCrash:    "destroy",
		Devices:    &libvirtxml.DomainDeviceList{},
	}
	dom.CPU = buildCPU(spec)
	if spec.Hugepages || spec.LockMemory {
		dom.MemoryBacking = &libvirtxml.DomainMemoryBacking{}
		if spec.Hugepages {
			dom.MemoryBacking.MemoryHugePages = &libvirtxml.DomainMemoryHugepages{}
		}
		if spec.LockMemory {
			dom.MemoryBacking.MemoryLocked = &libvirtxml.DomainMemoryLocked{}
		}
	}
	md, err := marshalMetadata(spec.Metadata)
	if err != nil {
		return "", err
	}
	dom.Metadata = &libvirtxml.DomainMetadata{XML: md}
	if err := addDevices(dom.Devices, spec); err != nil {
		return "", err
	}
	out, err := dom.Marshal()
	if err != nil {
		return "", fmt.Errorf("marshal domain %s: %w", spec.Name, err)
	}
	return out, nil
}

// buildCPU gives the guest one socket of VCPUs single-threaded cores, the
// topology DescribeInstances reports as CpuOptions (without it QEMU makes
// each vCPU a socket of its own); a kvm guest sees the host's CPU model.
func buildCPU(spec DomainSpec) *libvirtxml.DomainCPU {
	cpu := &libvirtxml.DomainCPU{Topology: &libvirtxml.DomainCPUTopology{
		Sockets: 1, Dies: 1, Cores: spec.VCPUs, Threads: 1}}
	if spec.DomainType == "kvm" {
		cpu.Mode = "host-passthrough"
	}
	return cpu
}

func validateSpec(spec DomainSpec) error {
	switch {
	case spec.Name == "":
		return fmt.Errorf("domain spec: empty name")
	case spec.DomainType != "kvm" && spec.DomainType != "qemu":
		return fmt.Errorf("domain %s: domain type %q: want kvm or qemu", spec.Name, spec.DomainType)
	case spec.VCPUs <= 0 || spec.MemoryMiB <= 0:
		return fmt.Errorf("domain %s: need vCPUs and memory", spec.Name)
	case len(spec.PinnedCPUs) > 0 && len(spec.PinnedCPUs) != spec.VCPUs:
		return fmt.Errorf("domain %s: %d pinned CPUs for %d vCPUs", spec.Name, len(spec.PinnedCPUs), spec.VCPUs)
	}
	for _, nic := range spec.NICs {
		if nic.Ethernet && nic.Tap == "" {
			return fmt.Errorf("domain %s: ethernet NIC %s without a tap name", spec.Name, nic.MAC)
		}
	}
	return nil
}

func buildOS(spec DomainSpec) *libvirtxml.DomainOS {
	os := &libvirtxml.DomainOS{Type: &libvirtxml.DomainOSType{Arch: "x86_64", Machine: "pc", Type: "hvm"}}
	mode := spec.BootMode
	if mode == "" && spec.Kernel != "" {
		mode = BootDirectKernel
	}
	switch mode {
	case BootDirectKernel:
		os.Kernel, os.Initrd, os.Cmdline = spec.Kernel, spec.Initrd, spec.Cmdline
	case BootUEFI:
		os.Firmware = "efi"
		os.BootDevices = []libvirtxml.DomainBootDevice{{Dev: "hd"}}
	default:
		os.BootDevices = []libvirtxml.DomainBootDevice{{Dev: "hd"}}
	}
	return os
}

// buildCPUTune maps burstable quotas and dedicated (pinned) CPUs.
func buildCPUTune(spec DomainSpec) *libvirtxml.DomainCPUTune {
	if spec.CPUQuotaPercent <= 0 && len(spec.PinnedCPUs) == 0 && spec.CPUShares <= 0 {
		return nil
	}
	t := &libvirtxml.DomainCPUTune{}
	if spec.CPUQuotaPercent > 0 {
		t.Period = &libvirtxml.DomainCPUTunePeriod{Value: cpuPeriod}
		t.Quota = &libvirtxml.DomainCPUTuneQuota{Value: cpuQuota(spec.CPUQuotaPercent)}
	}
	if shares := cpuShares(spec); shares > 0 {
		t.Shares = &libvirtxml.DomainCPUTuneShares{Value: uint(shares)}
	}
	for i, cpu := range spec.PinnedCPUs {
		t.VCPUPin = append(t.VCPUPin, libvirtxml.DomainCPUTuneVCPUPin{VCPU: uint(i), CPUSet: strconv.Itoa(cpu)})
	}
	if len(spec.PinnedCPUs) > 0 {
		t.EmulatorPin = &libvirtxml.DomainCPUTuneEmulatorPin{CPUSet: CPUSetString(spec.PinnedCPUs)}
	}
	return t
}

// cpuShares is the explicit share, or for burstable domains one that is
// proportional to the baseline (1024 per fully used vCPU).
func cpuShares(spec DomainSpec) int {
	if spec.CPUShares > 0 {
		return spec.CPUShares
	}
	return baselineShares(spec.VCPUs, spec.CPUQuotaPercent)
}

// cpuQuota is the CFS quota (µs per cpuPeriod) of each vCPU held to
// percent of a host CPU.
func cpuQuota(percent int) int64 { return int64(cpuPeriod * percent / 100) }

// baselineShares is the weight of a domain whose vcpus are held to percent
// each (0 when uncapped).
func baselineShares(vcpus, percent int) int {
	if percent <= 0 {
		return 0
	}
	return max(2, vcpus*percent*1024/100)
}

// CPUSetString renders host CPUs as a libvirt cpuset ("0,2,3").
func CPUSetString(cpus []int) string {
	s := make([]string, len(cpus))
	for i, c := range cpus {
		s[i] = strconv.Itoa(c)
	}
	return strings.Join(s, ",")
}
