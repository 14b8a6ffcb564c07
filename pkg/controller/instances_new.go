package controller

import (
	"cmp"
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/scheduler"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// newInstance builds the record of one instance and its volumes (root and
// any other EBS devices), in state pending / creating.
func (s *Service) newInstance(req RunRequest, acct, resID string, idx int, p scheduler.Placement,
	typ instancetypes.Type, img Image, key *KeyPair, devs []DeviceOverride) (Instance, []Volume, error) {
	now := s.now().UTC()
	in := Instance{ID: ids.New(ids.Instance), Owner: acct, ReservationID: resID, LaunchIndex: idx,
		ImageID: img.ID, Type: typ.Name, State: StatePending, AZ: p.AZ, HostID: p.HostID,
		LaunchTime: now, StateChangedAt: now, UserData: req.UserData, Tags: req.Tags["instance"],
		ClientToken: req.ClientToken, RootDeviceName: img.RootDeviceName, Architecture: img.Architecture,
		DisableAPITermination: req.DisableAPITermination, DisableAPIStop: req.DisableAPIStop,
		ENIDescription: req.interfaceDescription(), ENITags: req.Tags["network-interface"], ShutdownBehavior: req.ShutdownBehavior,
		BootMode: img.BootMode, Cores: typ.VCPUs}
	in.Metadata, _ = MetadataOptions{}.apply(req.MetadataOptions) // validateRun checked it
	if typ.Burstable {
		in.CPUCredits = cmp.Or(req.CPUCredits, CreditsUnlimited) // EC2's default for t3
	}
	if key != nil {
		in.KeyName = key.Name
	}
	var vols []Volume
	for i, d := range devs {
		v := Volume{ID: ids.New(ids.Volume), Owner: acct, AZ: p.AZ, SizeGiB: d.SizeGiB, Type: d.VolumeType,
			State: "creating", SnapshotID: d.SnapshotID, CreateTime: now, Tags: req.Tags["volume"], Instance: in.ID,
			Encrypted: d.Encrypted, KeyCipher: d.keyCipher}
		if d.Encrypted && d.keyCipher == nil {
			k, err := s.newSealedKey() // each volume its own key
			if err != nil {
				return Instance{}, nil, err
			}
			v.KeyCipher = k
		}
		applyVolumeDefaults(&v, d.IOPS, d.Throughput)
		v.Head = headName(v.ID, 0)
		v.Attachment = &Attachment{InstanceID: in.ID, Device: d.DeviceName, Target: target(i),
			State: "attaching", AttachTime: now, DeleteOnTermination: *d.DeleteOnTermination}
		in.BlockDevices = append(in.BlockDevices, BlockDevice{DeviceName: d.DeviceName, VolumeID: v.ID,
			Target: target(i), DeleteOnTermination: *d.DeleteOnTermination, AttachTime: now, Status: "attaching"})
		vols = append(vols, v)
	}
	return in, vols, nil
}

// launchDevices merges the image's mappings with the request's overrides
// (size grow-only, type, DeleteOnTermination, extra devices, NoDevice).
func (s *Service) launchDevices(img Image, overrides []DeviceOverride) []DeviceOverride {
	t, f := true, false
	var out []DeviceOverride
	for _, d := range img.Devices {
		dot := d.DeleteOnTermination
		m := DeviceOverride{DeviceName: d.DeviceName, SnapshotID: d.SnapshotID, SizeGiB: d.SizeGiB,
			VolumeType: d.VolumeType, DeleteOnTermination: &dot}
		for _, o := range overrides {
			if o.DeviceName != d.DeviceName {
				continue
			}
			if o.NoDevice {
				m.NoDevice = true
			}
			if o.SizeGiB > m.SizeGiB {
				m.SizeGiB = o.SizeGiB
			}
			if o.VolumeType != "" {
				m.VolumeType = o.VolumeType
			}
			m.IOPS, m.Throughput = o.IOPS, o.Throughput
			m.Encrypted = m.Encrypted || o.Encrypted
			if o.DeleteOnTermination != nil {
				m.DeleteOnTermination = o.DeleteOnTermination
			}
		}
		if !m.NoDevice {
			out = append(out, m)
		}
	}
	for _, o := range overrides {
		if _, ok := imageDevice(img, o.DeviceName); ok || o.NoDevice {
			continue
		}
		if o.DeleteOnTermination == nil {
			o.DeleteOnTermination = &f // added volumes default to false, as EC2
		}
		if o.VolumeType == "" {
			o.VolumeType = "gp3"
		}
		out = append(out, o)
	}
	if len(out) > 0 && out[0].DeleteOnTermination == nil {
		out[0].DeleteOnTermination = &t
	}
	return out
}

// target is the virtio disk name of the i-th disk.
func target(i int) string { return "vd" + string(rune('a'+i)) }

// schedulerHosts turns host records plus the instances placed on them into
// the scheduler's view of free capacity.
func (s *Service) schedulerHosts(ctx context.Context) ([]scheduler.Host, error) {
	hs, err := s.Hosts(ctx)
	if err != nil {
		return nil, err
	}
	use, grouped, err := s.schedulerUsage(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[string]*scheduler.Host{}
	out := make([]scheduler.Host, len(hs))
	for i, h := range hs {
		out[i] = scheduler.Host{ID: h.ID, AZ: h.AZ, Healthy: h.Healthy, VCPUs: h.VCPUs, MemoryMiB: h.MemoryMiB,
			FreeDedicatedCPUs: h.VCPUs - 1, HugepagesFreeMiB: h.HugepagesFree * 2, FreeGPUs: h.FreeGPUs,
			FreeLocalDiskGB: h.FreeLocalGB, LastPlaced: h.LastPlaced}
		byID[h.ID] = &out[i]
		use[h.ID].applyTo(&out[i])
	}
	for _, in := range grouped {
		if h, ok := byID[in.HostID]; ok {
			addGroupMember(h, *in)
		}
	}
	return out, nil
}

// launchKeys settles the encryption of each launch volume as EC2 does: a
// volume of an encrypted snapshot is encrypted (here with the snapshot's
// key, which its layers need); Ebs.Encrypted, or the account's encryption
// by default, asks for a new key otherwise. A region without a master key
// refuses encrypted launches up front.
func (s *Service) launchKeys(ctx context.Context, acct string, devs []DeviceOverride) ([]DeviceOverride, error) {
	byDefault, err := s.encryptByDefault(ctx, acct)
	if err != nil {
		return nil, err
	}
	for i := range devs {
		d := &devs[i]
		d.Encrypted = d.Encrypted || byDefault
		if d.SnapshotID != "" {
			sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+d.SnapshotID)
			if err != nil {
				return nil, fmt.Errorf("launch device %s: snapshot %s: %w", d.DeviceName, d.SnapshotID, err)
			}
			if sn.Encrypted {
				d.Encrypted, d.keyCipher = true, sn.KeyCipher
			}
		}
		if d.Encrypted && d.keyCipher == nil {
			if _, err := s.master(); err != nil {
				return nil, err
			}
		}
	}
	return devs, nil
}
