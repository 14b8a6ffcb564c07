package agent

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/crashpoint"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/storage"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// snapshotHead names the head a volume gets when snapshot snap freezes its
// current head: the volume ID (the file name up to its first dot) + "." +
// snapshot ID, e.g. "vol-0abc.0.qcow2" + "snap-01" → "vol-0abc.snap-01.qcow2".
func snapshotHead(head, snap string) string {
	base, _, _ := strings.Cut(strings.TrimSuffix(head, ".qcow2"), ".")
	return base + "." + snap + ".qcow2"
}

// SnapshotVolume freezes the volume's head (volume_id, a file name) as an
// immutable layer and gives the volume a new head overlaying it: live
// (external disk-only snapshot) when instance_id names a running instance,
// offline (qemu-img) otherwise. It answers layer = the old head, head = the
// new head. A retry after success answers the same.
func (a *Agent) SnapshotVolume(ctx context.Context, req *agentv1.SnapshotVolumeRequest) (*agentv1.SnapshotVolumeResponse, error) {
	head, pool := req.GetVolumeId(), a.cfg.SharedPool
	if head == "" || req.GetSnapshotId() == "" {
		return nil, missing("VolumeId and SnapshotId")
	}
	if id := req.GetInstanceId(); id != "" {
		defer a.lock(id)()
	}
	newHead := snapshotHead(head, req.GetSnapshotId())
	info, err := pool.Info(ctx, head)
	if err != nil {
		return nil, orVolumeNotFound(head, err)
	}
	disk, live, err := a.liveDisk(ctx, req.GetInstanceId(), head, req.GetTarget())
	if err != nil {
		return nil, err
	}
	target := disk.GetTarget()
	switch ni, nerr := pool.Info(ctx, newHead); {
	case nerr == nil && ni.Backing == head:
		// A retry, perhaps after a crash part-way: finish what is left.
		err = a.finishSnapshot(ctx, req.GetInstanceId(), disk, head, newHead)
	case live:
		err = a.snapshotLive(ctx, req.GetInstanceId(), target, info, newHead, req.GetEncryptionKey())
	default:
		err = pool.Freeze(ctx, head, newHead, req.GetEncryptionKey())
	}
	if err != nil {
		return nil, fmt.Errorf("snapshot %s: %w", head, err)
	}
	if err := a.repointDisk(ctx, req.GetInstanceId(), pool.Path(head), pool.Path(newHead), !live); err != nil {
		return nil, err
	}
	return a.snapshotResponse(ctx, head, newHead)
}

func (a *Agent) snapshotLive(ctx context.Context, id, target string, head storage.Info, newHead string, key []byte) error {
	pool := a.cfg.SharedPool
	if head.Encrypted && len(key) == 0 {
		return ec2err.New(ec2err.InvalidParameterCombination, "live snapshot of encrypted volume %s needs the volume's key", head.Name)
	}
	// The new head must exist first, with a relative backing name: libvirt
	// reuses it (REUSE_EXT) instead of writing an absolute path. An
	// encrypted volume's new head is encrypted with the same key (libvirt
	// opens it with the disk's secret).
	if err := pool.Create(ctx, newHead, 0, storage.CreateOptions{Backing: head.Name, Key: key}); err != nil {
		return err
	}
	crashpoint.Hit("agent-snapshot-new-head")
	if err := a.hv.SnapshotDisk(ctx, a.domainName(id), target, pool.Path(newHead)); err != nil {
		_ = pool.Delete(context.WithoutCancel(ctx), newHead)
		return err
	}
	return os.Chmod(pool.Path(head.Name), fsmode.ReadOnly)
}

// finishSnapshot completes a snapshot whose new head exists already: a
// running domain whose disk (nil when not running) is still on the old
// head is switched to the new one (libvirt reuses the file), and the old
// head is made read-only. Each step is a no-op when it was done before.
func (a *Agent) finishSnapshot(ctx context.Context, id string, disk *agentv1.Disk, head, newHead string) error {
	pool := a.cfg.SharedPool
	if on := disk.GetPath(); on != "" && (on == head || on == pool.Path(head)) { // a shared-pool disk reports its file name
		a.log.Info("snapshot: resuming a live snapshot the domain has not taken yet", "instance", id, "head", head)
		if err := a.hv.SnapshotDisk(ctx, a.domainName(id), disk.GetTarget(), pool.Path(newHead)); err != nil {
			return err
		}
	}
	return os.Chmod(pool.Path(head), fsmode.ReadOnly)
}

// repointDisk records that instance id's disk moved from oldPath to
// newPath; redefine is needed for a stopped domain (a live snapshot already
// updated libvirt's definition).
func (a *Agent) repointDisk(ctx context.Context, id, oldPath, newPath string, redefine bool) error {
	if id == "" {
		return nil
	}
	s, err := a.loadSpec(id)
	if err != nil {
		return nil // not ours to track
	}
	changed := false
	for i := range s.Domain.Disks {
		if s.Domain.Disks[i].Path == oldPath {
			s.Domain.Disks[i].Path, changed = newPath, true
			if err := a.fillChain(ctx, &s.Domain.Disks[i]); err != nil {
				return err
			}
		}
	}
	if !changed {
		return nil
	}
	if err := a.saveSpec(id, s); err != nil {
		return err
	}
	if !redefine {
		return nil
	}
	if _, err := a.hv.Get(ctx, s.Domain.Name); err != nil {
		return nil // no domain to update
	}
	return a.hv.Define(ctx, s.Domain)
}

func (a *Agent) snapshotResponse(ctx context.Context, layer, head string) (*agentv1.SnapshotVolumeResponse, error) {
	stored, err := a.cfg.SharedPool.StoredBytes(ctx, layer)
	if err != nil {
		return nil, err
	}
	return &agentv1.SnapshotVolumeResponse{Layer: layer, Head: head, StoredBytes: stored}, nil
}
