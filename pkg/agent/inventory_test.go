package agent

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
)

// TestPCIGPUs: only display controllers in an IOMMU group that are not
// the host's boot display are offered for passthrough.
func TestPCIGPUs(t *testing.T) {
	root := t.TempDir()
	dev := func(addr, class, bootVGA string, group int) {
		d := filepath.Join(root, "bus/pci/devices", addr)
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		files := map[string]string{"class": class + "\n", "vendor": "0x10de\n", "device": "0x2330\n"}
		if bootVGA != "" {
			files["boot_vga"] = bootVGA + "\n"
		}
		for name, v := range files {
			if err := os.WriteFile(filepath.Join(d, name), []byte(v), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		if group >= 0 {
			target := "../../../kernel/iommu_groups/" + strconv.Itoa(group)
			if err := os.Symlink(target, filepath.Join(d, "iommu_group")); err != nil {
				t.Fatal(err)
			}
		}
	}
	dev("0000:00:02.0", "0x030000", "1", 1)  // the host's console display
	dev("0000:17:00.0", "0x030200", "0", 42) // a data-centre GPU
	dev("0000:18:00.0", "0x030200", "", -1)  // no IOMMU group: VFIO cannot take it
	dev("0000:19:00.0", "0x020000", "", 7)   // a NIC
	gpus := pciGPUs(root)
	if len(gpus) != 1 || gpus[0].GetPciAddress() != "0000:17:00.0" || gpus[0].GetIommuGroup() != 42 ||
		gpus[0].GetVendorId() != "0x10de" || gpus[0].GetDeviceId() != "0x2330" {
		t.Errorf("pciGPUs = %v, want only 0000:17:00.0 in group 42", gpus)
	}
}
