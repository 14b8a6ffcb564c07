package agent

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"google.golang.org/protobuf/types/known/timestamppb"
	"libvirt.org/go/libvirtxml"

	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// consoleTail is how much of the console log GetConsoleOutput returns.
const consoleTail = 64 << 10

// status describes one instance from libvirt.
func (a *Agent) status(ctx context.Context, id string) (*agentv1.InstanceStatus, error) {
	d, err := a.hv.Get(ctx, a.domainName(id))
	if err != nil {
		return nil, orInstanceNotFound(id, err)
	}
	return a.describe(ctx, d)
}

func (a *Agent) describe(ctx context.Context, d hypervisor.Domain) (*agentv1.InstanceStatus, error) {
	st := &agentv1.InstanceStatus{
		InstanceId: a.instanceID(d.Name), DomainName: d.Name, State: string(d.State),
		OwnerId: d.Metadata.OwnerID, DomainType: a.cfg.DomainType.Type,
		GuestSeen: d.State == hypervisor.StateRunning && a.md.guestSeen(a.instanceID(d.Name)),
	}
	x, err := a.hv.XML(ctx, d.Name)
	if err != nil {
		return nil, orInstanceNotFound(st.InstanceId, err)
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(x); err != nil {
		return nil, fmt.Errorf("parse XML of %s: %w", d.Name, err)
	}
	st.DomainType = dom.Type
	for _, c := range pinnedCPUs(&dom) {
		st.PinnedCpus = append(st.PinnedCpus, int32(c))
	}
	st.Gpus = domainGPUs(&dom)
	for _, disk := range dom.Devices.Disks {
		if pd := a.diskToProto(disk); pd != nil {
			st.Disks = append(st.Disks, pd)
		}
	}
	return st, nil
}

// diskToProto reports a virtio disk; Disk.path is relative to the shared
// pool when the file lives there.
func (a *Agent) diskToProto(d libvirtxml.DomainDisk) *agentv1.Disk {
	if d.Device != "disk" || d.Source == nil || d.Source.File == nil || d.Target == nil {
		return nil
	}
	path := d.Source.File.File
	if filepath.Dir(path) == a.cfg.SharedPool.Dir {
		path = filepath.Base(path)
	}
	pd := &agentv1.Disk{VolumeId: d.Serial, Path: path, Target: d.Target.Dev, ReadOnly: d.ReadOnly != nil}
	if d.IOTune != nil {
		pd.Iotune = &agentv1.IOTune{TotalIopsSec: int64(d.IOTune.TotalIopsSec), TotalBytesSec: int64(d.IOTune.TotalBytesSec)}
	}
	if d.Source.Encryption != nil && len(d.Source.Encryption.Secrets) > 0 {
		pd.SecretUuid = d.Source.Encryption.Secrets[0].UUID
	}
	return pd
}

// ListInstances reports every domain with this agent's prefix.
func (a *Agent) ListInstances(ctx context.Context, _ *agentv1.ListInstancesRequest) (*agentv1.ListInstancesResponse, error) {
	doms, err := a.hv.List(ctx, a.cfg.DomainPrefix)
	if err != nil {
		return nil, err
	}
	resp := &agentv1.ListInstancesResponse{}
	for _, d := range doms {
		st, err := a.describe(ctx, d)
		if isInstanceNotFound(err) {
			continue // went away meanwhile
		}
		if err != nil {
			return nil, err
		}
		resp.Instances = append(resp.Instances, st)
	}
	return resp, nil
}

// GetConsoleOutput returns the last 64 KiB of the serial console log.
func (a *Agent) GetConsoleOutput(ctx context.Context, ref *agentv1.InstanceRef) (*agentv1.ConsoleOutput, error) {
	id := ref.GetInstanceId()
	if _, err := a.hv.Get(ctx, a.domainName(id)); err != nil {
		return nil, orInstanceNotFound(id, err)
	}
	out, err := readTail(a.consolePath(id), consoleTail)
	if err != nil {
		return nil, err
	}
	return &agentv1.ConsoleOutput{Output: out, Timestamp: timestamppb.Now()}, nil
}

func readTail(path string, n int64) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, nil // never started
	}
	if err != nil {
		return nil, fmt.Errorf("console log: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("console log: %w", err)
	}
	if off := fi.Size() - n; off > 0 {
		if _, err := f.Seek(off, io.SeekStart); err != nil {
			return nil, fmt.Errorf("console log: %w", err)
		}
	}
	b, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("console log: %w", err)
	}
	return b, nil
}
