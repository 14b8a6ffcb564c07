package hypervisor

import "testing"

// TestNVRAMOf reads the firmware of domain XMLs as libvirt writes them:
// autoselected EFI firmware before and after libvirt picked the files, an
// explicit pflash loader, a file-backed NVRAM source, and BIOS.
func TestNVRAMOf(t *testing.T) {
	tests := []struct {
		name, os, path string
		uefi           bool
	}{
		{"efi not chosen yet", `<os firmware="efi"><type>hvm</type></os>`, "", true},
		{"efi chosen", `<os firmware="efi"><type>hvm</type><loader readonly="yes" type="pflash">/usr/share/OVMF/OVMF_CODE_4M.fd</loader>` +
			`<nvram template="/usr/share/OVMF/OVMF_VARS_4M.fd">/var/lib/libvirt/qemu/nvram/i-1_VARS.fd</nvram></os>`,
			"/var/lib/libvirt/qemu/nvram/i-1_VARS.fd", true},
		{"pflash loader", `<os><type>hvm</type><loader type="pflash">/c.fd</loader><nvram>/v.fd</nvram></os>`, "/v.fd", true},
		{"file source", `<os firmware="efi"><type>hvm</type><nvram type="file"><source file="/s.fd"/></nvram></os>`, "/s.fd", true},
		{"bios", `<os><type>hvm</type><boot dev="hd"/></os>`, "", false},
		{"rom loader", `<os><type>hvm</type><loader type="rom">/bios.bin</loader></os>`, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path, uefi, err := nvramOf(`<domain type="kvm"><name>d</name>` + tt.os + `</domain>`)
			if err != nil || path != tt.path || uefi != tt.uefi {
				t.Errorf("got %q %v %v, want %q %v", path, uefi, err, tt.path, tt.uefi)
			}
		})
	}
	if _, _, err := nvramOf("<domain"); err == nil {
		t.Error("broken XML: no error")
	}
}
