package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"libvirt.org/go/libvirtxml"
)

// NVRAM reads the NVRAM file the domain's XML names (libvirt keeps it on
// the host, where the agent runs, and makes it from the firmware's
// template at the first boot).
func (h *Libvirt) NVRAM(ctx context.Context, name string) ([]byte, bool, error) {
	x, err := h.XML(ctx, name)
	if err != nil {
		return nil, false, err
	}
	path, uefi, err := nvramOf(x)
	if err != nil || !uefi || path == "" {
		return nil, uefi, err
	}
	b, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, true, nil
	}
	if err != nil {
		return nil, true, fmt.Errorf("nvram of %s: %w", name, err)
	}
	return b, true, nil
}

// nvramOf reads a domain XML's firmware: whether it boots with UEFI (EFI
// firmware, or a pflash loader) and the path of its NVRAM file ("" when
// libvirt has not chosen it yet).
func nvramOf(x string) (string, bool, error) {
	var d libvirtxml.Domain
	if err := d.Unmarshal(x); err != nil {
		return "", false, fmt.Errorf("parse domain XML: %w", err)
	}
	fw := d.OS
	if fw == nil {
		return "", false, nil
	}
	uefi := fw.Firmware == "efi" || fw.Loader != nil && fw.Loader.Type == "pflash"
	if !uefi || fw.NVRam == nil {
		return "", uefi, nil
	}
	if fw.NVRam.NVRam != "" {
		return fw.NVRam.NVRam, true, nil
	}
	if src := fw.NVRam.Source; src != nil && src.File != nil {
		return src.File.File, true, nil
	}
	return "", true, nil
}
