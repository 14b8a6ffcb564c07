package hypervisor

import (
	"context"
	"fmt"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// unlimitedQuota is the CFS quota libvirt reads as no cap.
const unlimitedQuota = -1

// SetCPUQuota changes a running domain's vCPU bandwidth live
// (virDomainSetSchedulerParameters with AFFECT_LIVE); a shut-off domain,
// or one that shuts off meanwhile, is left alone.
func (h *Libvirt) SetCPUQuota(ctx context.Context, name string, percent int) error {
	if percent < 0 || percent > 100 {
		return fmt.Errorf("cpu quota of %s: %d%% (want 0 to 100)", name, percent)
	}
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	if st, err := h.state(ctx, d); err != nil || st == StateStopped {
		return err
	}
	vcpus, err := call(ctx, func() (uint16, error) {
		_, _, _, n, _, err := h.conn().DomainGetInfo(d)
		return n, err
	})
	if err != nil {
		return fmt.Errorf("cpu quota of %s: %w", name, err)
	}
	params := []golibvirt.TypedParam{
		{Field: "vcpu_period", Value: *golibvirt.NewTypedParamValueUllong(cpuPeriod)},
		{Field: "vcpu_quota", Value: *golibvirt.NewTypedParamValueLlong(unlimitedQuota)},
	}
	if percent > 0 {
		params[1].Value = *golibvirt.NewTypedParamValueLlong(cpuQuota(percent))
		params = append(params, golibvirt.TypedParam{Field: "cpu_shares",
			Value: *golibvirt.NewTypedParamValueUllong(uint64(baselineShares(int(vcpus), percent)))})
	}
	err = do(ctx, func() error {
		return h.conn().DomainSetSchedulerParametersFlags(d, params, uint32(golibvirt.DomainAffectLive))
	})
	if err != nil {
		if st, serr := h.state(ctx, d); serr == nil && st == StateStopped {
			return nil // it shut off meanwhile: the next boot reads the definition
		}
		return fmt.Errorf("cpu quota of %s: %w", name, err)
	}
	return nil
}
