package controller

// view completes a copy of an instance record with what is derived rather
// than stored: the guest's cores from its (current) type.
func (s *Service) view(in Instance) Instance {
	if t, ok := s.types.Get(in.Type); ok {
		in.Cores = t.VCPUs
	}
	return in
}

// GuestBootMode is the firmware the guest boots with: uefi for a UEFI image,
// legacy-bios for a BIOS image and for a direct kernel boot (QEMU loads the
// kernel through SeaBIOS); empty when the record predates BootMode.
func (in Instance) GuestBootMode() string {
	switch in.BootMode {
	case "":
		return ""
	case "uefi":
		return "uefi"
	}
	return "legacy-bios"
}
