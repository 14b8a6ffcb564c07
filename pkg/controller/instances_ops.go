package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/scheduler"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// StateChange is one instance's transition as Start/Stop/Terminate report it.
type StateChange struct {
	InstanceID      string
	Previous, State string
}

// transition describes a lifecycle call: which states it accepts, where
// each goes, and which it leaves as they are.
type transition struct {
	name  string
	moves map[string]string // from → to
	noop  map[string]bool   // states already where the call leads
	check func(Instance) error
}

var (
	startT = transition{name: "start",
		moves: map[string]string{StateStopped: StatePending},
		noop:  map[string]bool{StatePending: true, StateRunning: true}}
	stopT = transition{name: "stop",
		moves: map[string]string{StateRunning: StateStopping, StatePending: StateStopping},
		noop:  map[string]bool{StateStopping: true, StateStopped: true},
		check: func(in Instance) error {
			if in.DisableAPIStop {
				return ec2err.New(ec2err.OperationNotPermitted, "The instance '%s' may not be stopped. Modify its 'disableApiStop' instance attribute and try again.", in.ID)
			}
			return nil
		}}
	terminateT = transition{name: "terminate",
		moves: map[string]string{StatePending: StateShuttingDown, StateRunning: StateShuttingDown,
			StateStopping: StateShuttingDown, StateStopped: StateShuttingDown},
		noop: map[string]bool{StateShuttingDown: true, StateTerminated: true},
		check: func(in Instance) error {
			if in.DisableAPITermination {
				return ec2err.New(ec2err.OperationNotPermitted, "The instance '%s' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again.", in.ID)
			}
			return nil
		}}
)

// StartInstances starts stopped instances. As RunInstances, it checks the
// account's vCPU quota and places under s.mu, so a start and a launch
// never both pass the quota or take the same host capacity.
func (s *Service) StartInstances(ctx context.Context, idList []string, dryRun bool) ([]StateChange, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.fitStartQuota(ctx, idList); err != nil {
		return nil, err
	}
	return s.apply(ctx, idList, dryRun, startT, nil)
}

// fitStartQuota refuses starting the named stopped instances when their
// vCPUs and those the account runs would pass its quota (EC2 answers
// VcpuLimitExceeded on start as on launch). Unknown or foreign IDs are
// left to apply, which names them.
func (s *Service) fitStartQuota(ctx context.Context, idList []string) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	insts, err := s.ownedInstances(ctx, acct, idList)
	if err != nil {
		return nil // apply answers unknown and foreign IDs with its own checks
	}
	adding := 0
	for _, in := range insts {
		if t, ok := s.types.Get(in.Type); ok && in.State == StateStopped {
			adding += t.VCPUs
		}
	}
	if adding == 0 {
		return nil
	}
	u, err := s.accountUsage(ctx, acct)
	if err != nil {
		return err
	}
	if limit := int(s.Quota(acct, QuotaVCPUs)); u.VCPUs+adding > limit {
		return ec2err.New(ec2err.VcpuLimitExceeded,
			"You have requested more vCPU capacity than your current vCPU limit of %d allows for the instance bucket that the specified instance type belongs to (%d in use, %d requested).",
			limit, u.VCPUs, adding)
	}
	return nil
}

// StopInstances stops instances, gracefully unless force.
func (s *Service) StopInstances(ctx context.Context, idList []string, force, dryRun bool) ([]StateChange, error) {
	return s.apply(ctx, idList, dryRun, stopT, func(r *Instance) {
		if force {
			r.Op = "force-stop"
		}
	})
}

// TerminateInstances terminates instances (idempotent).
func (s *Service) TerminateInstances(ctx context.Context, idList []string, dryRun bool) ([]StateChange, error) {
	out, err := s.apply(ctx, idList, dryRun, terminateT, nil)
	if len(out) > 0 {
		// Their interfaces go with them: their Elastic IPs stay allocated.
		if err := s.disassociateGone(ctx); err != nil {
			s.log.Warn("terminate: disassociate elastic IPs", "err", err)
		}
	}
	return out, err
}

// apply validates every instance first (a bad ID or state anywhere means
// nothing changes), then moves each.
func (s *Service) apply(ctx context.Context, idList []string, dryRun bool, t transition, mut func(*Instance)) ([]StateChange, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, err
	}
	if len(idList) == 0 {
		return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceId")
	}
	insts, err := s.ownedInstances(ctx, acct, idList)
	if err != nil {
		return nil, err
	}
	for _, in := range insts {
		if _, ok := t.moves[in.State]; !ok && !t.noop[in.State] {
			return nil, ec2err.New(ec2err.IncorrectInstanceState,
				"The instance '%s' is not in a state from which it can be %s (state: %s).", in.ID, pastTense(t.name), in.State)
		}
		if t.check != nil {
			if err := t.check(in); err != nil {
				return nil, err
			}
		}
	}
	if dryRun {
		return nil, DryRun()
	}
	var out []StateChange
	for _, in := range insts {
		ch, err := s.move(ctx, in.ID, t, mut)
		if err != nil {
			return out, err
		}
		out = append(out, ch)
	}
	s.Kick()
	return out, nil
}

func (s *Service) move(ctx context.Context, id string, t transition, mut func(*Instance)) (StateChange, error) {
	var ch StateChange
	_, err := s.updateInstance(ctx, id, func(r *Instance) error { // a public IP goes on stop, comes on start
		ch = StateChange{InstanceID: id, Previous: r.State, State: r.State}
		to, ok := t.moves[r.State]
		if !ok {
			return nil
		}
		if t.name == "start" {
			if err := s.placeForStart(ctx, r); err != nil {
				return err
			}
			r.StateReasonCode, r.StateReasonMessage = "", ""
		}
		r.State, r.StateChangedAt, r.Attempts, r.NextAttempt = to, s.now().UTC(), 0, time.Time{}
		if mut != nil {
			mut(r)
		}
		ch.State = to
		return nil
	})
	if err != nil {
		return ch, fmt.Errorf("%s %s: %w", t.name, id, err)
	}
	if ch.Previous != ch.State {
		s.log.Info("instance state", "instance", id, "from", ch.Previous, "to", ch.State, "by", t.name)
	}
	return ch, nil
}

func pastTense(verb string) string {
	switch verb {
	case "stop":
		return "stopped"
	case "start":
		return "started"
	}
	return verb + "d"
}

// placeForStart keeps a starting instance on its host when that host is
// healthy and has room, and otherwise moves it to another host in its AZ
// (its volumes are AZ-scoped, so they follow).
func (s *Service) placeForStart(ctx context.Context, in *Instance) error {
	t, _ := s.types.Get(in.Type)
	hosts, err := s.schedulerHosts(ctx)
	if err != nil {
		return err
	}
	for _, h := range hosts {
		if h.ID == in.HostID && h.Healthy && s.hasRoom(h, t.VCPUs, t.MemoryMiB) {
			return nil
		}
	}
	places, err := s.place(ctx, t, in.AZ, 1, 1)
	if err != nil {
		return err
	}
	if places[0].HostID != in.HostID {
		s.log.Info("instance moves host on start", "instance", in.ID, "from", in.HostID, "to", places[0].HostID)
		in.HostID = places[0].HostID
	}
	return nil
}

func (s *Service) hasRoom(h scheduler.Host, vcpus int, mem int64) bool {
	return float64(h.AllocatedVCPUs+vcpus) <= float64(h.VCPUs)*s.cfg.CPUOvercommit &&
		float64(h.AllocatedMemoryMiB+mem) <= float64(h.MemoryMiB)*s.cfg.MemoryOvercommit
}

// RebootInstances reboots running instances (asynchronously, as EC2).
func (s *Service) RebootInstances(ctx context.Context, idList []string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	insts, err := s.ownedInstances(ctx, acct, idList)
	if err != nil {
		return err
	}
	for _, in := range insts {
		if in.State != StateRunning {
			return ec2err.New(ec2err.IncorrectInstanceState, "The instance '%s' is not in the 'running' state.", in.ID)
		}
	}
	if dryRun {
		return DryRun()
	}
	for _, in := range insts {
		go s.reboot(in)
	}
	return nil
}

func (s *Service) reboot(in Instance) {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	_, _ = update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error { r.Op = "reboot"; return nil })
	defer update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error { r.Op = ""; return nil })
	ag, err := s.agent(in.HostID)
	if err == nil {
		err = ag.RebootInstance(ctx, in.ID)
	}
	if err != nil {
		s.log.Warn("reboot failed", "instance", in.ID, "err", err)
		return
	}
	s.log.Info("instance rebooted", "instance", in.ID)
}

// ConsoleOutput returns the last 64 KiB of an instance's serial console.
func (s *Service) ConsoleOutput(ctx context.Context, id string) ([]byte, time.Time, error) {
	in, err := s.instance(ctx, id)
	if err != nil {
		return nil, time.Time{}, err
	}
	ag, err := s.agent(in.HostID)
	if err != nil {
		return nil, s.now(), nil // host away: empty output, as EC2 before the first capture
	}
	out, err := ag.ConsoleOutput(ctx, in.ID)
	if err != nil {
		return nil, s.now(), nil
	}
	ts := s.now()
	if !out.At.IsZero() {
		ts = out.At
	}
	return out.Output, ts, nil
}

// OpenConsole attaches to one of the caller's running instances' live
// serial console on its host, when the account's serial console access is
// on (account_settings.go).
func (s *Service) OpenConsole(ctx context.Context, id string) (host.Console, error) {
	in, err := s.instance(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := s.checkSerialConsoleAccess(ctx, in.Owner); err != nil {
		return nil, err
	}
	if in.State != StateRunning {
		return nil, ec2err.New(ec2err.IncorrectInstanceState, "The instance '%s' is not in the 'running' state.", id)
	}
	ag, err := s.agent(in.HostID)
	if err != nil {
		return nil, err
	}
	return ag.OpenConsole(ctx, in.ID)
}

// instance returns one of the caller's instances.
func (s *Service) instance(ctx context.Context, id string) (Instance, error) {
	acct, err := account(ctx)
	if err != nil {
		return Instance{}, err
	}
	insts, err := s.ownedInstances(ctx, acct, []string{id})
	if err != nil {
		return Instance{}, err
	}
	return insts[0], nil
}

var _ = store.ErrNotFound
