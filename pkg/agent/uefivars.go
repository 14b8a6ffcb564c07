package agent

import (
	"context"
	"fmt"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// GetUefiVars answers a local instance's UEFI variable store: the NVRAM
// file its domain's firmware keeps (empty before the first boot), or
// uefi false for a domain that boots otherwise.
func (a *Agent) GetUefiVars(ctx context.Context, req *agentv1.InstanceRef) (*agentv1.UefiVars, error) {
	id := req.GetInstanceId()
	if id == "" {
		return nil, missing("InstanceId")
	}
	defer a.lock(id)()
	data, uefi, err := a.hv.NVRAM(ctx, a.domainName(id))
	if err != nil {
		return nil, orInstanceNotFound(id, fmt.Errorf("uefi variables of %s: %w", id, err))
	}
	return &agentv1.UefiVars{Uefi: uefi, Nvram: data}, nil
}
