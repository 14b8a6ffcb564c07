package hvsuite

import (
	"libvirt.org/go/libvirtxml"
)

// libvirtUnlimitedQuota is how some libvirt versions show a lifted cap.
const libvirtUnlimitedQuota = 17592186044415

// testCPUQuota: SetCPUQuota caps a running domain's vCPUs (period, quota
// and the baseline's shares) and lifts the cap again, live only: the
// definition the next boot reads is untouched, and a shut-off domain is
// left alone.
func testCPUQuota(e *env) {
	name, spec := e.inert("i-cpuquota", true)
	if err := e.HV.SetCPUQuota(e.ctx, name, 20); err != nil {
		e.t.Fatal(err)
	}
	tune := e.xml(name).CPUTune
	shares := uint(max(2, spec.VCPUs*20*1024/100))
	if tune == nil || tune.Period == nil || tune.Period.Value != 100000 || tune.Quota == nil ||
		tune.Quota.Value != 20000 || tune.Shares == nil || tune.Shares.Value != shares {
		e.t.Errorf("live cputune after 20%%: %+v, want period 100000, quota 20000, shares %d", tune, shares)
	}
	if err := e.HV.SetCPUQuota(e.ctx, name, 0); err != nil {
		e.t.Fatal(err)
	}
	if q := quotaOf(e.xml(name)); q > 0 && q < libvirtUnlimitedQuota {
		e.t.Errorf("live quota after lifting the cap: %d", q)
	}
	if err := e.HV.SetCPUQuota(e.ctx, name, 20); err != nil {
		e.t.Fatal(err)
	}
	e.destroy(name)
	if q := quotaOf(e.xml(name)); q > 0 && q < libvirtUnlimitedQuota {
		e.t.Errorf("definition quota %d after live changes, want none", q)
	}
	if err := e.HV.SetCPUQuota(e.ctx, name, 30); err != nil {
		e.t.Errorf("SetCPUQuota of a shut-off domain: %v", err)
	}
	if q := quotaOf(e.xml(name)); q > 0 && q < libvirtUnlimitedQuota {
		e.t.Errorf("definition quota %d after SetCPUQuota of a shut-off domain, want none", q)
	}
	e.wantError("SetCPUQuota over 100%", e.HV.SetCPUQuota(e.ctx, name, 101))
	e.wantNotFound("SetCPUQuota of an unknown domain", e.HV.SetCPUQuota(e.ctx, e.prefix+"i-unknown", 10))
}

// quotaOf is a domain's vCPU quota, 0 when it has none.
func quotaOf(d *libvirtxml.Domain) int64 {
	if d.CPUTune == nil || d.CPUTune.Quota == nil {
		return 0
	}
	return d.CPUTune.Quota.Value
}
