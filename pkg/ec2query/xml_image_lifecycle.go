package ec2query

import (
	"google.golang.org/protobuf/types/known/timestamppb"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// The EC2 shapes of the image lifecycle actions (deregistration
// protection, deprecation) and of DescribeInstanceImageMetadata.

// secondsTime writes t as EC2 writes the image times its model keeps as
// strings (deprecationTime, creationDate of ImageMetadata): ISO 8601 to
// the second; "" when unset.
func secondsTime(t *timestamppb.Timestamp) string {
	if t == nil {
		return ""
	}
	return t.AsTime().UTC().Format(lastLaunchedTimeFormat)
}

// returnStringBody answers the image's new deregistrationProtection in
// <return> (a string in EC2's model).
type returnStringBody struct {
	meta
	Return string `xml:"return"`
}

func protectionXML(r *ec2labv1.ImageDeregistrationProtectionResponse) body {
	return &returnStringBody{Return: r.GetReturn()}
}

type imageMetadataXML struct {
	ImageID         string `xml:"imageId"`
	Name            string `xml:"name,omitempty"`
	ImageOwnerID    string `xml:"imageOwnerId,omitempty"`
	ImageState      string `xml:"imageState,omitempty"`
	CreationDate    string `xml:"creationDate,omitempty"`
	DeprecationTime string `xml:"deprecationTime,omitempty"`
	ImageAllowed    *bool  `xml:"imageAllowed,omitempty"`
	IsPublic        *bool  `xml:"isPublic,omitempty"`
}

type instanceImageMetadataXML struct {
	InstanceID       string           `xml:"instanceId"`
	InstanceType     string           `xml:"instanceType"`
	LaunchTime       string           `xml:"launchTime"`
	AvailabilityZone string           `xml:"availabilityZone"`
	ZoneID           string           `xml:"zoneId,omitempty"`
	InstanceState    stateXML         `xml:"instanceState"`
	InstanceOwnerID  string           `xml:"instanceOwnerId"`
	TagSet           *tagSetXML       `xml:"tagSet,omitempty"`
	ImageMetadata    imageMetadataXML `xml:"imageMetadata"`
}

type describeInstanceImageMetadataBody struct {
	meta
	Items     []instanceImageMetadataXML `xml:"instanceImageMetadataSet>item"`
	NextToken string                     `xml:"nextToken,omitempty"`
}

func describeInstanceImageMetadataXML(r *ec2labv1.DescribeInstanceImageMetadataResponse) body {
	b := &describeInstanceImageMetadataBody{NextToken: r.GetNextToken()}
	for _, m := range r.GetInstanceImageMetadata() {
		im := m.GetImageMetadata()
		b.Items = append(b.Items, instanceImageMetadataXML{InstanceID: m.GetInstanceId(), InstanceType: m.GetInstanceType(),
			LaunchTime: xmlTime(m.GetLaunchTime()), AvailabilityZone: m.GetAvailabilityZone(), ZoneID: m.GetZoneId(),
			InstanceState: instanceState(m.GetState()), InstanceOwnerID: m.GetOwnerId(), TagSet: tagsXML(m.GetTags()),
			ImageMetadata: imageMetadataXML{ImageID: im.GetImageId(), Name: im.GetName(), ImageOwnerID: im.GetOwnerId(),
				ImageState: im.GetState(), CreationDate: secondsTime(im.GetCreationDate()),
				DeprecationTime: secondsTime(im.GetDeprecationTime()), ImageAllowed: im.ImageAllowed, IsPublic: im.IsPublic}})
	}
	return b
}
