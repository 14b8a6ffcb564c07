package api

import (
	"time"

	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

func ts(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func tagsOut(tags []controller.Tag) []*v1.Tag {
	out := make([]*v1.Tag, len(tags))
	for i, t := range tags {
		out[i] = &v1.Tag{Key: t.Key, Value: t.Value}
	}
	return out
}

func tagsIn(tags []*v1.Tag) []controller.Tag {
	out := make([]controller.Tag, len(tags))
	for i, t := range tags {
		out[i] = controller.Tag{Key: t.GetKey(), Value: t.GetValue()}
	}
	return out
}

// specTags collects TagSpecifications by resource type.
func specTags(specs []*v1.TagSpecification) map[string][]controller.Tag {
	out := map[string][]controller.Tag{}
	for _, s := range specs {
		out[s.GetResourceType()] = append(out[s.GetResourceType()], tagsIn(s.GetTags())...)
	}
	return out
}

func filtersIn(fs []*v1.Filter) []controller.Filter {
	out := make([]controller.Filter, len(fs))
	for i, f := range fs {
		out[i] = controller.Filter{Name: f.GetName(), Values: f.GetValues()}
	}
	return out
}

func state(name string) *v1.InstanceState {
	return &v1.InstanceState{Code: controller.StateCode(name), Name: name}
}

func instanceOut(in controller.Instance) *v1.Instance {
	out := &v1.Instance{InstanceId: in.ID, ImageId: in.ImageID, State: state(in.State), InstanceType: in.Type,
		KeyName: in.KeyName, LaunchTime: ts(in.LaunchTime), Architecture: in.Architecture,
		Placement: &v1.Placement{AvailabilityZone: in.AZ, Tenancy: "default", HostId: in.HostID,
			GroupName: in.PlacementGroup, PartitionNumber: int32(in.Partition)},
		RootDeviceName: in.RootDeviceName, RootDeviceType: "ebs", Tags: tagsOut(in.Tags), ClientToken: in.ClientToken,
		PrivateDnsName: in.ID + ".ec2lab.internal", OwnerId: in.Owner, ReservationId: in.ReservationID,
		AmiLaunchIndex: int32(in.LaunchIndex), Hypervisor: "kvm", VirtualizationType: "hvm", DomainType: in.DomainType,
		HostId: in.HostID, StateTransitionReason: in.TransitionReason}
	if in.StateReasonCode != "" {
		out.StateReason = &v1.StateReason{Code: in.StateReasonCode, Message: in.StateReasonMessage}
	}
	networkOut(in, out)
	out.SecurityGroups = groupRefsOut(in.SecurityGroups)
	for _, ni := range in.NetworkInterfaces() {
		out.NetworkInterfaces = append(out.NetworkInterfaces, networkInterfaceOut(ni))
	}
	out.PublicIpAddress = in.PublicIP()
	out.MetadataOptions = metadataOptionsOut(in.Metadata)
	out.CpuCredits = in.CPUCredits
	guestOut(in, out)
	for _, b := range in.BlockDevices {
		out.BlockDeviceMappings = append(out.BlockDeviceMappings, &v1.InstanceBlockDeviceMapping{DeviceName: b.DeviceName,
			VolumeId: b.VolumeID, Status: b.Status, AttachTime: ts(b.AttachTime), DeleteOnTermination: b.DeleteOnTermination})
	}
	return out
}

func volumeOut(v controller.Volume) *v1.Volume {
	out := &v1.Volume{VolumeId: v.ID, Size: v.SizeGiB, SnapshotId: v.SnapshotID, AvailabilityZone: v.AZ, State: v.State,
		CreateTime: ts(v.CreateTime), VolumeType: v.Type, Iops: v.IOPS, Throughput: v.Throughput, Encrypted: v.Encrypted,
		Tags: tagsOut(v.Tags), OwnerId: v.Owner}
	if a := v.Attachment; a != nil {
		out.Attachments = []*v1.VolumeAttachment{attachmentOut(v.ID, *a)}
	}
	return out
}

func attachmentOut(volID string, a controller.Attachment) *v1.VolumeAttachment {
	return &v1.VolumeAttachment{VolumeId: volID, InstanceId: a.InstanceID, Device: a.Device, State: a.State,
		AttachTime: ts(a.AttachTime), DeleteOnTermination: a.DeleteOnTermination}
}

func snapshotOut(s controller.Snapshot) *v1.Snapshot {
	return &v1.Snapshot{SnapshotId: s.ID, VolumeId: s.VolumeID, State: s.State, StartTime: ts(s.StartTime),
		Progress: s.Progress, OwnerId: s.Owner, Description: s.Description, VolumeSize: s.SizeGiB, Encrypted: s.Encrypted,
		Tags: tagsOut(s.Tags), StoredBytes: s.StoredBytes, StateMessage: s.Message, CompletionTime: ts(s.CompletionTime)}
}

func imageOut(img controller.Image) *v1.Image {
	out := &v1.Image{ImageId: img.ID, Name: img.Name, Description: img.Description, State: img.State, OwnerId: img.Owner,
		Public: img.Public, Architecture: img.Architecture, BootMode: img.BootMode, KernelCommandLine: img.Cmdline,
		RootDeviceName: img.RootDeviceName, RootDeviceType: "ebs", VirtualizationType: "hvm",
		CreationDate: ts(img.CreationDate), Tags: tagsOut(img.Tags), ImageLocation: img.Location, StateReason: img.StateReason,
		SourceInstanceId: img.SourceInstanceID, LastLaunchedTime: ts(img.LastLaunchedTime),
		DeregistrationProtection: img.DeregistrationProtection, DeprecationTime: ts(img.DeprecationTime)}
	for _, d := range img.Devices {
		dot := d.DeleteOnTermination
		out.BlockDeviceMappings = append(out.BlockDeviceMappings, &v1.BlockDeviceMapping{DeviceName: d.DeviceName,
			Ebs: &v1.EbsBlockDevice{SnapshotId: d.SnapshotID, VolumeSize: d.SizeGiB, VolumeType: d.VolumeType, DeleteOnTermination: &dot}})
	}
	return out
}

func launchPermissionsIn(ps []*v1.LaunchPermission) []controller.LaunchPermission {
	var out []controller.LaunchPermission
	for _, p := range ps {
		out = append(out, controller.LaunchPermission{UserID: p.GetUserId(), Group: p.GetGroup()})
	}
	return out
}

func launchPermissionsOut(ps []controller.LaunchPermission) []*v1.LaunchPermission {
	var out []*v1.LaunchPermission
	for _, p := range ps {
		out = append(out, &v1.LaunchPermission{UserId: p.UserID, Group: p.Group})
	}
	return out
}

func keyPairOut(k controller.KeyPair, withPublic bool) *v1.KeyPair {
	out := &v1.KeyPair{KeyName: k.Name, KeyPairId: k.ID, KeyFingerprint: k.Fingerprint, KeyType: k.Type,
		CreateTime: ts(k.CreateTime), Tags: tagsOut(k.Tags)}
	if withPublic {
		out.PublicKey = k.PublicKey
	}
	return out
}

func changesOut(chs []controller.StateChange) *v1.InstanceStateChanges {
	out := &v1.InstanceStateChanges{}
	for _, c := range chs {
		out.Instances = append(out.Instances, &v1.InstanceStateChange{InstanceId: c.InstanceID,
			PreviousState: state(c.Previous), CurrentState: state(c.State)})
	}
	return out
}

// guestOut fills what EC2 reports of every instance from what ec2lab's
// guests are: virtio devices (no ENA, no dedicated EBS bandwidth), one
// socket of single-threaded cores, no hibernation, no enclaves, Linux/UNIX
// billed as RunInstances since launch.
func guestOut(in controller.Instance, out *v1.Instance) {
	if in.Cores > 0 {
		out.CpuOptions = &v1.CpuOptions{CoreCount: int32(in.Cores), ThreadsPerCore: 1}
	}
	switch in.BootMode {
	case "bios":
		out.BootMode = "legacy-bios"
	case "uefi":
		out.BootMode = "uefi"
	}
	out.CurrentInstanceBootMode = in.GuestBootMode()
	out.PlatformDetails, out.UsageOperation = "Linux/UNIX", "RunInstances"
	out.UsageOperationUpdateTime = ts(in.LaunchTime)
	out.EnclaveOptions = &v1.EnclaveOptions{}
}
