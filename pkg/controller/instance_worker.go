package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// launch makes a pending instance real: its volumes, then its domain,
// started. Every step is idempotent, so a crash anywhere is resumed here.
func (s *Service) launch(ctx context.Context, in Instance) error {
	ag, err := s.agent(in.HostID)
	if err != nil {
		return err
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+in.ImageID)
	if err != nil {
		return fmt.Errorf("launch %s: image %s: %w", in.ID, in.ImageID, err)
	}
	disks, err := s.instanceDisks(ctx, ag, in)
	if err != nil {
		return fmt.Errorf("launch %s: %w", in.ID, err)
	}
	req, err := s.createRequest(ctx, in, img, disks)
	if err != nil {
		return fmt.Errorf("launch %s: %w", in.ID, err)
	}
	if err := s.syncHostNetwork(ctx, in.HostID); err != nil {
		return fmt.Errorf("launch %s: %w", in.ID, err)
	}
	if in.Redefine {
		// The stopped domain was built from an older type or user data:
		// drop it (the volumes stay) so CreateInstance defines it anew.
		if err := ag.DestroyInstance(ctx, in.ID); err != nil {
			return fmt.Errorf("launch %s: drop the outdated domain: %w", in.ID, err)
		}
	}
	st, err := ag.CreateInstance(ctx, req)
	if err != nil {
		return fmt.Errorf("launch %s: create domain: %w", in.ID, err)
	}
	if st.State != "running" {
		if st, err = ag.StartInstance(ctx, in.ID); err != nil {
			return fmt.Errorf("launch %s: start: %w", in.ID, err)
		}
	}
	for _, bd := range in.BlockDevices {
		_, _ = update(ctx, s.st, prefixVolume+bd.VolumeID, func(v *Volume) error {
			v.State = "in-use"
			if v.Attachment != nil {
				v.Attachment.State = "attached"
			}
			return nil
		})
	}
	return s.setState(ctx, in.ID, StatePending, StateRunning, func(r *Instance) {
		r.DomainType, r.Redefine = st.DomainType, false
		r.StateReasonCode, r.StateReasonMessage, r.TransitionReason = "", "", ""
		for i := range r.BlockDevices {
			r.BlockDevices[i].Status = "attached"
		}
	})
}

// instanceDisks makes sure each volume of the instance exists in its pool
// and returns the agent's disk list (root first).
func (s *Service) instanceDisks(ctx context.Context, ag host.Host, in Instance) ([]host.Disk, error) {
	var disks []host.Disk
	for _, bd := range in.BlockDevices {
		v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+bd.VolumeID)
		if err != nil {
			return nil, fmt.Errorf("volume %s: %w", bd.VolumeID, err)
		}
		if err := s.materialize(ctx, ag, v); err != nil {
			return nil, err
		}
		d, err := s.agentDisk(v, bd.Target)
		if err != nil {
			return nil, err
		}
		disks = append(disks, d)
	}
	return disks, nil
}

// createRequest is the host's view of an instance.
func (s *Service) createRequest(ctx context.Context, in Instance, img Image, disks []host.Disk) (host.InstanceSpec, error) {
	t, ok := s.types.Get(in.Type)
	if !ok {
		return host.InstanceSpec{}, fmt.Errorf("instance type %s vanished from the catalog", in.Type)
	}
	md := in.Metadata.WithDefaults()
	req := host.InstanceSpec{InstanceID: in.ID, OwnerID: in.Owner, InstanceType: t.Name,
		VCPUs: int32(t.VCPUs), MemoryMiB: t.MemoryMiB, DedicatedCPUs: t.DedicatedCPU, Hugepages: t.Hugepages,
		GPUs: int32(t.GPUs), BootMode: img.BootMode, Cmdline: img.Cmdline, Disks: disks,
		UserData: in.UserData, Hostname: hostname(in.ID), Start: true, ImageID: img.ID,
		AvailabilityZone: in.AZ, Region: s.cfg.Region, NICs: instanceNics(in), LaunchTime: in.LaunchTime,
		Metadata: host.MetadataOptions{HTTPTokens: md.HTTPTokens, HTTPEndpoint: md.HTTPEndpoint, HopLimit: md.HopLimit}}
	if t.Burstable && in.CPUCredits == CreditsStandard {
		// standard: held to the baseline; unlimited may use whole vCPUs
		req.CPUBaselinePercent = int32(t.BaselinePercent)
	}
	for i := 0; i < t.InstanceStoreDisks; i++ {
		req.InstanceStore = append(req.InstanceStore, t.InstanceStoreDiskGB()*1e9)
	}
	if img.BootMode == "direct-kernel" {
		if err := s.ensureFiles(ctx, img, in.AZ); err != nil {
			return host.InstanceSpec{}, err
		}
		pool, _ := s.Pool(in.AZ)
		req.KernelPath, req.InitrdPath = pool.Path(img.Kernel), pool.Path(img.Initrd)
	}
	if in.KeyName != "" {
		if k, _, err := store.GetJSON[KeyPair](ctx, s.st, keyPairKey(in.Owner, in.KeyName)); err == nil {
			// EC2 serves the key with the key pair's name as its comment.
			req.PublicKeys, req.KeyName = []string{k.PublicKey + " " + k.Name}, k.Name
		}
	}
	return req, nil
}

// hostname is the guest's name, as EC2 derives it from the instance.
func hostname(id string) string { return id }

// opGuestStopped marks a stop the guest began by powering itself off.
const opGuestStopped = "guest-stopped"

// powerOff stops a stopping instance (gracefully unless forced).
func (s *Service) powerOff(ctx context.Context, in Instance) error {
	ag, err := s.agent(in.HostID)
	if err != nil {
		return err
	}
	force := in.Op == "force-stop" || in.Op == opGuestStopped
	_, err = ag.StopInstance(ctx, host.StopRequest{InstanceID: in.ID, Force: force, Timeout: s.cfg.StopTimeout.Duration})
	if err != nil {
		return fmt.Errorf("stop %s: %w", in.ID, err)
	}
	return s.setState(ctx, in.ID, StateStopping, StateStopped, func(r *Instance) {
		if r.Op != opGuestStopped {
			r.StateReasonCode, r.StateReasonMessage = "Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"
		}
		r.Op = ""
	})
}

// destroy terminates a shutting-down instance: the domain goes, volumes
// marked DeleteOnTermination go, the others become available.
func (s *Service) destroy(ctx context.Context, in Instance) error {
	if ag, err := s.agent(in.HostID); err == nil {
		if err := ag.DestroyInstance(ctx, in.ID); err != nil {
			return fmt.Errorf("terminate %s: %w", in.ID, err)
		}
	} else if in.HostID != "" && s.hostKnown(ctx, in.HostID) {
		return err // the host exists but its agent is away: retry later
	}
	s.releaseNetwork(ctx, in)
	for _, bd := range in.BlockDevices {
		if err := s.releaseVolume(ctx, bd); err != nil {
			return fmt.Errorf("terminate %s: %w", in.ID, err)
		}
	}
	return s.setState(ctx, in.ID, StateShuttingDown, StateTerminated, func(r *Instance) {
		if r.StateReasonCode == "" {
			r.StateReasonCode, r.StateReasonMessage = "Client.UserInitiatedShutdown", "Client.UserInitiatedShutdown: User initiated shutdown"
		}
		for i := range r.BlockDevices {
			r.BlockDevices[i].Status = "detached"
		}
	})
}

func (s *Service) hostKnown(ctx context.Context, id string) bool {
	_, err := s.st.Get(ctx, prefixHost+id)
	return err == nil
}

// releaseVolume detaches a terminated instance's volume and deletes it when
// DeleteOnTermination says so.
func (s *Service) releaseVolume(ctx context.Context, bd BlockDevice) error {
	v, _, err := store.GetJSON[Volume](ctx, s.st, prefixVolume+bd.VolumeID)
	if err != nil {
		return nil // already gone
	}
	if bd.DeleteOnTermination {
		return s.removeVolume(ctx, v)
	}
	_, err = update(ctx, s.st, prefixVolume+v.ID, func(r *Volume) error {
		r.Attachment, r.State, r.Instance = nil, "available", ""
		return nil
	})
	return err
}
