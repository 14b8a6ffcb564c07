package virttype

import (
	"os"
	"path/filepath"
	"testing"
)

func TestDetect(t *testing.T) {
	dir := t.TempDir()
	present := filepath.Join(dir, "present")
	if err := os.WriteFile(present, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	absent := filepath.Join(dir, "absent")
	tests := []struct {
		name     string
		probe    Probe
		override string
		want     string
		wantErr  bool
	}{
		{"pvm host uses tcg", Probe{KVMDevice: present, PVMModule: present}, "", QEMU, false},
		{"no kvm device uses tcg", Probe{KVMDevice: absent, PVMModule: absent}, "auto", QEMU, false},
		{"usable kvm", Probe{KVMDevice: present, PVMModule: absent}, "", KVM, false},
		{"override kvm on pvm", Probe{KVMDevice: present, PVMModule: present}, "kvm", KVM, false},
		{"override qemu", Probe{KVMDevice: present, PVMModule: absent}, "qemu", QEMU, false},
		{"bad override", Probe{}, "xen", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := tt.probe.Detect(tt.override)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tt.wantErr)
			}
			if d.Type != tt.want {
				t.Fatalf("type = %q, want %q (%s)", d.Type, tt.want, d.Reason)
			}
		})
	}
}
