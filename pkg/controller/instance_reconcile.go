package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// maxLaunchAttempts bounds retries of a launch before the instance is
// terminated with a reason.
const maxLaunchAttempts = 6

// instanceHooks registers the instances' sweep, which gates the pass, the
// collector of domains no record owns (gc_domains.go) and their tags.
func (s *Service) instanceHooks(h *hooks) {
	h.gate("instances", s.reconcileInstances)
	h.collector("domains", s.collectDomains)
	t := recordTags(s, ids.Instance, "instance", prefixInstance, func(r *Instance) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags })
	t.describe = func(ctx context.Context, acct string) (out []TagDescription) {
		insts, _ := s.instancesBy(ctx, "owner", acct)
		for _, r := range insts {
			if r.Owner == acct {
				out = t.describeTags(out, r.ID, r.Tags)
			}
		}
		return out
	}
	h.tags(t)
}

// reconcileInstances starts the work of every instance whose state calls
// for it, forgets terminated instances after their retention, and retries
// metadata options their hosts missed.
func (s *Service) reconcileInstances(ctx context.Context) error {
	insts, err := s.instances(ctx)
	if err != nil {
		return fmt.Errorf("list instances: %w", err)
	}
	now := s.now()
	for _, in := range insts {
		switch in.State {
		case StatePending, StateStopping, StateShuttingDown:
			if now.After(in.NextAttempt) {
				go s.driveInstance(ctx, in.ID)
			}
		case StateTerminated:
			if now.Sub(in.StateChangedAt) > s.cfg.TerminatedRetention.Duration {
				_, _ = s.st.Txn(ctx, store.Op{Key: prefixInstance + in.ID, Delete: true, ExpectRevision: -1})
			}
		}
	}
	s.pushUnpushedMetadata(ctx, insts)
	return nil
}

// driveInstance performs the work an instance's state calls for, once.
func (s *Service) driveInstance(parent context.Context, id string) {
	unlock, ok := s.lockResource(id)
	if !ok {
		return
	}
	defer unlock()
	ctx, cancel := context.WithTimeout(parent, 5*time.Minute)
	defer cancel()
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
	if err != nil {
		return
	}
	switch in.State {
	case StatePending:
		err = s.launch(ctx, in)
	case StateStopping:
		err = s.powerOff(ctx, in)
	case StateShuttingDown:
		err = s.destroy(ctx, in)
	default:
		return
	}
	if err != nil {
		s.retryLater(ctx, in, err)
	}
}

func (s *Service) retryLater(ctx context.Context, in Instance, cause error) {
	s.log.Warn("instance work failed, will retry", "instance", in.ID, "state", in.State, "attempt", in.Attempts+1, "err", cause)
	_, _ = update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error {
		if r.State != in.State {
			return nil
		}
		r.Attempts++
		backoff := retryBackoff(r.Attempts)
		r.NextAttempt = s.now().Add(backoff)
		if r.State == StatePending && r.Attempts >= maxLaunchAttempts {
			r.State, r.StateChangedAt = StateShuttingDown, s.now()
			r.StateReasonCode = "Server.InternalError"
			r.StateReasonMessage = "Server.InternalError: launch failed: " + cause.Error()
			r.Attempts, r.NextAttempt = 0, time.Time{}
		}
		return nil
	})
}

// setState moves an instance to a new state if it is still in from.
func (s *Service) setState(ctx context.Context, id, from, to string, mut func(*Instance)) error {
	_, err := updateAlso(ctx, s.st, prefixInstance+id, func(r *Instance) ([]store.Op, error) {
		if r.State != from {
			return nil, nil
		}
		held := holdsAddress(*r)
		r.State, r.StateChangedAt = to, s.now().UTC()
		r.Attempts, r.NextAttempt = 0, time.Time{}
		if mut != nil {
			mut(r)
		}
		if held && !holdsAddress(*r) { // terminated: the address's claim goes with it
			return s.releaseClaimOps(ctx, r.SubnetID, r.PrivateIP, r.ID)
		}
		return nil, nil
	})
	if err == nil && from != to {
		s.log.Info("instance state", "instance", id, "from", from, "to", to)
	}
	return err
}

// heartbeatLag is how long after an instance's last state change a
// heartbeat's list may still predate it: heartbeats act on an instance
// only after that (libvirt events act at once).
const heartbeatLag = 30 * time.Second

// Sources of an observed domain state.
const (
	seenByEvent     = "event"
	seenByHeartbeat = "heartbeat"
)

// observe applies a domain state a host reports, from a libvirt event or a
// heartbeat's list (which may be a little older than the record; it
// catches what events missed, e.g. while libvirtd restarted).
func (s *Service) observe(ctx context.Context, hostID, id, state, reason, seenBy string) {
	if id == "" || (state != "stopped" && state != "crashed") {
		return
	}
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
	if err != nil || in.HostID != hostID || in.Op != "" || in.State != StateRunning {
		return
	}
	if seenBy == seenByHeartbeat && s.now().Sub(in.StateChangedAt) < heartbeatLag {
		return
	}
	msg := "Client.InstanceInitiatedShutdown: Instance initiated shutdown"
	if state == "crashed" {
		msg = "Server.InternalError: the guest crashed"
	}
	// The guest is off already; the stop worker still has its host release
	// what a stop releases (instance-store disks are wiped). A guest that
	// shut down with InstanceInitiatedShutdownBehavior terminate is
	// terminated instead (even with DisableApiTermination, as on EC2).
	moved, to := false, StateStopping
	_, err = update(ctx, s.st, prefixInstance+id, func(r *Instance) error {
		if r.State != StateRunning || r.Op != "" || r.HostID != hostID {
			return nil
		}
		moved, to = true, guestStopLeadsTo(*r, state)
		r.State, r.StateChangedAt, r.Attempts, r.NextAttempt = to, s.now().UTC(), 0, time.Time{}
		if to == StateStopping {
			r.Op = opGuestStopped
		}
		r.StateReasonCode, r.StateReasonMessage = reasonCode(msg), msg
		r.TransitionReason = "User initiated shutdown (" + reason + ")"
		return nil
	})
	if err != nil || !moved {
		return
	}
	s.log.Info("guest powered off", "instance", id, "state", state, "seen_by", seenBy, "to", to)
	go s.driveInstance(context.WithoutCancel(ctx), id)
}

// guestStopLeadsTo is where a guest's own power-off takes its instance:
// shutting-down when it shut down cleanly and its shutdown behaviour is
// terminate, stopping otherwise (a crash always stops).
func guestStopLeadsTo(in Instance, domainState string) string {
	if domainState == "stopped" && in.shutdownBehavior() == ShutdownTerminate {
		return StateShuttingDown
	}
	return StateStopping
}

func reasonCode(msg string) string {
	for i := range msg {
		if msg[i] == ':' {
			return msg[:i]
		}
	}
	return msg
}
