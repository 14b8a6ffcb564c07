package agent

import (
	"context"
	"fmt"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
)

// hostUse is what running domains (of any prefix) on this libvirtd hold.
type hostUse struct {
	cpus map[int]string    // pinned host CPU → domain
	gpus map[string]string // PCI address → domain
}

// inUse scans every active domain except self.
func (a *Agent) inUse(ctx context.Context, self string) (hostUse, error) {
	u := hostUse{cpus: map[int]string{}, gpus: map[string]string{}}
	doms, err := a.hv.List(ctx, "")
	if err != nil {
		return u, err
	}
	for _, d := range doms {
		if d.Name == self || d.State == hypervisor.StateStopped {
			continue
		}
		x, err := a.hv.XML(ctx, d.Name)
		if err != nil {
			continue // gone meanwhile
		}
		var dom libvirtxml.Domain
		if err := dom.Unmarshal(x); err != nil {
			return u, fmt.Errorf("parse XML of %s: %w", d.Name, err)
		}
		for _, c := range pinnedCPUs(&dom) {
			u.cpus[c] = d.Name
		}
		for _, g := range domainGPUs(&dom) {
			u.gpus[g] = d.Name
		}
	}
	return u, nil
}

// pinnedCPUs lists the host CPUs a domain's vCPUs are pinned to.
func pinnedCPUs(d *libvirtxml.Domain) []int {
	if d.CPUTune == nil {
		return nil
	}
	var out []int
	for _, p := range d.CPUTune.VCPUPin {
		out = append(out, parseCPUSet(p.CPUSet)...)
	}
	return out
}

// parseCPUSet reads "0-2,5" (exclusions "^n" are ignored).
func parseCPUSet(s string) []int {
	var out []int
	for _, part := range strings.Split(s, ",") {
		lo, hi, isRange := strings.Cut(strings.TrimSpace(part), "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			continue
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				continue
			}
		}
		for c := a; c <= b; c++ {
			out = append(out, c)
		}
	}
	return out
}

func domainGPUs(d *libvirtxml.Domain) []string {
	if d.Devices == nil {
		return nil
	}
	var out []string
	for _, h := range d.Devices.Hostdevs {
		if h.SubsysPCI != nil && h.SubsysPCI.Source != nil && h.SubsysPCI.Source.Address != nil {
			a := h.SubsysPCI.Source.Address
			out = append(out, fmt.Sprintf("%04x:%02x:%02x.%x", *a.Domain, *a.Bus, *a.Slot, *a.Function))
		}
	}
	return out
}

// allocate checks and reserves host resources for s (caller holds allocMu).
func (a *Agent) allocate(ctx context.Context, s *instanceSpec) error {
	if s.Domain.Hugepages {
		if _, free := hugepages(); free*2 < s.Domain.MemoryMiB {
			return capacity("not enough free hugepages on host: %d MiB free, %d MiB needed", free*2, s.Domain.MemoryMiB)
		}
	}
	if !s.Dedicated && s.GPUCount == 0 {
		return nil
	}
	use, err := a.inUse(ctx, s.Domain.Name)
	if err != nil {
		return err
	}
	if s.Dedicated {
		cpus, err := pickCPUs(s.Domain.PinnedCPUs, s.Domain.VCPUs, use.cpus)
		if err != nil {
			return err
		}
		s.Domain.PinnedCPUs = cpus
	}
	if s.GPUCount > 0 {
		gpus, err := pickGPUs(s.GPUCount, use.gpus)
		if err != nil {
			return err
		}
		s.Domain.GPUs = gpus
	}
	return nil
}

// pickCPUs keeps the current pins when all are still free, else picks n
// free host CPUs.
func pickCPUs(current []int, n int, used map[int]string) ([]int, error) {
	if len(current) == n && !slices.ContainsFunc(current, func(c int) bool { _, u := used[c]; return u }) {
		return current, nil
	}
	var free []int
	for c := 0; c < runtime.NumCPU() && len(free) < n; c++ {
		if _, u := used[c]; !u {
			free = append(free, c)
		}
	}
	if len(free) < n {
		return nil, capacity("not enough free host CPUs to dedicate: %d needed, %d of %d pinned already", n, len(used), runtime.NumCPU())
	}
	return free, nil
}

func pickGPUs(n int, used map[string]string) ([]string, error) {
	var free []string
	for _, g := range hostGPUs() {
		if _, u := used[g.PciAddress]; !u && len(free) < n {
			free = append(free, g.PciAddress)
		}
	}
	if len(free) < n {
		return nil, capacity("no free GPU on host: %d needed, %d free", n, len(free))
	}
	return free, nil
}
