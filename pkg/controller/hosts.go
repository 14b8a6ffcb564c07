package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// AddHost registers a host (or refreshes it after an agent restart) and
// starts following its lifecycle events.
func (s *Service) AddHost(ctx context.Context, inv host.Inventory, addr string, client host.Host) (string, error) {
	if inv.HostID == "" {
		return "", ec2err.New(ec2err.MissingParameter, "host inventory needs a host ID")
	}
	if _, ok := s.cfg.Zone(inv.AvailabilityZone); !ok {
		return "", ec2err.New(ec2err.InvalidParameterValue, "host %s: zone %q is not a zone of region %s",
			inv.HostID, inv.AvailabilityZone, s.cfg.Region)
	}
	rec := hostFromInventory(inv, addr, s.now())
	key := prefixHost + rec.ID
	old, _, err := store.GetJSON[HostRecord](ctx, s.st, key)
	if err == nil {
		rec.LastPlaced = old.LastPlaced
	}
	if err := put(ctx, s.st, key, rec); err != nil {
		return "", fmt.Errorf("register host %s: %w", rec.ID, err)
	}
	if err == nil && !old.Healthy {
		s.log.Info("host back", "host", rec.ID, "az", rec.AZ)
		s.setImpaired(ctx, rec.ID, false)
	}
	s.mu.Lock()
	s.agents[rec.ID] = client
	s.mu.Unlock()
	s.log.Info("host registered", "host", rec.ID, "az", rec.AZ, "address", addr,
		"domain_type", inv.DomainType, "reason", inv.DomainTypeReason, "vcpus", rec.VCPUs, "memory_mib", rec.MemoryMiB)
	go s.followEvents(rec.ID, client)
	s.Kick()
	return rec.ID, nil
}

func hostFromInventory(inv host.Inventory, addr string, now time.Time) HostRecord {
	var localFree, localTotal int64
	for _, p := range inv.Pools {
		if !p.Shared {
			localFree += p.FreeBytes / 1e9
			localTotal += p.TotalBytes / 1e9
		}
	}
	free := 0
	for _, g := range inv.GPUs {
		if g.UsedBy == "" {
			free++
		}
	}
	return HostRecord{ID: inv.HostID, AZ: inv.AvailabilityZone, Address: addr,
		DomainType: inv.DomainType, VCPUs: int(inv.VCPUs), MemoryMiB: inv.MemoryMiB,
		HugepagesFree: inv.HugepagesFree, GPUs: len(inv.GPUs), FreeGPUs: free,
		FreeLocalGB: localFree, LocalGB: localTotal, HugepagesTotal: inv.HugepagesTotal, PinnedCPUs: len(inv.PinnedCPUs), AgentVersion: inv.AgentVersion,
		LastHeartbeat: now, Healthy: true, VTEP: inv.VTEP}
}

// Heartbeat records a host's liveness, capacity and the instances it runs.
// A host whose agent is not connected to this process (ec2d restarted
// since it registered) is told so, and its agent registers again.
func (s *Service) Heartbeat(ctx context.Context, hostID string, inv *host.Inventory, instances []host.InstanceStatus) error {
	if _, err := s.agent(hostID); err != nil {
		return ec2err.New(ec2err.InvalidHostIDNotFound, "host %s is not registered with this controller: register again", hostID)
	}
	wasHealthy := true
	_, err := update(ctx, s.st, prefixHost+hostID, func(h *HostRecord) error {
		wasHealthy = h.Healthy
		placed := h.LastPlaced
		addr := h.Address
		if inv != nil {
			*h = hostFromInventory(*inv, addr, s.now())
		}
		h.LastPlaced = placed
		h.LastHeartbeat = s.now()
		h.Healthy = true
		return nil
	})
	if err != nil {
		return fmt.Errorf("heartbeat %s: %w", hostID, err)
	}
	if !wasHealthy {
		s.log.Info("host back", "host", hostID)
		s.setImpaired(ctx, hostID, false)
	}
	s.reports.record(hostID, s.now(), instances)
	for _, st := range instances {
		s.observe(ctx, hostID, st.InstanceID, st.State, st.Reason, seenByHeartbeat)
		if st.GuestSeen {
			s.noteGuestSeen(ctx, hostID, st.InstanceID)
		}
	}
	return nil
}

// Hosts lists registered hosts, sorted by ID.
func (s *Service) Hosts(ctx context.Context) ([]HostRecord, error) {
	hs, err := store.ListJSON[HostRecord](ctx, s.st, prefixHost)
	if err != nil {
		return nil, err
	}
	sort.Slice(hs, func(i, j int) bool { return hs[i].ID < hs[j].ID })
	return hs, nil
}

// DescribeHosts lists the region's hypervisor hosts to the operator: their
// addresses and load are the region's, not a tenant's, so any other caller
// is refused.
func (s *Service) DescribeHosts(ctx context.Context) ([]HostRecord, error) {
	if k, ok := auth.FromContext(ctx); !ok || !k.Admin {
		return nil, ec2err.New(ec2err.UnauthorizedOperation,
			"You are not authorized to perform this operation: DescribeHosts is for the region's operator (admin key)")
	}
	return s.Hosts(ctx)
}

func (s *Service) agent(hostID string) (host.Host, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.agents[hostID]
	if !ok {
		return nil, fmt.Errorf("host %s: agent not connected", hostID)
	}
	return c, nil
}

// agentForZone returns any connected, healthy host's agent in az (for pool work).
func (s *Service) agentForZone(ctx context.Context, az string) (string, host.Host, error) {
	hs, err := s.Hosts(ctx)
	if err != nil {
		return "", nil, err
	}
	for _, h := range hs {
		if h.AZ != az || !h.Healthy {
			continue
		}
		if c, err := s.agent(h.ID); err == nil {
			return h.ID, c, nil
		}
	}
	return "", nil, ec2err.New(ec2err.InsufficientInstanceCapacity, "no healthy host in %s", az)
}

// followEvents applies an agent's lifecycle events as they happen, and
// reconnects while the agent stays registered.
func (s *Service) followEvents(hostID string, c host.Host) {
	for {
		s.mu.Lock()
		cur := s.agents[hostID]
		s.mu.Unlock()
		if cur != c {
			return
		}
		ctx, cancel := context.WithCancel(context.Background())
		stream, err := c.WatchEvents(ctx)
		if err == nil {
			for {
				ev, err := stream.Recv()
				if err != nil {
					break
				}
				s.observe(context.Background(), hostID, ev.InstanceID, ev.State, ev.Reason, seenByEvent)
			}
		}
		cancel()
		time.Sleep(time.Second)
	}
}

// hostHooks registers the health check of the hosts.
func (s *Service) hostHooks(h *hooks) { h.sweep("hosts", s.checkHostHealth) }

// checkHostHealth marks hosts whose heartbeats stopped as unhealthy and
// their instances impaired (never silently lost).
func (s *Service) checkHostHealth(ctx context.Context) {
	hs, err := s.Hosts(ctx)
	if err != nil {
		return
	}
	for _, h := range hs {
		stale := s.now().Sub(h.LastHeartbeat) > s.cfg.HeartbeatTimeout.Duration
		if stale == !h.Healthy {
			continue
		}
		changed := false
		_, _ = update(ctx, s.st, prefixHost+h.ID, func(r *HostRecord) error {
			// judge the fresh record: a heartbeat may have landed since the list
			stale = s.now().Sub(r.LastHeartbeat) > s.cfg.HeartbeatTimeout.Duration
			changed = stale == r.Healthy
			r.Healthy = !stale
			return nil
		})
		if !changed {
			continue
		}
		s.log.Warn("host health changed", "host", h.ID, "az", h.AZ, "healthy", !stale, "last_heartbeat", h.LastHeartbeat)
		s.setImpaired(ctx, h.ID, stale)
	}
}

func (s *Service) setImpaired(ctx context.Context, hostID string, impaired bool) {
	insts, _ := s.instancesBy(ctx, "host", hostID)
	for _, in := range insts {
		if in.HostID != hostID || in.State == StateTerminated || in.Impaired == impaired {
			continue
		}
		_, _ = update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error {
			r.Impaired = impaired
			r.TransitionReason = impairedReason(r.TransitionReason, hostID, impaired, s.now())
			return nil
		})
	}
}

// impairedPrefix starts the state transition reason of an instance whose
// host stopped reporting (the public API has no instance-status call, so
// DescribeInstances shows it there); the reason it had before follows " | ".
const impairedPrefix = "impaired: "

// impairedReason sets or clears the impaired note on a transition reason,
// keeping the reason it replaced.
func impairedReason(cur, hostID string, impaired bool, now time.Time) string {
	if strings.HasPrefix(cur, impairedPrefix) {
		_, prev, _ := strings.Cut(cur, " | ")
		cur = prev
	}
	if !impaired {
		return cur
	}
	note := fmt.Sprintf("%shost %s stopped reporting (%s)", impairedPrefix, hostID, now.UTC().Format(time.RFC3339))
	if cur == "" {
		return note
	}
	return note + " | " + cur
}

// zoneState is available when the zone has a healthy host, impaired otherwise.
func zoneState(hs []HostRecord, az string) (string, string) {
	total, healthy := 0, 0
	for _, h := range hs {
		if h.AZ == az {
			total++
			if h.Healthy {
				healthy++
			}
		}
	}
	switch {
	case healthy > 0:
		return "available", ""
	case total == 0:
		return "impaired", "no hosts registered in " + az
	}
	return "impaired", strings.TrimSpace(fmt.Sprintf("%d of %d hosts unhealthy", total-healthy, total))
}

// HostAllocation is what the instances placed on a host hold of it.
type HostAllocation struct {
	VCPUs, Instances int
	MemoryMiB        int64
}

// HostsAllocation returns, by host ID, what the instances on each host hold
// (those in a capacity-holding state), from the record cache: the
// allocation DescribeHosts reports. Like DescribeHosts, it is for the
// admin key only.
func (s *Service) HostsAllocation(ctx context.Context) (map[string]HostAllocation, error) {
	if k, ok := auth.FromContext(ctx); !ok || !k.Admin {
		return nil, ec2err.New(ec2err.UnauthorizedOperation,
			"You are not authorized to perform this operation: host allocation is for the region's operator (admin key)")
	}
	byHost, _, err := s.schedulerUsage(ctx)
	if err != nil {
		return nil, fmt.Errorf("host allocation: %w", err)
	}
	out := make(map[string]HostAllocation, len(byHost))
	for id, u := range byHost {
		out[id] = HostAllocation{VCPUs: u.VCPUs, Instances: u.Instances, MemoryMiB: u.MemoryMiB}
	}
	return out, nil
}
