package hypervisor

import (
	"testing"

	"libvirt.org/go/libvirtxml"
)

func baseSpec() DomainSpec {
	return DomainSpec{
		Name: "ec2-i-0123456789abcdef0", DomainType: "qemu", VCPUs: 2, MemoryMiB: 512,
		Kernel: "/img/vmlinuz", Initrd: "/img/initrd", Cmdline: "console=ttyS0", BootMode: BootDirectKernel,
		Disks:      []Disk{{Path: "/pool/vol-1.qcow2", Target: "vda", Serial: "vol-1"}},
		SeedISO:    "/state/seeds/i-1.iso",
		ConsoleLog: "/state/console/i-1.log",
		NICs:       []NIC{{Bridge: "br-ec2", MAC: "02:00:00:00:00:01"}},
		Metadata:   Metadata{InstanceID: "i-0123456789abcdef0", OwnerID: "123456789012", InstanceType: "t3.micro", ImageID: "ami-1"},
	}
}

func parse(t *testing.T, spec DomainSpec) *libvirtxml.Domain {
	t.Helper()
	s, err := BuildDomainXML(spec)
	if err != nil {
		t.Fatalf("BuildDomainXML: %v", err)
	}
	var d libvirtxml.Domain
	if err := d.Unmarshal(s); err != nil {
		t.Fatalf("unmarshal %s: %v", s, err)
	}
	return &d
}

func TestBuildDomainXMLFamilies(t *testing.T) {
	tests := []struct {
		family string
		edit   func(*DomainSpec)
		check  func(*testing.T, *libvirtxml.Domain)
	}{
		{"t3 burstable: CFS quota per vCPU", func(s *DomainSpec) { s.CPUQuotaPercent = 20 }, func(t *testing.T, d *libvirtxml.Domain) {
			ct := d.CPUTune
			if ct == nil || ct.Period == nil || ct.Period.Value != 100000 || ct.Quota == nil || ct.Quota.Value != 20000 {
				t.Fatalf("cputune = %+v, want period 100000 quota 20000", ct)
			}
			if ct.Shares == nil || ct.Shares.Value == 0 {
				t.Errorf("no shares for a burstable domain")
			}
		}},
		{"m5 general: no tuning", nil, func(t *testing.T, d *libvirtxml.Domain) {
			if d.CPUTune != nil || d.MemoryBacking != nil || len(d.Devices.Hostdevs) != 0 {
				t.Errorf("general purpose domain got cputune %+v, backing %+v, hostdevs %d", d.CPUTune, d.MemoryBacking, len(d.Devices.Hostdevs))
			}
		}},
		{"c5 compute: pinned vCPUs and emulator", func(s *DomainSpec) { s.PinnedCPUs = []int{1, 3} }, func(t *testing.T, d *libvirtxml.Domain) {
			pins := d.CPUTune.VCPUPin
			if len(pins) != 2 || pins[0].VCPU != 0 || pins[0].CPUSet != "1" || pins[1].VCPU != 1 || pins[1].CPUSet != "3" {
				t.Errorf("vcpupin = %+v", pins)
			}
			if e := d.CPUTune.EmulatorPin; e == nil || e.CPUSet != "1,3" {
				t.Errorf("emulatorpin = %+v, want 1,3", e)
			}
		}},
		{"r5 memory: hugepages locked", func(s *DomainSpec) { s.Hugepages, s.LockMemory = true, true }, func(t *testing.T, d *libvirtxml.Domain) {
			mb := d.MemoryBacking
			if mb == nil || mb.MemoryHugePages == nil || mb.MemoryLocked == nil {
				t.Errorf("memoryBacking = %+v, want hugepages + locked", mb)
			}
		}},
		{"i3 storage: extra instance-store disk", func(s *DomainSpec) {
			s.Disks = append(s.Disks, Disk{Path: "/local/i-1-ephemeral0.qcow2", Target: "vdb", Serial: "ephemeral0"})
		}, func(t *testing.T, d *libvirtxml.Domain) {
			disks := virtioDisks(d)
			if len(disks) != 2 || disks[1].Target.Dev != "vdb" || disks[1].Source.File.File != "/local/i-1-ephemeral0.qcow2" {
				t.Errorf("disks = %+v", disks)
			}
		}},
		{"g4/p3 GPU: managed PCI hostdev", func(s *DomainSpec) { s.GPUs = []string{"0000:65:00.0"} }, func(t *testing.T, d *libvirtxml.Domain) {
			h := d.Devices.Hostdevs
			if len(h) != 1 || h[0].Managed != "yes" || h[0].SubsysPCI == nil {
				t.Fatalf("hostdevs = %+v", h)
			}
			a := h[0].SubsysPCI.Source.Address
			if *a.Domain != 0 || *a.Bus != 0x65 || *a.Slot != 0 || *a.Function != 0 {
				t.Errorf("PCI address = %d:%d:%d.%d", *a.Domain, *a.Bus, *a.Slot, *a.Function)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.family, func(t *testing.T) {
			spec := baseSpec()
			if tt.edit != nil {
				tt.edit(&spec)
			}
			d := parse(t, spec)
			checkCommon(t, d)
			tt.check(t, d)
		})
	}
}

// checkCommon asserts what every domain needs, whatever its family.
func checkCommon(t *testing.T, d *libvirtxml.Domain) {
	t.Helper()
	if d.Type != "qemu" || d.VCPU.Value != 2 || d.Memory.Value != 512 || d.Memory.Unit != "MiB" {
		t.Errorf("type %s vcpu %d memory %d %s", d.Type, d.VCPU.Value, d.Memory.Value, d.Memory.Unit)
	}
	if d.Features == nil || d.Features.ACPI == nil || d.Features.APIC == nil {
		t.Errorf("features = %+v, want acpi + apic", d.Features)
	}
	root := virtioDisks(d)[0]
	if root.Target.Bus != "virtio" || root.Driver.Type != "qcow2" || root.Driver.Cache != "none" || root.Serial != "vol-1" {
		t.Errorf("root disk = %+v %+v %+v", root.Target, root.Driver, root.Serial)
	}
	checkSeedAndConsole(t, d)
	n := d.Devices.Interfaces
	if len(n) != 1 || n[0].Source.Bridge.Bridge != "br-ec2" || n[0].MAC.Address != "02:00:00:00:00:01" || n[0].Model.Type != "virtio" {
		t.Errorf("interfaces = %+v", n)
	}
}

func checkSeedAndConsole(t *testing.T, d *libvirtxml.Domain) {
	t.Helper()
	var seed *libvirtxml.DomainDisk
	for i := range d.Devices.Disks {
		if d.Devices.Disks[i].Device == "cdrom" {
			seed = &d.Devices.Disks[i]
		}
	}
	if seed == nil || seed.Target.Bus != "scsi" || seed.ReadOnly == nil || seed.Source.File.File != "/state/seeds/i-1.iso" {
		t.Errorf("seed cdrom = %+v", seed)
	}
	if c := d.Devices.Controllers; len(c) != 1 || c[0].Model != "virtio-scsi" {
		t.Errorf("controllers = %+v, want one virtio-scsi", c)
	}
	s := d.Devices.Serials
	if len(s) != 1 || s[0].Source.Pty == nil || s[0].Log == nil || s[0].Log.File != "/state/console/i-1.log" || s[0].Log.Append != "on" {
		t.Errorf("serials = %+v", s)
	}
	if c := d.Devices.Consoles; len(c) != 1 || c[0].Target.Type != "serial" {
		t.Errorf("consoles = %+v", c)
	}
}

func virtioDisks(d *libvirtxml.Domain) []libvirtxml.DomainDisk {
	var out []libvirtxml.DomainDisk
	for _, disk := range d.Devices.Disks {
		if disk.Target.Bus == "virtio" {
			out = append(out, disk)
		}
	}
	return out
}

func TestBuildDomainXMLBootModes(t *testing.T) {
	tests := []struct {
		mode             string
		kernel, firmware string
		bootDevs         int
	}{
		{BootDirectKernel, "/img/vmlinuz", "", 0},
		{BootBIOS, "", "", 1},
		{BootUEFI, "", "efi", 1},
	}
	for _, tt := range tests {
		t.Run(tt.mode, func(t *testing.T) {
			spec := baseSpec()
			spec.BootMode = tt.mode
			d := parse(t, spec)
			os := d.OS
			if os.Type.Type != "hvm" || os.Type.Arch != "x86_64" || os.Type.Machine != "pc" {
				t.Errorf("os type = %+v", os.Type)
			}
			if os.Kernel != tt.kernel || os.Firmware != tt.firmware || len(os.BootDevices) != tt.bootDevs {
				t.Errorf("os = kernel %q firmware %q boot %v", os.Kernel, os.Firmware, os.BootDevices)
			}
		})
	}
}

func TestBuildDomainXMLDiskOptions(t *testing.T) {
	spec := baseSpec()
	spec.Disks = append(spec.Disks, Disk{
		Path: "/pool/vol-2.qcow2", Target: "vdb", Serial: "vol-2", SecretUUID: "6f1c5a2e-0000-4000-8000-000000000001",
		IOTune: IOTune{TotalIOPSSec: 3000, TotalBytesSec: 125 << 20}, ReadOnly: true,
	})
	d := parse(t, spec)
	disk := virtioDisks(d)[1]
	enc := disk.Source.Encryption
	if enc == nil || enc.Format != "luks" || len(enc.Secrets) != 1 || enc.Secrets[0].Type != "passphrase" || enc.Secrets[0].UUID != "6f1c5a2e-0000-4000-8000-000000000001" {
		t.Errorf("encryption = %+v", enc)
	}
	if disk.IOTune == nil || disk.IOTune.TotalIopsSec != 3000 || disk.IOTune.TotalBytesSec != 125<<20 {
		t.Errorf("iotune = %+v", disk.IOTune)
	}
	if disk.ReadOnly == nil {
		t.Errorf("disk not read-only")
	}
}

func TestMetadataRoundTrip(t *testing.T) {
	spec := baseSpec()
	s, err := BuildDomainXML(spec)
	if err != nil {
		t.Fatal(err)
	}
	got, err := ParseMetadata(s)
	if err != nil {
		t.Fatal(err)
	}
	if got != spec.Metadata {
		t.Errorf("metadata = %+v, want %+v", got, spec.Metadata)
	}
	none, err := ParseMetadata("<domain type='qemu'><name>x</name></domain>")
	if err != nil || none != (Metadata{}) {
		t.Errorf("domain without metadata: %+v, %v", none, err)
	}
}

func TestBuildDomainXMLRejects(t *testing.T) {
	tests := []struct {
		name string
		edit func(*DomainSpec)
	}{
		{"no name", func(s *DomainSpec) { s.Name = "" }},
		{"bad type", func(s *DomainSpec) { s.DomainType = "xen" }},
		{"pins != vcpus", func(s *DomainSpec) { s.PinnedCPUs = []int{1} }},
		{"bad PCI address", func(s *DomainSpec) { s.GPUs = []string{"65:00"} }},
		{"disk without target", func(s *DomainSpec) { s.Disks[0].Target = "" }},
		{"ethernet NIC without tap", func(s *DomainSpec) { s.NICs[0].Ethernet = true }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := baseSpec()
			tt.edit(&spec)
			if _, err := BuildDomainXML(spec); err == nil {
				t.Errorf("BuildDomainXML accepted %s", tt.name)
			}
		})
	}
}

// TestNICInterfaceType: a NIC is type='bridge' on its bridge (single host,
// the tap libvirt's), or with Ethernet type='ethernet', a bare tap the
// agent adopts into its data plane's namespace.
func TestNICInterfaceType(t *testing.T) {
	tests := []struct {
		name                string
		nic                 NIC
		wantBridge, wantTap string
		wantEthernet        bool
	}{
		{"bridge, libvirt names the tap", NIC{Bridge: "br-ec2", MAC: "02:00:00:00:00:01"}, "br-ec2", "", false},
		{"bridge with the plane's tap", NIC{Bridge: "ec2b1", MAC: "02:00:00:00:00:01", Tap: "ec2t1"}, "ec2b1", "ec2t1", false},
		{"ethernet tap for a namespaced plane", NIC{Bridge: "ec2b1", MAC: "02:00:00:00:00:01", Tap: "ec2t1", Ethernet: true}, "", "ec2t1", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			spec := baseSpec()
			spec.NICs = []NIC{tt.nic}
			ifs := parse(t, spec).Devices.Interfaces
			if len(ifs) != 1 || ifs[0].Source == nil {
				t.Fatalf("interfaces: %+v", ifs)
			}
			x := ifs[0]
			gotBridge := ""
			if x.Source.Bridge != nil {
				gotBridge = x.Source.Bridge.Bridge
			}
			gotTap := ""
			if x.Target != nil {
				gotTap = x.Target.Dev
			}
			if gotBridge != tt.wantBridge || gotTap != tt.wantTap || (x.Source.Ethernet != nil) != tt.wantEthernet {
				t.Errorf("source bridge %q ethernet %v tap %q; want bridge %q ethernet %v tap %q",
					gotBridge, x.Source.Ethernet != nil, gotTap, tt.wantBridge, tt.wantEthernet, tt.wantTap)
			}
			if x.MAC == nil || x.MAC.Address != tt.nic.MAC || x.Model == nil || x.Model.Type != "virtio" {
				t.Errorf("mac/model: %+v %+v", x.MAC, x.Model)
			}
		})
	}
}

// The guest's CPU topology is what DescribeInstances reports as CpuOptions:
// one socket of single-threaded cores; kvm guests also see the host's model.
func TestBuildDomainXMLCPUTopology(t *testing.T) {
	tests := []struct {
		domainType string
		vcpus      int
		wantMode   string
	}{
		{"qemu", 1, ""},
		{"qemu", 4, ""},
		{"kvm", 8, "host-passthrough"},
	}
	for _, tt := range tests {
		spec := baseSpec()
		spec.DomainType, spec.VCPUs = tt.domainType, tt.vcpus
		d := parse(t, spec)
		if d.CPU == nil || d.CPU.Topology == nil {
			t.Fatalf("%s/%d: no cpu topology in %+v", tt.domainType, tt.vcpus, d.CPU)
		}
		got := *d.CPU.Topology
		want := libvirtxml.DomainCPUTopology{Sockets: 1, Dies: 1, Cores: tt.vcpus, Threads: 1}
		if got != want || d.CPU.Mode != tt.wantMode {
			t.Errorf("%s/%d: cpu mode %q topology %+v, want %q %+v", tt.domainType, tt.vcpus, d.CPU.Mode, got, tt.wantMode, want)
		}
	}
}
