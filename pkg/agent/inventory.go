package agent

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// versioner is implemented by hypervisors that can report libvirt's version.
type versioner interface {
	LibVersion(ctx context.Context) (string, error)
}

// Inventory describes the host's capacity and what is in use.
func (a *Agent) Inventory(ctx context.Context) (*agentv1.Inventory, error) {
	total, free := hugepages()
	inv := &agentv1.Inventory{
		HostId: a.cfg.HostID, Region: a.cfg.Region, AvailabilityZone: a.cfg.AZ,
		DomainType: a.cfg.DomainType.Type, DomainTypeReason: a.cfg.DomainType.Reason,
		Vcpus: int32(runtime.NumCPU()), MemoryMib: meminfo("MemTotal") / 1024,
		HugepagesTotal: total, HugepagesFree: free,
		AgentVersion: a.cfg.Version,
	}
	if a.cfg.VTEP.IsValid() {
		inv.VtepAddress = a.cfg.VTEP.String()
	}
	for _, p := range []struct {
		name   string
		shared bool
	}{{"shared", true}, {"local", false}} {
		pool := a.pool(!p.shared)
		f, t, err := pool.Usage()
		if err != nil {
			return nil, err
		}
		inv.Pools = append(inv.Pools, &agentv1.StoragePool{Name: p.name, Path: pool.Dir, FreeBytes: f, TotalBytes: t, Shared: p.shared})
	}
	use, err := a.inUse(ctx, "")
	if err != nil {
		return nil, err
	}
	for c := range use.cpus {
		inv.PinnedCpus = append(inv.PinnedCpus, int32(c))
	}
	slices.Sort(inv.PinnedCpus)
	for _, g := range hostGPUs() {
		g.UsedBy = strings.TrimPrefix(use.gpus[g.PciAddress], a.cfg.DomainPrefix)
		inv.Gpus = append(inv.Gpus, g)
	}
	if v, ok := a.hv.(versioner); ok {
		inv.LibvirtVersion, _ = v.LibVersion(ctx)
	}
	return inv, nil
}

// GetInventory serves Host.GetInventory.
func (a *Agent) GetInventory(ctx context.Context, _ *agentv1.GetInventoryRequest) (*agentv1.Inventory, error) {
	return a.Inventory(ctx)
}

// meminfo returns a /proc/meminfo value (kB for sizes, a count for pages).
func meminfo(key string) int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && k == key {
			n, _ := strconv.ParseInt(strings.Fields(v)[0], 10, 64)
			return n
		}
	}
	return 0
}

// hugepages returns the total and free default-size (2 MiB) hugepages.
func hugepages() (total, free int64) {
	return meminfo("HugePages_Total"), meminfo("HugePages_Free")
}

// hostGPUs lists the host's GPUs usable for passthrough.
func hostGPUs() []*agentv1.Gpu { return pciGPUs("/sys") }

// pciGPUs lists the PCI display controllers (class 0x03xxxx) under the
// sysfs at root that can be passed through: in an IOMMU group (VFIO needs
// one) and not the host's boot display (boot_vga 1: its console).
func pciGPUs(root string) []*agentv1.Gpu {
	devs, _ := filepath.Glob(filepath.Join(root, "bus/pci/devices/*"))
	var out []*agentv1.Gpu
	for _, d := range devs {
		if !strings.HasPrefix(sysfs(d, "class"), "0x03") || sysfs(d, "boot_vga") == "1" {
			continue
		}
		link, err := os.Readlink(filepath.Join(d, "iommu_group"))
		if err != nil {
			continue
		}
		n, err := strconv.Atoi(filepath.Base(link))
		if err != nil {
			continue
		}
		out = append(out, &agentv1.Gpu{PciAddress: filepath.Base(d), VendorId: sysfs(d, "vendor"),
			DeviceId: sysfs(d, "device"), IommuGroup: int32(n)})
	}
	return out
}

func sysfs(dir, name string) string {
	b, _ := os.ReadFile(filepath.Join(dir, name))
	return strings.TrimSpace(string(b))
}
