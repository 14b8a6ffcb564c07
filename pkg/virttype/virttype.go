// Package virttype decides, in one place, which libvirt domain type guests
// run under on this host: "kvm" when /dev/kvm runs stock guest kernels,
// "qemu" (TCG emulation) otherwise. PVM hosts (kvm_pvm loaded) only run
// PVM-built guest kernels, so they count as "no stock-guest KVM".
package virttype

import (
	"fmt"
	"os"
)

// Domain types.
const (
	KVM  = "kvm"
	QEMU = "qemu"
)

// Decision is the chosen domain type and why.
type Decision struct {
	Type   string
	Reason string
}

func (d Decision) String() string { return d.Type + " (" + d.Reason + ")" }

// Probe names the host facts detection reads; tests replace them.
type Probe struct {
	KVMDevice string // /dev/kvm
	PVMModule string // /sys/module/kvm_pvm
}

// DefaultProbe reads the real host.
var DefaultProbe = Probe{KVMDevice: "/dev/kvm", PVMModule: "/sys/module/kvm_pvm"}

// Detect picks the domain type. override, when not empty or "auto", wins
// (it must be kvm or qemu).
func Detect(override string) (Decision, error) { return DefaultProbe.Detect(override) }

// Detect picks the domain type from p's view of the host.
func (p Probe) Detect(override string) (Decision, error) {
	switch override {
	case "", "auto":
	case KVM, QEMU:
		return Decision{Type: override, Reason: "set by configuration"}, nil
	default:
		return Decision{}, fmt.Errorf("domain type %q: want auto, kvm or qemu", override)
	}
	if _, err := os.Stat(p.PVMModule); err == nil {
		return Decision{Type: QEMU, Reason: "KVM here is PVM (kvm_pvm loaded): stock guest kernels hang under it, using TCG"}, nil
	}
	f, err := os.OpenFile(p.KVMDevice, os.O_RDWR, 0)
	if err != nil {
		return Decision{Type: QEMU, Reason: fmt.Sprintf("%s not usable (%v), using TCG", p.KVMDevice, err)}, nil
	}
	f.Close()
	return Decision{Type: KVM, Reason: p.KVMDevice + " usable, hardware virtualization"}, nil
}
