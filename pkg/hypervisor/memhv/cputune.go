package memhv

import (
	"context"
	"fmt"

	"libvirt.org/go/libvirtxml"
)

// cpuPeriod is the CFS period the libvirt driver sets (µs).
const cpuPeriod = 100000

// SetCPUQuota changes the live configuration's <cputune> as the libvirt
// driver's scheduler parameters do: period and quota (-1 lifts the cap)
// and, when capping, the baseline's shares. A shut-off domain is left
// alone.
func (h *HV) SetCPUQuota(ctx context.Context, name string, percent int) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("cpu quota of %s: %d%% (want 0 to 100)", name, percent)
	}
	d, err := h.lockDomain(ctx, name)
	if err != nil {
		return err
	}
	defer h.mu.Unlock()
	if !d.running() {
		return nil
	}
	if d.live.CPUTune == nil {
		d.live.CPUTune = &libvirtxml.DomainCPUTune{}
	}
	t := d.live.CPUTune
	t.Period = &libvirtxml.DomainCPUTunePeriod{Value: cpuPeriod}
	t.Quota = &libvirtxml.DomainCPUTuneQuota{Value: -1}
	if percent > 0 {
		vcpus := 1
		if d.live.VCPU != nil {
			vcpus = int(d.live.VCPU.Value)
		}
		t.Quota.Value = int64(cpuPeriod * percent / 100)
		t.Shares = &libvirtxml.DomainCPUTuneShares{Value: uint(max(2, vcpus*percent*1024/100))}
	}
	h.notifyLocked()
	return nil
}
