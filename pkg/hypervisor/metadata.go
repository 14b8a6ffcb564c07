package hypervisor

import (
	"encoding/xml"
	"fmt"
)

// MetadataNS is the XML namespace of ec2lab's element in <metadata>.
const MetadataNS = "https://ec2lab.dev/xmlns/instance/1"

// metadataOut is written with an explicit "ec2lab:" prefix (encoding/xml
// would otherwise emit a default namespace on every element).
type metadataOut struct {
	XMLName      xml.Name `xml:"ec2lab:instance"`
	NS           string   `xml:"xmlns:ec2lab,attr"`
	InstanceID   string   `xml:"ec2lab:instance-id"`
	OwnerID      string   `xml:"ec2lab:owner-id,omitempty"`
	InstanceType string   `xml:"ec2lab:instance-type,omitempty"`
	ImageID      string   `xml:"ec2lab:image-id,omitempty"`
}

// metadataIn reads it back by namespace, whatever prefix libvirt kept.
type metadataIn struct {
	Instance *struct {
		InstanceID   string `xml:"https://ec2lab.dev/xmlns/instance/1 instance-id"`
		OwnerID      string `xml:"https://ec2lab.dev/xmlns/instance/1 owner-id"`
		InstanceType string `xml:"https://ec2lab.dev/xmlns/instance/1 instance-type"`
		ImageID      string `xml:"https://ec2lab.dev/xmlns/instance/1 image-id"`
	} `xml:"metadata>instance"`
}

func marshalMetadata(m Metadata) (string, error) {
	out, err := xml.Marshal(metadataOut{
		NS: MetadataNS, InstanceID: m.InstanceID, OwnerID: m.OwnerID,
		InstanceType: m.InstanceType, ImageID: m.ImageID,
	})
	if err != nil {
		return "", fmt.Errorf("marshal metadata: %w", err)
	}
	return string(out), nil
}

// ParseMetadata extracts ec2lab's metadata from a domain XML document. A
// domain without it yields an empty Metadata and no error.
func ParseMetadata(domainXML string) (Metadata, error) {
	var in metadataIn
	if err := xml.Unmarshal([]byte(domainXML), &in); err != nil {
		return Metadata{}, fmt.Errorf("parse domain XML: %w", err)
	}
	if in.Instance == nil {
		return Metadata{}, nil
	}
	i := in.Instance
	return Metadata{InstanceID: i.InstanceID, OwnerID: i.OwnerID, InstanceType: i.InstanceType, ImageID: i.ImageID}, nil
}
