package agent

import (
	"bytes"
	"context"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// TestGetUefiVars: a UEFI domain's NVRAM as its firmware wrote it (none
// before the first boot), a BIOS domain says so, unknown instances are
// refused.
func TestGetUefiVars(t *testing.T) {
	ctx := context.Background()
	a, hv := memAgent(t, "i-bios", 0)
	get := func(id string) (*agentv1.UefiVars, error) {
		return a.GetUefiVars(ctx, &agentv1.InstanceRef{InstanceId: id})
	}
	if got, err := get("i-bios"); err != nil || got.GetUefi() || len(got.GetNvram()) > 0 {
		t.Errorf("BIOS domain: %v, %v", got, err)
	}
	spec := hypervisor.DomainSpec{Name: a.domainName("i-uefi"), UUID: newUUID(), DomainType: "qemu", VCPUs: 1, MemoryMiB: 256,
		BootMode: hypervisor.BootUEFI, Disks: []hypervisor.Disk{{Path: "/pool/root.qcow2", Target: "vda"}}}
	if err := hv.Define(ctx, spec); err != nil {
		t.Fatal(err)
	}
	if got, err := get("i-uefi"); err != nil || !got.GetUefi() || len(got.GetNvram()) > 0 {
		t.Errorf("UEFI domain before its first boot: %v, %v", got, err)
	}
	store := []byte("OVMF variable store")
	if err := hv.SetNVRAM(spec.Name, store); err != nil {
		t.Fatal(err)
	}
	if got, err := get("i-uefi"); err != nil || !got.GetUefi() || !bytes.Equal(got.GetNvram(), store) {
		t.Errorf("UEFI domain: %v, %v", got, err)
	}
	for id, code := range map[string]string{"": ec2err.MissingParameter, "i-none": ec2err.InvalidInstanceIDNotFound} {
		if _, err := get(id); errCodeOf(err) != code {
			t.Errorf("%q: %v, want %s", id, err, code)
		}
	}
}

func errCodeOf(err error) string {
	if e, ok := ec2err.As(err); ok {
		return e.Code
	}
	return ""
}
