// Package hypervisor hides libvirt behind a small interface: ec2lab asks
// for domains built from a DomainSpec, and this package turns the spec into
// domain XML (libvirtxml structs, never strings) and drives libvirtd through
// github.com/digitalocean/go-libvirt, with context-aware calls.
package hypervisor

import (
	"context"
	"errors"
	"io"
)

// ErrNotFound is returned (wrapped) when a domain does not exist.
var ErrNotFound = errors.New("domain not found")

// Hypervisor is what the agent needs from libvirt.
type Hypervisor interface {
	// Define creates (defines) a persistent domain from spec; it does not start it.
	Define(ctx context.Context, spec DomainSpec) error
	Start(ctx context.Context, name string) error
	// Shutdown sends the ACPI power button and waits up to the context's
	// deadline for the guest to power off; the caller destroys on timeout.
	Shutdown(ctx context.Context, name string) error
	// Destroy forces the domain off (no error when already off).
	Destroy(ctx context.Context, name string) error
	Reboot(ctx context.Context, name string) error
	// Undefine removes the definition (no error when absent).
	Undefine(ctx context.Context, name string) error
	// Get returns one domain's state and its ec2lab metadata.
	Get(ctx context.Context, name string) (Domain, error)
	// List returns every domain whose name starts with prefix.
	List(ctx context.Context, prefix string) ([]Domain, error)
	// XML returns the live domain XML (for inspection and tests).
	XML(ctx context.Context, name string) (string, error)
	// Events streams lifecycle events until ctx ends.
	Events(ctx context.Context) (<-chan Event, error)

	AttachDisk(ctx context.Context, name string, disk Disk) error
	DetachDisk(ctx context.Context, name string, target string) error
	// SnapshotDisk makes an external disk-only snapshot of one disk of a
	// running domain: newHead (already the path the caller wants) becomes the
	// disk's active file, overlaying the old one.
	SnapshotDisk(ctx context.Context, name, target, newHead string) error
	// StreamDisk merges the layers between the active file of target on the
	// running domain and base (an absolute path in its backing chain; ""
	// flattens the disk) into the active file (block stream), and waits for
	// the job. The active file's header then names base as relative as the
	// chain named it before.
	StreamDisk(ctx context.Context, name, target, base string) error
	ResizeDisk(ctx context.Context, name, target string, sizeBytes uint64) error
	SetIOTune(ctx context.Context, name, target string, tune IOTune) error
	// SetCPUQuota caps each vCPU of a running domain at percent of a host
	// CPU, with the baseline's weight, as DomainSpec.CPUQuotaPercent does
	// at boot; 0 lifts the cap (the weight stays until the domain next
	// boots). It changes the running domain only: the definition is
	// Define's, and a domain that is not running is left alone.
	SetCPUQuota(ctx context.Context, name string, percent int) error
	// NVRAM answers the UEFI variable store file of a domain's firmware:
	// uefi is false for a domain that does not boot with UEFI, data is nil
	// until the first boot makes the file.
	NVRAM(ctx context.Context, name string) (data []byte, uefi bool, err error)
	// OpenConsole attaches to the serial console: bytes from the guest go to
	// out, bytes read from in go to the guest, until ctx ends.
	OpenConsole(ctx context.Context, name string, in io.Reader, out io.Writer) error
	// DefineSecret stores a LUKS passphrase as the libvirt secret uuid
	// (Disk.SecretUUID); UndefineSecret removes it (no error when absent).
	DefineSecret(ctx context.Context, uuid string, passphrase []byte) error
	UndefineSecret(ctx context.Context, uuid string) error
	Close() error
}

// State of a domain as ec2lab sees it.
type State string

const (
	StateRunning  State = "running"
	StateStopped  State = "stopped" // shut off
	StatePaused   State = "paused"
	StateCrashed  State = "crashed"
	StateShutdown State = "shutting-down" // in the middle of powering off
	StateMissing  State = "missing"
)

// Domain is a domain's observed state.
type Domain struct {
	Name     string
	State    State
	Metadata Metadata
}

// Event is a lifecycle change of a domain.
type Event struct {
	Name   string
	State  State
	Reason string // e.g. "shutdown by guest", "destroyed", "crashed"
}

// Metadata is what ec2lab stores in the domain's <metadata> element so the
// agent can rebuild its view from libvirt alone.
type Metadata struct {
	InstanceID   string `xml:"instance-id"`
	OwnerID      string `xml:"owner-id"`
	InstanceType string `xml:"instance-type"`
	ImageID      string `xml:"image-id"`
}

// IOTune is a per-disk limit (0 = unlimited).
type IOTune struct {
	TotalIOPSSec  uint64
	TotalBytesSec uint64
}

// Disk is a virtio-blk disk.
type Disk struct {
	Path     string // qcow2 (or raw when Format says so) file
	Format   string // qcow2 (default) or raw
	Target   string // vda, vdb, ...
	ReadOnly bool
	Serial   string // shown to the guest as /sys/block/vdX/serial (the volume ID)
	IOTune   IOTune
	// SecretUUID names a libvirt secret holding the LUKS passphrase of an
	// encrypted qcow2; empty when not encrypted.
	SecretUUID string
	// Backing spells out the backing chain below Path, nearest first. libvirt
	// probes the chain when it is empty, but an encrypted backing layer must
	// be given with its own <encryption> (it uses SecretUUID: all encrypted
	// layers of one volume share its key).
	Backing []BackingFile
}

// BackingFile is one layer of a disk's backing chain.
type BackingFile struct {
	Path      string
	Format    string // qcow2 (default) or raw
	Encrypted bool
}

// DomainSpec is everything needed to build a domain's XML.
type DomainSpec struct {
	Name       string // libvirt domain name (agent prefix + instance ID)
	UUID       string // optional
	DomainType string // kvm or qemu
	VCPUs      int
	MemoryMiB  int64
	// CPUQuotaPercent > 0 caps each vCPU at that share of a host CPU
	// (burstable t* types): <cputune><period>, <quota>, <shares>.
	CPUQuotaPercent int
	CPUShares       int
	// PinnedCPUs, when set, pins vCPU i to host CPU PinnedCPUs[i] (c* types).
	PinnedCPUs []int
	// Hugepages backs memory with hugepages (r*/x* types).
	Hugepages bool
	// LockMemory locks the guest's memory (<locked/>); QEMU then needs an
	// unlimited RLIMIT_MEMLOCK, which only hosts granting CAP_SYS_RESOURCE allow.
	LockMemory bool
	// GPUs are PCI addresses (0000:65:00.0) passed through with VFIO (g*/p*).
	GPUs []string

	Kernel  string // direct kernel boot when set
	Initrd  string
	Cmdline string
	// BootMode is direct-kernel, bios or uefi.
	BootMode string

	Disks []Disk // the first is the root disk (vda)
	// SeedISO is the NoCloud cidata ISO attached as a CD-ROM, when set.
	SeedISO string
	// ConsoleLog is the file the serial console is logged to.
	ConsoleLog string

	// NICs are bridge-attached virtio NICs.
	NICs []NIC

	Metadata Metadata
}

// NIC is a virtio NIC on a Linux bridge.
type NIC struct {
	Bridge string
	MAC    string
	Tap    string // optional target dev name
	// Ethernet makes the NIC interface type='ethernet': libvirt creates
	// the tap named Tap (required) in its own namespace, up, on no bridge;
	// the caller attaches it (to Bridge in another network namespace).
	Ethernet bool `json:",omitempty"`
}
