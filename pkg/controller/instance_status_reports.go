package controller

import (
	"context"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// hostReports keeps each host's last heartbeat list of domains, the
// system status check's view of the host side. It lives in memory only:
// after a controller restart the hosts' next heartbeats refill it, and
// until then the check answers insufficient-data.
type hostReports struct {
	mu    sync.Mutex
	hosts map[string]hostReport
}

// hostReport is one heartbeat's list.
type hostReport struct {
	at      time.Time
	domains map[string]domainReport // instance ID → its domain
}

// domainReport is one domain as its host reported it.
type domainReport struct {
	state string // running, stopped, paused, crashed
	// badSince is when the domain was first reported not running, over
	// consecutive reports (zero while running).
	badSince time.Time
}

// record replaces hostID's report with list, taken at now.
func (h *hostReports) record(hostID string, now time.Time, list []host.InstanceStatus) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.hosts == nil {
		h.hosts = map[string]hostReport{}
	}
	prev := h.hosts[hostID].domains
	rep := hostReport{at: now, domains: make(map[string]domainReport, len(list))}
	for _, st := range list {
		d := domainReport{state: st.State}
		if st.State != "running" {
			d.badSince = now
			if p, ok := prev[st.InstanceID]; ok && !p.badSince.IsZero() {
				d.badSince = p.badSince
			}
		}
		rep.domains[st.InstanceID] = d
	}
	h.hosts[hostID] = rep
}

// get returns hostID's last report, if any.
func (h *hostReports) get(hostID string) (hostReport, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	rep, ok := h.hosts[hostID]
	return rep, ok
}

// noteGuestSeen records that a running instance's guest reached the
// network since it started. A heartbeat's list may predate the latest
// start (heartbeatLag), so only a list that cannot counts.
func (s *Service) noteGuestSeen(ctx context.Context, hostID, id string) {
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
	if err != nil || !needsGuestSeen(in, hostID, s.now()) {
		return
	}
	seen := false
	_, err = update(ctx, s.st, prefixInstance+id, func(r *Instance) error {
		if seen = needsGuestSeen(*r, hostID, s.now()); seen {
			r.GuestSeenAt = s.now().UTC()
		}
		return nil
	})
	if err != nil {
		s.log.Warn("record the guest seen", "instance", id, "err", err)
	} else if seen {
		s.log.Info("guest reached its metadata service", "instance", id, "host", hostID)
	}
}

// needsGuestSeen: in runs on hostID, its guest was not seen since it
// started, and a report now postdates the start.
func needsGuestSeen(in Instance, hostID string, now time.Time) bool {
	return in.HostID == hostID && in.State == StateRunning && !guestSeenSinceStart(in) &&
		now.Sub(in.StateChangedAt) >= heartbeatLag
}

// guestSeenSinceStart reports whether the guest was seen since the
// instance last became running.
func guestSeenSinceStart(in Instance) bool {
	return !in.GuestSeenAt.IsZero() && !in.GuestSeenAt.Before(in.StateChangedAt)
}
