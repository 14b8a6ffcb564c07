package memhv

import (
	"bytes"
	"context"
)

// NVRAM answers the variable store SetNVRAM gave a domain booting with
// UEFI firmware (firmware="efi" or a pflash loader); nil before any.
func (h *HV) NVRAM(ctx context.Context, name string) ([]byte, bool, error) {
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return nil, false, err
	}
	defer h.mu.Unlock()
	fw := d.current().OS
	uefi := fw != nil && (fw.Firmware == "efi" || fw.Loader != nil && fw.Loader.Type == "pflash")
	if !uefi {
		return nil, false, nil
	}
	return bytes.Clone(d.nvram), true, nil
}

// SetNVRAM sets the variable store of domain name, as the firmware of a
// booted guest writes it (tests); an unknown domain is an error.
func (h *HV) SetNVRAM(name string, data []byte) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	d, err := h.lookupLocked(name)
	if err != nil {
		return err
	}
	d.nvram = bytes.Clone(data)
	return nil
}
