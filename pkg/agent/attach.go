package agent

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// detachTimeout bounds how long the guest gets to release a disk.
const detachTimeout = 60 * time.Second

// AttachVolume hot-plugs a volume into a running instance (or adds it to a
// stopped one's definition). An empty target gets the first free vdX.
func (a *Agent) AttachVolume(ctx context.Context, req *agentv1.AttachVolumeRequest) (*agentv1.AttachVolumeResponse, error) {
	id, pd := req.GetInstanceId(), req.GetDisk()
	if id == "" || pd.GetPath() == "" {
		return nil, missing("InstanceId and Disk.path")
	}
	defer a.lock(id)()
	st, err := a.status(ctx, id)
	if err != nil {
		return nil, err
	}
	if findDisk(st.Disks, pd.GetPath(), "") != nil {
		return &agentv1.AttachVolumeResponse{}, nil // already attached
	}
	disk := a.diskFromProto(pd)
	if err := a.fillChain(ctx, &disk); err != nil {
		return nil, err
	}
	if disk.Target == "" {
		disk.Target = freeTarget(protoDisks(st.Disks))
	} else if findDisk(st.Disks, "", disk.Target) != nil {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "device %s is already in use on %s", disk.Target, id)
	}
	if pd.GetSecretUuid() != "" && len(pd.GetEncryptionKey()) > 0 {
		if err := a.hv.DefineSecret(ctx, pd.GetSecretUuid(), pd.GetEncryptionKey()); err != nil {
			return nil, err
		}
	}
	if err := a.hv.AttachDisk(ctx, a.domainName(id), disk); err != nil {
		if disk.SecretUUID != "" {
			_ = a.hv.UndefineSecret(context.WithoutCancel(ctx), disk.SecretUUID)
		}
		return nil, fmt.Errorf("attach %s to %s: %w", pd.GetPath(), id, err)
	}
	if err := a.editSpec(id, func(s *instanceSpec) { s.Domain.Disks = append(s.Domain.Disks, disk) }); err != nil {
		a.log.Warn("attach: spec not updated", "instance", id, "err", err)
	}
	return &agentv1.AttachVolumeResponse{}, nil
}

func protoDisks(ds []*agentv1.Disk) []hypervisor.Disk {
	out := make([]hypervisor.Disk, len(ds))
	for i, d := range ds {
		out[i] = hypervisor.Disk{Target: d.Target}
	}
	return out
}

// DetachVolume unplugs a volume (by target, file name or volume ID) and
// waits for the guest to release it. Detaching a volume that is not
// attached is no error.
func (a *Agent) DetachVolume(ctx context.Context, req *agentv1.DetachVolumeRequest) (*agentv1.DetachVolumeResponse, error) {
	id := req.GetInstanceId()
	defer a.lock(id)()
	st, err := a.status(ctx, id)
	if err != nil {
		return nil, err
	}
	d := findDisk(st.Disks, req.GetVolumeId(), req.GetTarget())
	if d == nil {
		return &agentv1.DetachVolumeResponse{}, nil
	}
	if d.Target == "vda" && !req.GetForce() {
		return nil, ec2err.New(ec2err.OperationNotPermitted, "the root volume of %s cannot be detached", id)
	}
	dctx, cancel := context.WithTimeout(ctx, detachTimeout)
	defer cancel()
	if err := a.hv.DetachDisk(dctx, a.domainName(id), d.Target); err != nil {
		return nil, fmt.Errorf("detach %s from %s: %w", d.Target, id, err)
	}
	if d.SecretUuid != "" {
		if err := a.hv.UndefineSecret(ctx, d.SecretUuid); err != nil {
			a.log.Warn("detach: undefine secret", "instance", id, "err", err)
		}
	}
	err = a.editSpec(id, func(s *instanceSpec) {
		s.Domain.Disks = slices.DeleteFunc(s.Domain.Disks, func(x hypervisor.Disk) bool { return x.Target == d.Target })
	})
	if err != nil {
		a.log.Warn("detach: spec not updated", "instance", id, "err", err)
	}
	return &agentv1.DetachVolumeResponse{}, nil
}

// SetIOTune changes a disk's limits, live when the instance runs.
func (a *Agent) SetIOTune(ctx context.Context, req *agentv1.SetIOTuneRequest) (*agentv1.SetIOTuneResponse, error) {
	id, target := req.GetInstanceId(), req.GetTarget()
	if id == "" || target == "" {
		return nil, missing("InstanceId and Target")
	}
	defer a.lock(id)()
	tune := hypervisor.IOTune{TotalIOPSSec: uint64(req.GetIotune().GetTotalIopsSec()), TotalBytesSec: uint64(req.GetIotune().GetTotalBytesSec())}
	if err := a.hv.SetIOTune(ctx, a.domainName(id), target, tune); err != nil {
		return nil, orInstanceNotFound(id, err)
	}
	err := a.editSpec(id, func(s *instanceSpec) {
		for i := range s.Domain.Disks {
			if s.Domain.Disks[i].Target == target {
				s.Domain.Disks[i].IOTune = tune
			}
		}
	})
	if err != nil {
		a.log.Warn("iotune: spec not updated", "instance", id, "err", err)
	}
	return &agentv1.SetIOTuneResponse{}, nil
}
