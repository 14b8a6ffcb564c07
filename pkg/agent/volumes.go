package agent

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/storage"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Volume requests name volumes by FILE NAME in the pool (see the package
// doc): VolumeRef.volume_id = "vol-0abc….qcow2", the volume's current head.

// CreateVolume makes an empty volume, or an overlay of backing_layer. A
// retry of a create that succeeded returns the existing volume.
func (a *Agent) CreateVolume(ctx context.Context, req *agentv1.CreateVolumeRequest) (*agentv1.VolumeInfo, error) {
	name := req.GetVolumeId()
	if name == "" {
		return nil, missing("VolumeId")
	}
	pool := a.pool(req.GetInstanceStore())
	opt := storage.CreateOptions{Backing: req.GetBackingLayer(), Key: req.GetEncryptionKey(), BackingKey: req.GetEncryptionKey()}
	err := pool.Create(ctx, name, req.GetSizeBytes(), opt)
	if err != nil && !errors.Is(err, storage.ErrExists) {
		return nil, orVolumeNotFound(name, err)
	}
	return a.inspect(ctx, pool, name)
}

// DeleteVolume removes a volume file (no error when it is already gone).
func (a *Agent) DeleteVolume(ctx context.Context, ref *agentv1.VolumeRef) (*agentv1.DeleteVolumeResponse, error) {
	if err := a.pool(ref.GetInstanceStore()).Delete(ctx, ref.GetVolumeId()); err != nil {
		return nil, orVolumeNotFound(ref.GetVolumeId(), err)
	}
	return &agentv1.DeleteVolumeResponse{}, nil
}

// InspectVolume reports a volume file and its chain.
func (a *Agent) InspectVolume(ctx context.Context, ref *agentv1.VolumeRef) (*agentv1.VolumeInfo, error) {
	return a.inspect(ctx, a.pool(ref.GetInstanceStore()), ref.GetVolumeId())
}

func (a *Agent) inspect(ctx context.Context, pool *storage.Pool, name string) (*agentv1.VolumeInfo, error) {
	info, err := pool.Info(ctx, name)
	if err != nil {
		return nil, orVolumeNotFound(name, err)
	}
	return volumeInfo(pool, name, info), nil
}

// volumeInfo is the agent's report of a volume file already inspected.
func volumeInfo(pool *storage.Pool, name string, info storage.Info) *agentv1.VolumeInfo {
	return &agentv1.VolumeInfo{
		VolumeId: name, Path: pool.Path(name), VirtualSize: info.VirtualSize,
		ActualSize: info.ActualSize, Chain: info.Chain,
	}
}

// ResizeVolume grows a volume: online through libvirt when instance_id
// names a running instance, offline with qemu-img otherwise.
func (a *Agent) ResizeVolume(ctx context.Context, req *agentv1.ResizeVolumeRequest) (*agentv1.VolumeInfo, error) {
	name, pool := req.GetVolumeId(), a.cfg.SharedPool
	info, err := pool.Info(ctx, name)
	if err != nil {
		return nil, orVolumeNotFound(name, err)
	}
	if req.GetSizeBytes() < info.VirtualSize {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "volume %s: new size %d is smaller than %d", name, req.GetSizeBytes(), info.VirtualSize)
	}
	target, live, err := a.liveTarget(ctx, req.GetInstanceId(), name, req.GetTarget())
	if err != nil {
		return nil, err
	}
	if live {
		err = a.hv.ResizeDisk(ctx, a.domainName(req.GetInstanceId()), target, uint64(req.GetSizeBytes()))
	} else {
		err = pool.Resize(ctx, name, req.GetSizeBytes(), req.GetEncryptionKey())
	}
	if err != nil {
		return nil, fmt.Errorf("resize volume %s: %w", name, err)
	}
	return a.inspect(ctx, pool, name)
}

// liveTarget finds the disk target of volume file name on instance id when
// that instance is running here; live is false otherwise.
func (a *Agent) liveTarget(ctx context.Context, id, name, target string) (string, bool, error) {
	d, live, err := a.liveDisk(ctx, id, name, target)
	if !live || err != nil {
		return "", live, err
	}
	return d.Target, true, nil
}

// liveDisk is liveTarget's disk itself (its target and the file it is on).
func (a *Agent) liveDisk(ctx context.Context, id, name, target string) (*agentv1.Disk, bool, error) {
	if id == "" {
		return nil, false, nil
	}
	st, err := a.status(ctx, id)
	if err != nil {
		return nil, false, err
	}
	if st.State != "running" && st.State != "paused" {
		return nil, false, nil
	}
	d := findDisk(st.Disks, name, target)
	if d == nil {
		return nil, false, ec2err.New(ec2err.IncorrectState, "volume %s is not attached to %s", name, id)
	}
	return d, true, nil
}

// findDisk matches a disk by target, else by file name or volume ID.
func findDisk(disks []*agentv1.Disk, volume, target string) *agentv1.Disk {
	for _, d := range disks {
		if target != "" && d.Target == target {
			return d
		}
	}
	for _, d := range disks {
		if volume != "" && (d.Path == volume || strings.HasSuffix(d.Path, "/"+volume) || d.VolumeId == volumeSerial(volume)) {
			return d
		}
	}
	return nil
}

// ListFiles lists a pool's volume files (for garbage collection).
func (a *Agent) ListFiles(ctx context.Context, req *agentv1.ListFilesRequest) (*agentv1.ListFilesResponse, error) {
	files, err := a.pool(req.GetInstanceStore()).Files(ctx)
	if err != nil {
		return nil, err
	}
	return &agentv1.ListFilesResponse{Files: files}, nil
}
