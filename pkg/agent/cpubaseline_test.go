package agent

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"

	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/memhv"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// memAgent is an agent over the in-memory hypervisor, with one defined
// domain of instance id whose vCPUs are held to baseline percent.
func memAgent(t *testing.T, id string, baseline int) (*Agent, *memhv.HV) {
	t.Helper()
	dir := t.TempDir()
	shared, err := storage.New(filepath.Join(dir, "shared"))
	if err != nil {
		t.Fatal(err)
	}
	local, err := storage.New(filepath.Join(dir, "local"))
	if err != nil {
		t.Fatal(err)
	}
	hv := memhv.New()
	a, err := New(Config{HostID: "h", DomainPrefix: "t-", SharedPool: shared, LocalPool: local,
		StateDir: filepath.Join(dir, "state"), DomainType: virttype.Decision{Type: "qemu"}}, hv, slog.Default())
	if err != nil {
		t.Fatal(err)
	}
	s := &instanceSpec{Domain: hypervisor.DomainSpec{Name: a.domainName(id), UUID: newUUID(), DomainType: "qemu",
		VCPUs: 2, MemoryMiB: 512, CPUQuotaPercent: baseline,
		Disks: []hypervisor.Disk{{Path: filepath.Join(dir, "root.qcow2"), Target: "vda"}}}}
	if err := a.saveSpec(id, s); err != nil {
		t.Fatal(err)
	}
	if err := hv.Define(context.Background(), s.Domain); err != nil {
		t.Fatal(err)
	}
	return a, hv
}

// quota is the vCPU quota of name's XML (live while running), 0 if none.
func quota(t *testing.T, hv hypervisor.Hypervisor, name string) int64 {
	t.Helper()
	x, err := hv.XML(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	var d libvirtxml.Domain
	if err := d.Unmarshal(x); err != nil {
		t.Fatal(err)
	}
	if d.CPUTune == nil || d.CPUTune.Quota == nil {
		return 0
	}
	return d.CPUTune.Quota.Value
}

// TestSetCPUBaseline: the cap changes live on a running domain, and in the
// definition and saved spec the next boot reads; a stopped domain's
// definition changes alone; bad requests and unknown instances are refused.
func TestSetCPUBaseline(t *testing.T) {
	ctx := context.Background()
	a, hv := memAgent(t, "i-1", 10)
	name := a.domainName("i-1")
	if err := hv.Start(ctx, name); err != nil {
		t.Fatal(err)
	}
	set := func(pct int32) error {
		_, err := a.SetCPUBaseline(ctx, &agentv1.SetCPUBaselineRequest{InstanceId: "i-1", CpuBaselinePercent: pct})
		return err
	}
	if err := set(0); err != nil {
		t.Fatal(err)
	}
	if q := quota(t, hv, name); q > 0 {
		t.Errorf("live quota %d after lifting the cap", q)
	}
	if err := set(20); err != nil {
		t.Fatal(err)
	}
	if q := quota(t, hv, name); q != 20000 {
		t.Errorf("live quota %d, want 20000", q)
	}
	if err := hv.Destroy(ctx, name); err != nil {
		t.Fatal(err)
	}
	if q := quota(t, hv, name); q != 20000 {
		t.Errorf("definition quota %d, want 20000", q)
	}
	if err := set(0); err != nil {
		t.Fatal(err)
	}
	if q := quota(t, hv, name); q != 0 {
		t.Errorf("definition quota %d after lifting the cap of a stopped domain", q)
	}
	if s, err := a.loadSpec("i-1"); err != nil || s.Domain.CPUQuotaPercent != 0 {
		t.Errorf("saved spec: %+v, %v", s, err)
	}
	for _, tt := range []struct {
		name string
		req  *agentv1.SetCPUBaselineRequest
		code string
	}{
		{"no instance", &agentv1.SetCPUBaselineRequest{CpuBaselinePercent: 10}, ec2err.MissingParameter},
		{"over 100%", &agentv1.SetCPUBaselineRequest{InstanceId: "i-1", CpuBaselinePercent: 101}, ec2err.InvalidParameterValue},
		{"unknown instance", &agentv1.SetCPUBaselineRequest{InstanceId: "i-2", CpuBaselinePercent: 10}, ec2err.InvalidInstanceIDNotFound},
	} {
		_, err := a.SetCPUBaseline(ctx, tt.req)
		if e, ok := ec2err.As(err); !ok || e.Code != tt.code {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.code)
		}
	}
}
