package ctl

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

func docAttachment(a *pb.VolumeAttachment) any {
	return NewObject().Set("DeleteOnTermination", a.GetDeleteOnTermination()).
		Set("VolumeId", a.GetVolumeId()).
		Str("InstanceId", a.GetInstanceId()).
		Str("Device", a.GetDevice()).
		Set("State", a.GetState()).
		Time("AttachTime", a.GetAttachTime())
}

// docVolume is an EC2 Volume (also create-volume's output).
func docVolume(v *pb.Volume) any {
	o := NewObject().Int("Iops", int64(v.GetIops()))
	if len(v.GetTags()) > 0 {
		o.Set("Tags", docTags(v.GetTags()))
	}
	return o.Set("VolumeType", v.GetVolumeType()).
		Set("MultiAttachEnabled", false). // ec2lab volumes attach to one instance at a time
		Int("Throughput", int64(v.GetThroughput())).
		Set("VolumeId", v.GetVolumeId()).
		Set("Size", int64(v.GetSize())).
		Set("SnapshotId", v.GetSnapshotId()).
		Set("AvailabilityZone", v.GetAvailabilityZone()).
		Set("State", v.GetState()).
		Time("CreateTime", v.GetCreateTime()).
		Set("Attachments", list(v.GetAttachments(), docAttachment)).
		Set("Encrypted", v.GetEncrypted())
}

// docVolumeModification is modify-volume's output.
func docVolumeModification(m *pb.VolumeModification) any {
	return NewObject().Set("VolumeModification", docModification(m))
}

// docModification is an EC2 VolumeModification.
func docModification(m *pb.VolumeModification) any {
	return NewObject().Set("VolumeId", m.GetVolumeId()).
		Set("ModificationState", m.GetModificationState()).
		Str("StatusMessage", m.GetStatusMessage()).
		Int("TargetSize", int64(m.GetTargetSize())).
		Int("TargetIops", int64(m.GetTargetIops())).
		Str("TargetVolumeType", m.GetTargetVolumeType()).
		Int("TargetThroughput", int64(m.GetTargetThroughput())).
		Int("OriginalSize", int64(m.GetOriginalSize())).
		Int("OriginalIops", int64(m.GetOriginalIops())).
		Str("OriginalVolumeType", m.GetOriginalVolumeType()).
		Int("OriginalThroughput", int64(m.GetOriginalThroughput())).
		Set("Progress", m.GetProgress()).
		Time("StartTime", m.GetStartTime()).
		Time("EndTime", m.GetEndTime())
}

// docSnapshot is an EC2 Snapshot (also create-snapshot's output).
func docSnapshot(s *pb.Snapshot) any {
	o := NewObject()
	if len(s.GetTags()) > 0 {
		o.Set("Tags", docTags(s.GetTags()))
	}
	o.Time("CompletionTime", s.GetCompletionTime()).
		Set("SnapshotId", s.GetSnapshotId()).
		Set("VolumeId", s.GetVolumeId()).
		Set("State", s.GetState()).
		Str("StateMessage", s.GetStateMessage()).
		Time("StartTime", s.GetStartTime()).
		Set("Progress", s.GetProgress()).
		Set("OwnerId", s.GetOwnerId()).
		Set("Description", s.GetDescription()).
		Set("VolumeSize", int64(s.GetVolumeSize())).
		Set("Encrypted", s.GetEncrypted())
	// ec2lab-only member.
	return o.Set("StoredBytes", s.GetStoredBytes()).MarkExtra("StoredBytes")
}

func docEbs(e *pb.EbsBlockDevice) *Object {
	o := NewObject()
	if e.DeleteOnTermination != nil {
		o.Set("DeleteOnTermination", e.GetDeleteOnTermination())
	}
	return o.Int("Iops", int64(e.GetIops())).
		Str("SnapshotId", e.GetSnapshotId()).
		Int("VolumeSize", int64(e.GetVolumeSize())).
		Str("VolumeType", e.GetVolumeType()).
		Int("Throughput", int64(e.GetThroughput())).
		Set("Encrypted", e.GetEncrypted())
}

func docBDM(m *pb.BlockDeviceMapping) any {
	o := NewObject()
	if m.GetEbs() != nil {
		o.Set("Ebs", docEbs(m.GetEbs()))
	}
	if m.GetNoDevice() {
		o.Set("NoDevice", "")
	}
	return o.Set("DeviceName", m.GetDeviceName()).Str("VirtualName", m.GetVirtualName())
}

// docImage is an EC2 Image.
// lastLaunchedTimeFormat is EC2's Image.LastLaunchedTime, as the Query API
// writes it (pkg/ec2query).
const lastLaunchedTimeFormat = "2006-01-02T15:04:05Z"

// secondsTime writes t as EC2 writes the image times its model keeps as
// strings (DeprecationTime, ImageMetadata's CreationDate); "" when unset.
func secondsTime(t *timestamppb.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.AsTime().UTC().Format(lastLaunchedTimeFormat)
}

func docImage(im *pb.Image) any {
	o := NewObject().Set("BlockDeviceMappings", list(im.GetBlockDeviceMappings(), docBDM)).
		Str("Description", im.GetDescription()).
		Set("Name", im.GetName()).
		Str("RootDeviceName", im.GetRootDeviceName()).
		Str("RootDeviceType", im.GetRootDeviceType())
	if im.GetStateReason() != "" {
		o.Set("StateReason", NewObject().Set("Code", im.GetState()).Set("Message", im.GetStateReason()))
	}
	if len(im.GetTags()) > 0 {
		o.Set("Tags", docTags(im.GetTags()))
	}
	o.Str("VirtualizationType", im.GetVirtualizationType()).
		Str("BootMode", im.GetBootMode()).
		Str("DeprecationTime", secondsTime(im.GetDeprecationTime())).
		Str("SourceInstanceId", im.GetSourceInstanceId()).
		Str("DeregistrationProtection", im.GetDeregistrationProtection())
	if t := im.GetLastLaunchedTime(); t != nil {
		// a string in EC2's model, to the second (not a timestamp member)
		o.Set("LastLaunchedTime", t.AsTime().UTC().Format(lastLaunchedTimeFormat))
	}
	o.Set("ImageId", im.GetImageId()).
		Str("ImageLocation", im.GetImageLocation()).
		Set("State", im.GetState()).
		Set("OwnerId", im.GetOwnerId()).
		Time("CreationDate", im.GetCreationDate()).
		Set("Public", im.GetPublic()).
		Str("Architecture", im.GetArchitecture()).
		Set("ImageType", "machine")
	// ec2lab-only member.
	return o.Str("KernelCommandLine", im.GetKernelCommandLine()).MarkExtra("KernelCommandLine")
}
