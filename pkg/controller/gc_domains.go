package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// collectDomains destroys the domains of connected hosts that no record
// owns (no instance, another host's, or terminated), once they stayed
// unowned for the grace period.
func (s *Service) collectDomains(ctx context.Context, seen map[string]bool) {
	for hostID, ag := range s.connectedAgents() {
		list, err := ag.ListInstances(ctx)
		if err != nil {
			continue
		}
		for _, d := range list {
			in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+d.InstanceID)
			if err == nil && in.HostID == hostID && in.State != StateTerminated {
				continue
			}
			key := hostID + "/" + d.InstanceID
			seen[key] = true
			if s.graceOver(key) {
				s.log.Warn("garbage collector: destroying domain no record owns", "host", hostID, "instance", d.InstanceID, "domain", d.DomainName)
				_ = ag.DestroyInstance(ctx, d.InstanceID)
			}
		}
	}
}
