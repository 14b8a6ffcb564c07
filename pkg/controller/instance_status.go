package controller

import (
	"context"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// Status check values (EC2's SummaryStatus and StatusType).
const (
	StatusOK               = "ok"
	StatusImpaired         = "impaired"
	StatusInitializing     = "initializing"
	StatusInsufficientData = "insufficient-data"
	StatusNotApplicable    = "not-applicable"
	CheckPassed            = "passed"
	CheckFailed            = "failed"
)

// guestCheckGrace is how long after it starts a guest may take to reach
// the network before its instance status check fails (EC2 shows
// initializing for a few minutes too; a slow emulated boot needs more).
const guestCheckGrace = 10 * time.Minute

// StatusCheck is one status check: Status (ok, impaired, initializing,
// insufficient-data, not-applicable) and its reachability detail (passed,
// failed, initializing, insufficient-data; "" when not applicable), with
// ImpairedSince while it fails (zero when unknown).
type StatusCheck struct {
	Status, Reachability string
	ImpairedSince        time.Time
}

// InstanceStatus is EC2's InstanceStatus of one instance: the system check
// (its host reports it and runs its domain) and the instance check (its
// guest is up with its network configured). ec2lab schedules no events.
type InstanceStatus struct {
	InstanceID, AZ, State string
	System, Instance      StatusCheck
}

// StatusQuery is DescribeInstanceStatus' input.
type StatusQuery struct {
	IDs     []string
	Filters []Filter
	// IncludeAll answers every instance; otherwise running ones only.
	IncludeAll bool
	Page       Page
	DryRun     bool
}

// DescribeInstanceStatus reports the status checks of the caller's
// instances, filtered and paginated, by instance ID.
func (s *Service) DescribeInstanceStatus(ctx context.Context, q StatusQuery) ([]InstanceStatus, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(q.Page, len(q.IDs) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	insts, err := s.ownedInstances(ctx, acct, q.IDs)
	if err != nil {
		return nil, "", err
	}
	if q.DryRun {
		return nil, "", DryRun()
	}
	hosts := s.hostsByID(ctx)
	byID := map[string]InstanceStatus{}
	var keys []string
	for _, in := range insts {
		if !q.IncludeAll && in.State != StateRunning {
			continue
		}
		st := s.instanceStatus(in, hosts)
		ok, err := matches(q.Filters, func(n string) ([]string, bool) { return statusField(st, n) })
		if err != nil {
			return nil, "", err
		}
		if ok {
			byID[in.ID] = st
			keys = append(keys, in.ID)
		}
	}
	sort.Strings(keys)
	page, next, err := paginate(keys, q.Page)
	if err != nil {
		return nil, "", err
	}
	out := make([]InstanceStatus, len(page))
	for i, id := range page {
		out[i] = byID[id]
	}
	return out, next, nil
}

// hostsByID are the registered hosts (none when the store fails: every
// check then reads as a host gone).
func (s *Service) hostsByID(ctx context.Context) map[string]HostRecord {
	hs, _ := store.ListJSON[HostRecord](ctx, s.st, prefixHost)
	out := make(map[string]HostRecord, len(hs))
	for _, h := range hs {
		out[h.ID] = h
	}
	return out
}

// instanceStatus judges both checks of in; anything not running has none
// that apply.
func (s *Service) instanceStatus(in Instance, hosts map[string]HostRecord) InstanceStatus {
	st := InstanceStatus{InstanceID: in.ID, AZ: in.AZ, State: in.State,
		System: StatusCheck{Status: StatusNotApplicable}, Instance: StatusCheck{Status: StatusNotApplicable}}
	if in.State != StateRunning {
		return st
	}
	h, known := hosts[in.HostID]
	hostAway := !known || !h.Healthy || in.Impaired
	if hostAway {
		st.System = StatusCheck{Status: StatusImpaired, Reachability: CheckFailed, ImpairedSince: h.LastHeartbeat}
		st.Instance = StatusCheck{Status: StatusInsufficientData, Reachability: StatusInsufficientData}
		return st
	}
	rep, reported := s.reports.get(in.HostID)
	st.System = systemCheck(in, rep, reported)
	st.Instance = guestCheck(in, st.System, s.now())
	return st
}

// systemCheck of an instance whose host is healthy: its last report lists
// the domain running.
func systemCheck(in Instance, rep hostReport, reported bool) StatusCheck {
	switch {
	case !reported:
		return StatusCheck{Status: StatusInsufficientData, Reachability: StatusInsufficientData}
	}
	d, listed := rep.domains[in.ID]
	switch {
	case listed && d.state == "running":
		return StatusCheck{Status: StatusOK, Reachability: CheckPassed}
	case rep.at.Sub(in.StateChangedAt) < heartbeatLag:
		// the list may predate the start
		return StatusCheck{Status: StatusInitializing, Reachability: StatusInitializing}
	}
	return StatusCheck{Status: StatusImpaired, Reachability: CheckFailed, ImpairedSince: d.badSince}
}

// guestCheck: the guest reached its metadata service since it started,
// which takes a booted guest with its network configured. Until the
// system check passes it answers as that check does (a domain that is not
// running has no guest running either).
func guestCheck(in Instance, sys StatusCheck, now time.Time) StatusCheck {
	switch {
	case sys.Status != StatusOK:
		return sys
	case guestSeenSinceStart(in):
		return StatusCheck{Status: StatusOK, Reachability: CheckPassed}
	case now.Sub(in.StateChangedAt) < guestCheckGrace:
		return StatusCheck{Status: StatusInitializing, Reachability: StatusInitializing}
	}
	return StatusCheck{Status: StatusImpaired, Reachability: CheckFailed, ImpairedSince: in.StateChangedAt.Add(guestCheckGrace)}
}

// statusField answers DescribeInstanceStatus' filters; the event filters
// match nothing (no events are scheduled).
func statusField(st InstanceStatus, name string) ([]string, bool) {
	switch name {
	case "availability-zone":
		return []string{st.AZ}, true
	case "instance-state-name":
		return []string{st.State}, true
	case "instance-state-code":
		return []string{strconv.Itoa(int(StateCode(st.State)))}, true
	case "instance-status.status":
		return []string{st.Instance.Status}, true
	case "system-status.status":
		return []string{st.System.Status}, true
	case "instance-status.reachability":
		return nonEmpty(st.Instance.Reachability), true
	case "system-status.reachability":
		return nonEmpty(st.System.Reachability), true
	}
	if strings.HasPrefix(name, "event.") {
		switch strings.TrimPrefix(name, "event.") {
		case "code", "description", "instance-event-id", "not-after", "not-before", "not-before-deadline":
			return nil, true
		}
	}
	return nil, false
}
