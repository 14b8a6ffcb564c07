package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"regexp"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/store"
)

func hashOf(v any) string {
	b, _ := json.Marshal(v)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

var deviceName = regexp.MustCompile(`^/dev/(sd[a-z][1-9]?|xvd[a-z][1-9]?|vd[a-z])$`)

// AttachVolume hot-plugs a volume into an instance of the same AZ (or
// records it in a stopped instance's definition).
func (s *Service) AttachVolume(ctx context.Context, volID, instID, device string, dryRun bool) (Attachment, error) {
	acct, err := account(ctx)
	if err != nil {
		return Attachment{}, err
	}
	if !deviceName.MatchString(device) {
		return Attachment{}, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter device is invalid. %s is not a valid EBS device name.", device, device)
	}
	v, unlock, err := s.lockOwnedVolume(ctx, acct, volID)
	if err != nil {
		return Attachment{}, err
	}
	defer unlock()
	in, err := s.instance(ctx, instID)
	if err != nil {
		return Attachment{}, err
	}
	if v.State == "in-use" {
		return Attachment{}, ec2err.New(ec2err.VolumeInUse, "%s is already attached to an instance", volID)
	}
	if v.State != "available" {
		return Attachment{}, ec2err.New(ec2err.IncorrectState, "Volume '%s' is in the '%s' state.", volID, v.State)
	}
	if v.AZ != in.AZ {
		return Attachment{}, ec2err.New(ec2err.InvalidVolumeZoneMismatch, "The volume '%s' is not in the same availability zone as instance '%s'", volID, instID)
	}
	if in.State != StateRunning && in.State != StateStopped {
		return Attachment{}, ec2err.New(ec2err.IncorrectInstanceState, "Instance '%s' is not 'running' or 'stopped'.", instID)
	}
	for _, bd := range in.BlockDevices {
		if bd.DeviceName == device {
			return Attachment{}, ec2err.New(ec2err.InvalidParameterValue, "Attachment point %s is already in use", device)
		}
	}
	if dryRun {
		return Attachment{}, DryRun()
	}
	tgt := nextTarget(in)
	att := Attachment{InstanceID: instID, Device: device, Target: tgt, State: "attached", AttachTime: s.now().UTC()}
	ag, err := s.agent(in.HostID)
	if err != nil {
		return Attachment{}, err
	}
	disk, err := s.agentDisk(v, tgt)
	if err != nil {
		return Attachment{}, err
	}
	if err := ag.AttachVolume(ctx, instID, disk); err != nil {
		return Attachment{}, fmt.Errorf("attach %s to %s: %w", volID, instID, err)
	}
	if err := s.recordAttachment(ctx, v.ID, instID, att); err != nil {
		return Attachment{}, err
	}
	s.log.Info("volume attached", "volume", volID, "instance", instID, "device", device, "target", tgt)
	return att, nil
}

func nextTarget(in Instance) string {
	used := map[string]bool{}
	for _, bd := range in.BlockDevices {
		used[bd.Target] = true
	}
	for i := 0; ; i++ {
		if t := target(i); !used[t] {
			return t
		}
	}
}

func (s *Service) recordAttachment(ctx context.Context, volID, instID string, att Attachment) error {
	if _, err := update(ctx, s.st, prefixVolume+volID, func(r *Volume) error {
		r.State, r.Attachment = "in-use", &att
		return nil
	}); err != nil {
		return err
	}
	_, err := update(ctx, s.st, prefixInstance+instID, func(r *Instance) error {
		r.BlockDevices = append(r.BlockDevices, BlockDevice{DeviceName: att.Device, VolumeID: volID, Target: att.Target,
			AttachTime: att.AttachTime, Status: "attached", DeleteOnTermination: att.DeleteOnTermination})
		return nil
	})
	return err
}

// DetachVolume unplugs a volume (gracefully unless force).
func (s *Service) DetachVolume(ctx context.Context, volID, instID, device string, force, dryRun bool) (Attachment, error) {
	acct, err := account(ctx)
	if err != nil {
		return Attachment{}, err
	}
	v, unlock, err := s.lockOwnedVolume(ctx, acct, volID)
	if err != nil {
		return Attachment{}, err
	}
	defer unlock()
	if v.Attachment == nil || (instID != "" && v.Attachment.InstanceID != instID) || (device != "" && v.Attachment.Device != device) {
		return Attachment{}, ec2err.New(ec2err.IncorrectState, "Volume '%s' is in the '%s' state.", volID, v.State)
	}
	in, err := s.instance(ctx, v.Attachment.InstanceID)
	if err != nil {
		return Attachment{}, err
	}
	if in.RootDeviceName == v.Attachment.Device && in.State != StateStopped {
		return Attachment{}, ec2err.New(ec2err.IncorrectInstanceState, "Unable to detach root volume '%s' from instance '%s'", volID, in.ID)
	}
	if dryRun {
		return Attachment{}, DryRun()
	}
	att := *v.Attachment
	ag, err := s.agent(in.HostID)
	if err != nil {
		return Attachment{}, err
	}
	if err := ag.DetachVolume(ctx, host.VolumeDetach{InstanceID: in.ID, VolumeID: v.ID, Target: att.Target, Force: force}); err != nil {
		return Attachment{}, fmt.Errorf("detach %s from %s: %w", volID, in.ID, err)
	}
	if _, err := update(ctx, s.st, prefixVolume+volID, func(r *Volume) error {
		r.State, r.Attachment, r.Instance = "available", nil, ""
		return nil
	}); err != nil {
		return Attachment{}, err
	}
	_, err = update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error {
		var keep []BlockDevice
		for _, bd := range r.BlockDevices {
			if bd.VolumeID != volID {
				keep = append(keep, bd)
			}
		}
		r.BlockDevices = keep
		return nil
	})
	att.State = "detached"
	s.log.Info("volume detached", "volume", volID, "instance", in.ID)
	return att, err
}

// ModifyVolume grows a volume and/or changes its type and performance,
// online when it is attached to a running instance. The change is made
// before it returns; the volume keeps the modification (completed, or
// failed with why) for DescribeVolumesModifications.
func (s *Service) ModifyVolume(ctx context.Context, id string, size int32, typ string, iops, throughput int32, dryRun bool) (Modification, error) {
	acct, err := account(ctx)
	if err != nil {
		return Modification{}, err
	}
	v, unlock, err := s.lockOwnedVolume(ctx, acct, id)
	if err != nil {
		return Modification{}, err
	}
	defer unlock()
	if v.State != "available" && v.State != "in-use" {
		return Modification{}, ec2err.New(ec2err.IncorrectState, "Volume '%s' is in the '%s' state.", id, v.State)
	}
	nv, err := modifiedVolume(v, size, typ, iops, throughput)
	if err != nil {
		return Modification{}, err
	}
	if dryRun {
		return Modification{}, DryRun()
	}
	release, err := s.admitStorage(ctx, acct, nv.Type, storageGrowth(v, nv))
	if err != nil {
		return Modification{}, err
	}
	defer release()
	m := newModification(v, nv, s.now().UTC())
	if err := s.applyModification(ctx, v, nv); err != nil {
		m.State, m.Message, m.EndTime = ModificationFailed, err.Error(), s.now().UTC()
		if _, rerr := update(ctx, s.st, prefixVolume+id, func(r *Volume) error { r.Modification = &m; return nil }); rerr != nil {
			s.log.Warn("volume modification failed and was not recorded", "volume", id, "err", rerr)
		}
		return m, err
	}
	m.State, m.Progress, m.EndTime = ModificationCompleted, 100, s.now().UTC()
	if _, err := update(ctx, s.st, prefixVolume+id, func(r *Volume) error {
		r.SizeGiB, r.Type, r.IOPS, r.Throughput = nv.SizeGiB, nv.Type, nv.IOPS, nv.Throughput
		r.Modification = &m
		return nil
	}); err != nil {
		return m, err
	}
	return m, nil
}

// storageGrowth is the GiB of nv's type a modification from v adds: the
// growth, or the whole size when the type changes.
func storageGrowth(v, nv Volume) int64 {
	if nv.Type != v.Type {
		return int64(nv.SizeGiB)
	}
	return int64(nv.SizeGiB - v.SizeGiB)
}

// modifiedVolume is v as ModifyVolume would leave it, or the error EC2
// gives for the change: volumes only grow; a resize alone keeps the
// provisioned IOPS and throughput; the result must fit its type's rules.
func modifiedVolume(v Volume, size int32, typ string, iops, throughput int32) (Volume, error) {
	nv := v
	if size != 0 {
		if size < v.SizeGiB {
			return nv, ec2err.New(ec2err.InvalidParameterValue, "New size %d GiB is smaller than the current size %d GiB; volumes only grow", size, v.SizeGiB)
		}
		nv.SizeGiB = size
	}
	if typ != "" {
		nv.Type = typ
	}
	if nv.Type == v.Type { // a resize keeps provisioned performance
		if r := volumeRules[v.Type]; iops == 0 && r.iopsPerGiB != 0 {
			iops = v.IOPS
		}
		if r := volumeRules[v.Type]; throughput == 0 && r.throughputSettable {
			throughput = v.Throughput
		}
	}
	if err := checkVolumeShape(nv.Type, nv.SizeGiB, iops, throughput); err != nil {
		return nv, err
	}
	applyVolumeDefaults(&nv, iops, throughput)
	return nv, nil
}

// applyModification makes the volume's file and its domain (if any) match
// nv: a larger file (live when its instance runs), new I/O limits.
func (s *Service) applyModification(ctx context.Context, v, nv Volume) error {
	var ag host.Host
	var err error
	// live is the running instance the volume is attached to: it resizes
	// live. tuned is the instance (running or stopped) whose domain holds
	// the volume's I/O limits: a stopped one gets them in its definition.
	live, tuned, tgt := "", "", ""
	if v.Attachment != nil {
		in, _, ierr := store.GetJSON[Instance](ctx, s.st, prefixInstance+v.Attachment.InstanceID)
		if ierr == nil && (in.State == StateRunning || in.State == StateStopped) {
			tuned, tgt = in.ID, v.Attachment.Target
			if in.State == StateRunning {
				live = in.ID
			}
			ag, err = s.agent(in.HostID)
		}
	}
	if ag == nil && err == nil {
		_, ag, err = s.agentForZone(ctx, v.AZ)
	}
	if err != nil {
		return err
	}
	if nv.SizeGiB > v.SizeGiB {
		key, err := s.volumeKey(v)
		if err != nil {
			return err
		}
		liveTgt := ""
		if live != "" {
			liveTgt = tgt
		}
		if _, err := ag.ResizeVolume(ctx, host.VolumeResize{Name: v.Head, SizeBytes: int64(nv.SizeGiB) << 30,
			InstanceID: live, Target: liveTgt, EncryptionKey: key}); err != nil {
			return fmt.Errorf("resize %s: %w", v.ID, err)
		}
	}
	if tuned != "" && (nv.IOPS != v.IOPS || nv.Throughput != v.Throughput) {
		if err := ag.SetIOTune(ctx, tuned, tgt, iotune(nv)); err != nil {
			return fmt.Errorf("iotune %s: %w", v.ID, err)
		}
	}
	return nil
}

// lockOwnedVolume checks the caller owns the volume, waits for its lock and
// re-reads it under the lock (a snapshot or create may just have changed it).
func (s *Service) lockOwnedVolume(ctx context.Context, acct, id string) (Volume, func(), error) {
	if _, err := s.ownedVolume(ctx, acct, id); err != nil {
		return Volume{}, nil, err
	}
	unlock, err := s.holdVolume(ctx, id)
	if err != nil {
		return Volume{}, nil, err
	}
	v, err := s.ownedVolume(ctx, acct, id)
	if err != nil {
		unlock()
		return Volume{}, nil, err
	}
	return v, unlock, nil
}

// holdVolume waits until no background work (a create, a snapshot) runs on
// the volume and keeps such work off it until unlock is called.
func (s *Service) holdVolume(ctx context.Context, id string) (unlock func(), err error) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		if unlock, ok := s.lockResource(id); ok {
			return unlock, nil
		}
		if time.Now().After(deadline) {
			return nil, ec2err.New(ec2err.IncorrectState, "Volume '%s' is busy; try again", id)
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}
