package agent

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// SetCPUBaseline changes a local instance's CPU cap (standard credits:
// each vCPU held to the baseline; 0: none). The saved spec and the domain's
// definition change first, so that the next boot has it; a running
// domain's bandwidth then changes live.
func (a *Agent) SetCPUBaseline(ctx context.Context, req *agentv1.SetCPUBaselineRequest) (*agentv1.SetCPUBaselineResponse, error) {
	id, pct := req.GetInstanceId(), int(req.GetCpuBaselinePercent())
	if id == "" {
		return nil, missing("InstanceId")
	}
	if pct < 0 || pct > 100 {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "cpu_baseline_percent %d is not 0 to 100", pct)
	}
	defer a.lock(id)()
	s, err := a.loadSpec(id)
	if err != nil {
		return nil, err
	}
	s.Domain.CPUQuotaPercent = pct
	// Redefined as it is (its pinned CPUs and GPUs are its own already).
	if err := a.saveSpec(id, s); err != nil {
		return nil, err
	}
	if err := a.hv.Define(ctx, s.Domain); err != nil {
		return nil, orInstanceNotFound(id, fmt.Errorf("cpu baseline of %s: %w", id, err))
	}
	if err := a.hv.SetCPUQuota(ctx, a.domainName(id), pct); err != nil {
		return nil, orInstanceNotFound(id, fmt.Errorf("cpu baseline of %s: %w", id, err))
	}
	a.log.Info("cpu baseline set", "instance", id, "percent", pct)
	return &agentv1.SetCPUBaselineResponse{}, nil
}
