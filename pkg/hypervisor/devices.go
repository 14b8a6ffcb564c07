package hypervisor

import (
	"fmt"
	"strconv"
	"strings"

	"libvirt.org/go/libvirtxml"
)

func addDevices(d *libvirtxml.DomainDeviceList, spec DomainSpec) error {
	for _, disk := range spec.Disks {
		x, err := diskDevice(disk)
		if err != nil {
			return fmt.Errorf("domain %s: %w", spec.Name, err)
		}
		d.Disks = append(d.Disks, *x)
	}
	if spec.SeedISO != "" {
		zero := uint(0)
		d.Controllers = append(d.Controllers, libvirtxml.DomainController{Type: "scsi", Index: &zero, Model: "virtio-scsi"})
		d.Disks = append(d.Disks, seedDevice(spec.SeedISO))
	}
	for _, nic := range spec.NICs {
		d.Interfaces = append(d.Interfaces, nicDevice(nic))
	}
	for _, addr := range spec.GPUs {
		h, err := gpuDevice(addr)
		if err != nil {
			return fmt.Errorf("domain %s: %w", spec.Name, err)
		}
		d.Hostdevs = append(d.Hostdevs, h)
	}
	addConsole(d, spec.ConsoleLog)
	d.MemBalloon = &libvirtxml.DomainMemBalloon{Model: "none"}
	return nil
}

// diskDevice is a virtio-blk disk (also the XML for hot-plug).
func diskDevice(disk Disk) (*libvirtxml.DomainDisk, error) {
	if disk.Path == "" || !strings.HasPrefix(disk.Target, "vd") {
		return nil, fmt.Errorf("disk %q: need a path and a vdX target", disk.Target)
	}
	format := disk.Format
	if format == "" {
		format = "qcow2"
	}
	src := &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: disk.Path}}
	if disk.SecretUUID != "" {
		src.Encryption = luksEncryption(disk.SecretUUID)
	}
	x := &libvirtxml.DomainDisk{
		Device: "disk",
		Driver: &libvirtxml.DomainDiskDriver{Name: "qemu", Type: format, Cache: diskCache, Discard: "unmap"},
		Source: src,
		Target: &libvirtxml.DomainDiskTarget{Dev: disk.Target, Bus: "virtio"},
		Serial: disk.Serial,
	}
	x.BackingStore = backingStore(disk.Backing, disk.SecretUUID)
	if disk.ReadOnly {
		x.ReadOnly = &libvirtxml.DomainDiskReadOnly{}
	}
	if disk.IOTune != (IOTune{}) {
		x.IOTune = &libvirtxml.DomainDiskIOTune{TotalIopsSec: disk.IOTune.TotalIOPSSec, TotalBytesSec: disk.IOTune.TotalBytesSec}
	}
	return x, nil
}

// DiskXML is the device XML of disk, as used for hot-plug.
func DiskXML(disk Disk) (string, error) {
	x, err := diskDevice(disk)
	if err != nil {
		return "", err
	}
	return x.Marshal()
}

// seedDevice is the NoCloud cidata ISO as a read-only SCSI CD-ROM (sda).
func seedDevice(path string) libvirtxml.DomainDisk {
	return libvirtxml.DomainDisk{
		Device:   "cdrom",
		Driver:   &libvirtxml.DomainDiskDriver{Name: "qemu", Type: "raw"},
		Source:   &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: path}},
		Target:   &libvirtxml.DomainDiskTarget{Dev: "sda", Bus: "scsi"},
		ReadOnly: &libvirtxml.DomainDiskReadOnly{},
	}
}

// nicDevice is a virtio NIC: type='bridge' on nic.Bridge, or with
// nic.Ethernet type='ethernet', a bare tap libvirt creates.
func nicDevice(nic NIC) libvirtxml.DomainInterface {
	src := &libvirtxml.DomainInterfaceSource{Bridge: &libvirtxml.DomainInterfaceSourceBridge{Bridge: nic.Bridge}}
	if nic.Ethernet {
		src = &libvirtxml.DomainInterfaceSource{Ethernet: &libvirtxml.DomainInterfaceSourceEthernet{}}
	}
	x := libvirtxml.DomainInterface{
		Source: src,
		MAC:    &libvirtxml.DomainInterfaceMAC{Address: nic.MAC},
		Model:  &libvirtxml.DomainInterfaceModel{Type: "virtio"},
	}
	if nic.Tap != "" {
		x.Target = &libvirtxml.DomainInterfaceTarget{Dev: nic.Tap}
	}
	return x
}

// gpuDevice passes a host PCI device (DDDD:BB:SS.F) through with VFIO.
func gpuDevice(addr string) (libvirtxml.DomainHostdev, error) {
	pci, err := ParsePCIAddress(addr)
	if err != nil {
		return libvirtxml.DomainHostdev{}, err
	}
	return libvirtxml.DomainHostdev{
		Managed:   "yes",
		SubsysPCI: &libvirtxml.DomainHostdevSubsysPCI{Source: &libvirtxml.DomainHostdevSubsysPCISource{Address: pci}},
	}, nil
}

// ParsePCIAddress parses "0000:65:00.0".
func ParsePCIAddress(addr string) (*libvirtxml.DomainAddressPCI, error) {
	var dom, bus, slot, fn uint
	parts := strings.FieldsFunc(addr, func(r rune) bool { return r == ':' || r == '.' })
	if len(parts) != 4 {
		return nil, fmt.Errorf("PCI address %q: want DDDD:BB:SS.F", addr)
	}
	for i, p := range []*uint{&dom, &bus, &slot, &fn} {
		v, err := strconv.ParseUint(parts[i], 16, 16)
		if err != nil {
			return nil, fmt.Errorf("PCI address %q: %w", addr, err)
		}
		*p = uint(v)
	}
	return &libvirtxml.DomainAddressPCI{Domain: &dom, Bus: &bus, Slot: &slot, Function: &fn}, nil
}

// addConsole adds a pty serial port whose output virtlogd also appends to
// logFile, and the console that serves the same pty interactively.
func addConsole(d *libvirtxml.DomainDeviceList, logFile string) {
	port := uint(0)
	serial := libvirtxml.DomainSerial{
		Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
		Target: &libvirtxml.DomainSerialTarget{Port: &port},
	}
	if logFile != "" {
		serial.Log = &libvirtxml.DomainChardevLog{File: logFile, Append: "on"}
	}
	d.Serials = append(d.Serials, serial)
	d.Consoles = append(d.Consoles, libvirtxml.DomainConsole{
		Source: &libvirtxml.DomainChardevSource{Pty: &libvirtxml.DomainChardevSourcePty{}},
		Target: &libvirtxml.DomainConsoleTarget{Type: "serial", Port: &port},
	})
}
