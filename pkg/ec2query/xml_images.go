package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Image, key pair and tag shapes (botocore: Image, BlockDeviceMapping,
// KeyPair, KeyPairInfo, TagDescription).

type ebsXML struct {
	SnapshotID          string `xml:"snapshotId,omitempty"`
	VolumeSize          int32  `xml:"volumeSize,omitempty"`
	DeleteOnTermination *bool  `xml:"deleteOnTermination,omitempty"`
	VolumeType          string `xml:"volumeType,omitempty"`
	Iops                int32  `xml:"iops,omitempty"`
	Throughput          int32  `xml:"throughput,omitempty"`
	Encrypted           bool   `xml:"encrypted"`
}

type bdmXML struct {
	DeviceName  string  `xml:"deviceName"`
	VirtualName string  `xml:"virtualName,omitempty"`
	Ebs         *ebsXML `xml:"ebs,omitempty"`
	NoDevice    *string `xml:"noDevice,omitempty"` // present (empty) when set
}

func blockDeviceMapping(b *ec2labv1.BlockDeviceMapping) bdmXML {
	x := bdmXML{DeviceName: b.GetDeviceName(), VirtualName: b.GetVirtualName()}
	if e := b.GetEbs(); e != nil {
		x.Ebs = &ebsXML{SnapshotID: e.GetSnapshotId(), VolumeSize: e.GetVolumeSize(), VolumeType: e.GetVolumeType(),
			Iops: e.GetIops(), Throughput: e.GetThroughput(), Encrypted: e.GetEncrypted()}
		if e.DeleteOnTermination != nil {
			x.Ebs.DeleteOnTermination = new(e.GetDeleteOnTermination())
		}
	}
	if b.GetNoDevice() {
		x.NoDevice = new("")
	}
	return x
}

type imageXML struct {
	ImageID            string          `xml:"imageId"`
	ImageLocation      string          `xml:"imageLocation,omitempty"`
	ImageState         string          `xml:"imageState"`
	ImageOwnerID       string          `xml:"imageOwnerId"`
	CreationDate       string          `xml:"creationDate,omitempty"`
	IsPublic           bool            `xml:"isPublic"`
	Architecture       string          `xml:"architecture,omitempty"`
	ImageType          string          `xml:"imageType"`
	Name               string          `xml:"name"`
	Description        string          `xml:"description,omitempty"`
	RootDeviceType     string          `xml:"rootDeviceType,omitempty"`
	RootDeviceName     string          `xml:"rootDeviceName,omitempty"`
	BlockDeviceMapping []bdmXML        `xml:"blockDeviceMapping>item"`
	VirtualizationType string          `xml:"virtualizationType,omitempty"`
	TagSet             *tagSetXML      `xml:"tagSet,omitempty"`
	StateReason        *stateReasonXML `xml:"stateReason,omitempty"`
	BootMode           string          `xml:"bootMode,omitempty"`
	// SourceInstanceID is set for images made by CreateImage only;
	// LastLaunchedTime (a string in botocore's model, to the second) is
	// the owner's, absent until the image launches an instance.
	DeprecationTime          string `xml:"deprecationTime,omitempty"`
	SourceInstanceID         string `xml:"sourceInstanceId,omitempty"`
	DeregistrationProtection string `xml:"deregistrationProtection,omitempty"`
	LastLaunchedTime         string `xml:"lastLaunchedTime,omitempty"`
}

// lastLaunchedTimeFormat is EC2's lastLaunchedTime: ISO 8601 to the second
// (DescribeImageAttribute answers the same, from pkg/controller).
const lastLaunchedTimeFormat = "2006-01-02T15:04:05Z"

// bootMode maps ec2lab's boot modes onto EC2's names where EC2 has one.
func bootMode(m string) string {
	if m == "bios" {
		return "legacy-bios"
	}
	return m
}

func image(im *ec2labv1.Image) imageXML {
	x := imageXML{ImageID: im.GetImageId(), ImageLocation: im.GetImageLocation(), ImageState: im.GetState(),
		ImageOwnerID: im.GetOwnerId(), CreationDate: xmlTime(im.GetCreationDate()), IsPublic: im.GetPublic(),
		Architecture: im.GetArchitecture(), ImageType: "machine", Name: im.GetName(), Description: im.GetDescription(),
		RootDeviceType: im.GetRootDeviceType(), RootDeviceName: im.GetRootDeviceName(),
		VirtualizationType: im.GetVirtualizationType(), TagSet: tagsXML(im.GetTags()), BootMode: bootMode(im.GetBootMode()),
		SourceInstanceID: im.GetSourceInstanceId(), DeregistrationProtection: im.GetDeregistrationProtection()}
	if t := im.GetLastLaunchedTime(); t != nil {
		x.LastLaunchedTime = t.AsTime().UTC().Format(lastLaunchedTimeFormat)
	}
	x.DeprecationTime = secondsTime(im.GetDeprecationTime())
	for _, b := range im.GetBlockDeviceMappings() {
		x.BlockDeviceMapping = append(x.BlockDeviceMapping, blockDeviceMapping(b))
	}
	if r := im.GetStateReason(); r != "" {
		x.StateReason = &stateReasonXML{Code: im.GetState(), Message: r}
	}
	return x
}

type describeImagesBody struct {
	meta
	ImagesSet struct {
		Items []imageXML `xml:"item"`
	} `xml:"imagesSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeImagesXML(r *ec2labv1.DescribeImagesResponse) body {
	b := &describeImagesBody{NextToken: r.GetNextToken()}
	for _, im := range r.GetImages() {
		b.ImagesSet.Items = append(b.ImagesSet.Items, image(im))
	}
	return b
}

type imageIDBody struct {
	meta
	ImageID string `xml:"imageId"`
}

// imageIDXML answers RegisterImage, CreateImage and CopyImage.
func imageIDXML[R interface{ GetImageId() string }](r R) body {
	return &imageIDBody{ImageID: r.GetImageId()}
}

// keyPairBody answers CreateKeyPair (with keyMaterial) and ImportKeyPair.
type keyPairBody struct {
	meta
	KeyName        string     `xml:"keyName"`
	KeyFingerprint string     `xml:"keyFingerprint"`
	KeyMaterial    string     `xml:"keyMaterial,omitempty"`
	KeyPairID      string     `xml:"keyPairId"`
	TagSet         *tagSetXML `xml:"tagSet,omitempty"`
}

func keyPairXML(k *ec2labv1.KeyPair) body {
	return &keyPairBody{KeyName: k.GetKeyName(), KeyFingerprint: k.GetKeyFingerprint(),
		KeyMaterial: k.GetKeyMaterial(), KeyPairID: k.GetKeyPairId(), TagSet: tagsXML(k.GetTags())}
}

type keyInfoXML struct {
	KeyPairID      string     `xml:"keyPairId"`
	KeyName        string     `xml:"keyName"`
	KeyFingerprint string     `xml:"keyFingerprint"`
	KeyType        string     `xml:"keyType,omitempty"`
	PublicKey      string     `xml:"publicKey,omitempty"`
	CreateTime     string     `xml:"createTime,omitempty"`
	TagSet         *tagSetXML `xml:"tagSet,omitempty"`
}

type describeKeyPairsBody struct {
	meta
	KeySet struct {
		Items []keyInfoXML `xml:"item"`
	} `xml:"keySet"`
}

func describeKeyPairsXML(r *ec2labv1.DescribeKeyPairsResponse) body {
	b := &describeKeyPairsBody{}
	for _, k := range r.GetKeyPairs() {
		b.KeySet.Items = append(b.KeySet.Items, keyInfoXML{k.GetKeyPairId(), k.GetKeyName(), k.GetKeyFingerprint(),
			k.GetKeyType(), k.GetPublicKey(), xmlTime(k.GetCreateTime()), tagsXML(k.GetTags())})
	}
	return b
}

type deleteKeyPairBody struct {
	meta
	Return    bool   `xml:"return"`
	KeyPairID string `xml:"keyPairId,omitempty"`
}

type tagDescriptionXML struct {
	ResourceID   string `xml:"resourceId"`
	ResourceType string `xml:"resourceType"`
	Key          string `xml:"key"`
	Value        string `xml:"value"`
}

type describeTagsBody struct {
	meta
	TagSet struct {
		Items []tagDescriptionXML `xml:"item"`
	} `xml:"tagSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeTagsXML(r *ec2labv1.DescribeTagsResponse) body {
	b := &describeTagsBody{NextToken: r.GetNextToken()}
	for _, t := range r.GetTags() {
		b.TagSet.Items = append(b.TagSet.Items, tagDescriptionXML{t.GetResourceId(), t.GetResourceType(), t.GetKey(), t.GetValue()})
	}
	return b
}
