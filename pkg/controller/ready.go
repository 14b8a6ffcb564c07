package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// ReadyCheck is one of the checks that decide whether the region is ready
// to serve: Err is nil when it passed.
type ReadyCheck struct {
	Name string
	Err  error
}

// readyPassAge is how recent the reconciler's last completed pass must be
// (a pass starts every reconcileInterval; a slow agent may stretch one).
const readyPassAge = time.Minute

// readyProbeKey is the key the store check writes and deletes.
const readyProbeKey = "/readyz/probe"

// Ready runs the readiness checks, in a fixed order: the store takes a
// write, every zone has a host whose agent is connected and heartbeated
// within the heartbeat timeout, and the reconciler completed a pass within
// readyPassAge (unless this replica is a follower: SetFollower).
func (s *Service) Ready(ctx context.Context) []ReadyCheck {
	return []ReadyCheck{
		{Name: "store", Err: s.storeWritable(ctx)},
		{Name: "agents", Err: s.zonesServed(ctx)},
		{Name: "reconciler", Err: s.reconcilerFresh(time.Now())},
	}
}

// storeWritable writes a probe key and deletes it, through the backing
// store (the record cache passes both on).
func (s *Service) storeWritable(ctx context.Context) error {
	val := []byte(s.now().UTC().Format(time.RFC3339Nano))
	if _, err := s.st.Txn(ctx, store.Op{Key: readyProbeKey, Value: val, ExpectRevision: store.AnyRevision}); err != nil {
		return fmt.Errorf("write probe: %w", err)
	}
	if _, err := s.st.Txn(ctx, store.Op{Key: readyProbeKey, Delete: true, ExpectRevision: store.AnyRevision}); err != nil {
		return fmt.Errorf("delete probe: %w", err)
	}
	return nil
}

// zonesServed fails naming every configured zone without a live agent.
func (s *Service) zonesServed(ctx context.Context) error {
	hs, err := s.Hosts(ctx)
	if err != nil {
		return fmt.Errorf("list hosts: %w", err)
	}
	live := map[string]bool{}
	for _, h := range hs {
		if _, err := s.agent(h.ID); err == nil && s.now().Sub(h.LastHeartbeat) <= s.cfg.HeartbeatTimeout.Duration {
			live[h.AZ] = true
		}
	}
	var missing []string
	for _, z := range s.cfg.AvailabilityZones {
		if !live[z.Name] {
			missing = append(missing, "zone "+z.Name+" has no live agent")
		}
	}
	if len(missing) > 0 {
		return errors.New(strings.Join(missing, "; "))
	}
	return nil
}

func (s *Service) reconcilerFresh(now time.Time) error {
	last := s.LastPass()
	switch {
	case s.loop.follower.Load():
		return nil // the elected leader reconciles; its readiness covers it
	case last.IsZero():
		return errors.New("no pass completed yet")
	case now.Sub(last) > readyPassAge:
		return fmt.Errorf("last completed pass %s ago (limit %s)", now.Sub(last).Round(time.Second), readyPassAge)
	}
	return nil
}
