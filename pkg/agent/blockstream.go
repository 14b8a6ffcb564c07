package agent

import (
	"context"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// StreamVolume merges, live, the layers between the head of a volume a
// running instance has open and new_backing (a deeper layer of the head's
// chain; "" flattens it) into the head, through a libvirt block stream.
// Offline the controller does this itself (storage.Pool.Reparent); a
// running QEMU owns the head, so only it may write there. Encrypted chains
// work too: QEMU already holds the volume's key. Afterwards the skipped
// layers are closed and the head's header names new_backing relatively.
func (a *Agent) StreamVolume(ctx context.Context, req *agentv1.StreamVolumeRequest) (*agentv1.VolumeInfo, error) {
	id, head, base := req.GetInstanceId(), req.GetVolumeId(), req.GetNewBacking()
	if id == "" || head == "" {
		return nil, missing("InstanceId and VolumeId")
	}
	defer a.lock(id)()
	pool := a.cfg.SharedPool
	info, err := pool.Info(ctx, head)
	if err != nil {
		return nil, orVolumeNotFound(head, err)
	}
	i := len(info.Chain)
	if base != "" {
		if i = slices.Index(info.Chain, base); i < 1 {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "%s is not a layer below %s (chain %v)", base, head, info.Chain)
		}
	}
	if i == 1 {
		return volumeInfo(pool, head, info), nil // nothing in between: done before
	}
	target, err := a.openHead(ctx, id, head)
	if err != nil {
		return nil, err
	}
	basePath := ""
	if base != "" {
		basePath = pool.Path(base)
	}
	if err := a.hv.StreamDisk(ctx, a.domainName(id), target, basePath); err != nil {
		return nil, fmt.Errorf("stream volume %s onto %q: %w", head, base, err)
	}
	after, err := pool.Info(ctx, head)
	if err != nil {
		return nil, err
	}
	if after.Backing != base {
		return nil, fmt.Errorf("stream volume %s: its header names backing %q, want %q", head, after.Backing, base)
	}
	// The saved spec's chain (spelled out for encrypted disks) must not name
	// the merged layers; libvirt updates its own definition itself.
	if err := a.repointDisk(ctx, id, pool.Path(head), pool.Path(head), false); err != nil {
		a.log.Warn("stream: spec chain not refreshed", "instance", id, "err", err)
	}
	return volumeInfo(pool, head, after), nil
}

// openHead is the target of the writable disk of running instance id whose
// active file is head (a shared-pool file name).
func (a *Agent) openHead(ctx context.Context, id, head string) (string, error) {
	st, err := a.status(ctx, id)
	if err != nil {
		return "", err
	}
	if st.State != "running" && st.State != "paused" {
		return "", ec2err.New(ec2err.IncorrectInstanceState, "instance %s is %s; a live merge needs it running", id, st.State)
	}
	for _, d := range st.Disks {
		if d.Path == head && !d.ReadOnly {
			return d.Target, nil
		}
	}
	return "", ec2err.New(ec2err.IncorrectState, "%s is not the active file of a writable disk of %s", head, id)
}
