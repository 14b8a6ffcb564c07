package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Volume and snapshot shapes (botocore: Volume, VolumeAttachment,
// VolumeModification, Snapshot).

type attachmentXML struct {
	VolumeID            string `xml:"volumeId"`
	InstanceID          string `xml:"instanceId"`
	Device              string `xml:"device"`
	Status              string `xml:"status"`
	AttachTime          string `xml:"attachTime,omitempty"`
	DeleteOnTermination bool   `xml:"deleteOnTermination"`
}

func attachment(a *ec2labv1.VolumeAttachment) attachmentXML {
	return attachmentXML{a.GetVolumeId(), a.GetInstanceId(), a.GetDevice(), a.GetState(),
		xmlTime(a.GetAttachTime()), a.GetDeleteOnTermination()}
}

type volumeXML struct {
	VolumeID         string `xml:"volumeId"`
	Size             int32  `xml:"size"`
	SnapshotID       string `xml:"snapshotId"`
	AvailabilityZone string `xml:"availabilityZone"`
	Status           string `xml:"status"`
	CreateTime       string `xml:"createTime,omitempty"`
	AttachmentSet    struct {
		Items []attachmentXML `xml:"item"`
	} `xml:"attachmentSet"`
	VolumeType         string     `xml:"volumeType,omitempty"`
	Iops               int32      `xml:"iops,omitempty"`
	Throughput         int32      `xml:"throughput,omitempty"`
	Encrypted          bool       `xml:"encrypted"`
	MultiAttachEnabled bool       `xml:"multiAttachEnabled"`
	TagSet             *tagSetXML `xml:"tagSet,omitempty"`
}

func volume(v *ec2labv1.Volume) volumeXML {
	x := volumeXML{VolumeID: v.GetVolumeId(), Size: v.GetSize(), SnapshotID: v.GetSnapshotId(),
		AvailabilityZone: v.GetAvailabilityZone(), Status: v.GetState(), CreateTime: xmlTime(v.GetCreateTime()),
		VolumeType: v.GetVolumeType(), Iops: v.GetIops(), Throughput: v.GetThroughput(),
		Encrypted: v.GetEncrypted(), TagSet: tagsXML(v.GetTags())}
	for _, a := range v.GetAttachments() {
		x.AttachmentSet.Items = append(x.AttachmentSet.Items, attachment(a))
	}
	return x
}

type volumeBody struct {
	meta
	volumeXML
}

func volumeBodyXML(v *ec2labv1.Volume) body { return &volumeBody{volumeXML: volume(v)} }

type describeVolumesBody struct {
	meta
	VolumeSet struct {
		Items []volumeXML `xml:"item"`
	} `xml:"volumeSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeVolumesXML(r *ec2labv1.DescribeVolumesResponse) body {
	b := &describeVolumesBody{NextToken: r.GetNextToken()}
	for _, v := range r.GetVolumes() {
		b.VolumeSet.Items = append(b.VolumeSet.Items, volume(v))
	}
	return b
}

type attachmentBody struct {
	meta
	attachmentXML
}

func attachmentBodyXML(a *ec2labv1.VolumeAttachment) body {
	return &attachmentBody{attachmentXML: attachment(a)}
}

type modificationXML struct {
	VolumeID           string `xml:"volumeId"`
	ModificationState  string `xml:"modificationState"`
	TargetSize         int32  `xml:"targetSize,omitempty"`
	TargetIops         int32  `xml:"targetIops,omitempty"`
	TargetVolumeType   string `xml:"targetVolumeType,omitempty"`
	TargetThroughput   int32  `xml:"targetThroughput,omitempty"`
	OriginalSize       int32  `xml:"originalSize,omitempty"`
	OriginalIops       int32  `xml:"originalIops,omitempty"`
	OriginalVolumeType string `xml:"originalVolumeType,omitempty"`
	OriginalThroughput int32  `xml:"originalThroughput,omitempty"`
	Progress           int64  `xml:"progress"`
	StartTime          string `xml:"startTime,omitempty"`
	EndTime            string `xml:"endTime,omitempty"`
	StatusMessage      string `xml:"statusMessage,omitempty"`
}

func modification(m *ec2labv1.VolumeModification) modificationXML {
	return modificationXML{
		VolumeID: m.GetVolumeId(), ModificationState: m.GetModificationState(),
		TargetSize: m.GetTargetSize(), TargetIops: m.GetTargetIops(), TargetVolumeType: m.GetTargetVolumeType(),
		TargetThroughput: m.GetTargetThroughput(), OriginalSize: m.GetOriginalSize(), OriginalIops: m.GetOriginalIops(),
		OriginalVolumeType: m.GetOriginalVolumeType(), OriginalThroughput: m.GetOriginalThroughput(),
		Progress: m.GetProgress(), StartTime: xmlTime(m.GetStartTime()), EndTime: xmlTime(m.GetEndTime()),
		StatusMessage: m.GetStatusMessage()}
}

type modifyVolumeBody struct {
	meta
	Modification modificationXML `xml:"volumeModification"`
}

func modifyVolumeXML(m *ec2labv1.VolumeModification) body {
	return &modifyVolumeBody{Modification: modification(m)}
}

type describeVolumesModificationsBody struct {
	meta
	Set struct {
		Items []modificationXML `xml:"item"`
	} `xml:"volumeModificationSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeVolumesModificationsXML(r *ec2labv1.DescribeVolumesModificationsResponse) body {
	b := &describeVolumesModificationsBody{NextToken: r.GetNextToken()}
	for _, m := range r.GetVolumesModifications() {
		b.Set.Items = append(b.Set.Items, modification(m))
	}
	return b
}

type snapshotXML struct {
	SnapshotID    string `xml:"snapshotId"`
	VolumeID      string `xml:"volumeId"`
	Status        string `xml:"status"`
	StatusMessage string `xml:"statusMessage,omitempty"`
	StartTime     string `xml:"startTime,omitempty"`
	// CompletionTime is botocore's Snapshot.CompletionTime: when the
	// snapshot became completed (absent before).
	CompletionTime string     `xml:"completionTime,omitempty"`
	Progress       string     `xml:"progress"`
	OwnerID        string     `xml:"ownerId"`
	Description    string     `xml:"description"`
	VolumeSize     int32      `xml:"volumeSize"`
	Encrypted      bool       `xml:"encrypted"`
	TagSet         *tagSetXML `xml:"tagSet,omitempty"`
}

func snapshot(s *ec2labv1.Snapshot) snapshotXML {
	return snapshotXML{s.GetSnapshotId(), s.GetVolumeId(), s.GetState(), s.GetStateMessage(),
		xmlTime(s.GetStartTime()), xmlTime(s.GetCompletionTime()), s.GetProgress(), s.GetOwnerId(), s.GetDescription(),
		s.GetVolumeSize(), s.GetEncrypted(), tagsXML(s.GetTags())}
}

type snapshotBody struct {
	meta
	snapshotXML
}

func snapshotBodyXML(s *ec2labv1.Snapshot) body { return &snapshotBody{snapshotXML: snapshot(s)} }

type describeSnapshotsBody struct {
	meta
	SnapshotSet struct {
		Items []snapshotXML `xml:"item"`
	} `xml:"snapshotSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeSnapshotsXML(r *ec2labv1.DescribeSnapshotsResponse) body {
	b := &describeSnapshotsBody{NextToken: r.GetNextToken()}
	for _, s := range r.GetSnapshots() {
		b.SnapshotSet.Items = append(b.SnapshotSet.Items, snapshot(s))
	}
	return b
}

type copySnapshotBody struct {
	meta
	SnapshotID string `xml:"snapshotId"`
}

func copySnapshotXML(r *ec2labv1.CopySnapshotResponse) body {
	return &copySnapshotBody{SnapshotID: r.GetSnapshotId()}
}
