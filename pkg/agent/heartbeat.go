package agent

import (
	"context"
	"fmt"
	"time"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Backoff bounds for re-registering after a failed heartbeat.
const (
	minBackoff = time.Second
	maxBackoff = 30 * time.Second
)

// RunHeartbeats registers with the controller and then sends a heartbeat
// (inventory and instances) every interval until ctx ends. A failed
// heartbeat leads to registering again, with exponential backoff. The
// controller's heartbeat_interval_seconds, when set, wins over interval.
func (a *Agent) RunHeartbeats(ctx context.Context, reg agentv1.RegistryClient, advertiseAddr string, interval time.Duration) error {
	backoff := minBackoff
	for {
		hostID, every, err := a.register(ctx, reg, advertiseAddr, interval)
		if err == nil {
			backoff = minBackoff
			err = a.beat(ctx, reg, hostID, every)
		}
		if ctx.Err() != nil {
			return nil
		}
		a.log.Warn("controller unreachable, registering again", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, maxBackoff)
	}
}

func (a *Agent) register(ctx context.Context, reg agentv1.RegistryClient, addr string, interval time.Duration) (string, time.Duration, error) {
	inv, err := a.Inventory(ctx)
	if err != nil {
		return "", 0, err
	}
	resp, err := reg.Register(ctx, &agentv1.RegisterRequest{Inventory: inv, AgentAddress: addr})
	if err != nil {
		return "", 0, fmt.Errorf("register: %w", err)
	}
	if s := resp.GetHeartbeatIntervalSeconds(); s > 0 {
		interval = time.Duration(s) * time.Second
	}
	hostID := resp.GetHostId()
	if hostID == "" {
		hostID = a.cfg.HostID
	}
	a.log.Info("registered with controller", "host", hostID, "heartbeat", interval)
	return hostID, interval, nil
}

// beat sends heartbeats until one fails or ctx ends.
func (a *Agent) beat(ctx context.Context, reg agentv1.RegistryClient, hostID string, every time.Duration) error {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		inv, err := a.Inventory(ctx)
		if err != nil {
			return err
		}
		list, err := a.ListInstances(ctx, &agentv1.ListInstancesRequest{})
		if err != nil {
			return err
		}
		req := &agentv1.HeartbeatRequest{HostId: hostID, Inventory: inv, Instances: list.GetInstances()}
		if _, err := reg.Heartbeat(ctx, req); err != nil {
			return fmt.Errorf("heartbeat: %w", err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
