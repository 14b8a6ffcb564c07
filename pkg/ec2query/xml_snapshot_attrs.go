package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeSnapshotAttribute's answer (botocore:
// DescribeSnapshotAttributeResult): snapshotId and the list asked for,
// present even when empty. And EBS encryption by default's answers.

type createVolumePermissionXML struct {
	UserID string `xml:"userId,omitempty"`
	Group  string `xml:"group,omitempty"`
}

type permissionListXML struct {
	Items []createVolumePermissionXML `xml:"item"`
}

type snapshotAttributeBody struct {
	meta
	SnapshotID             string             `xml:"snapshotId"`
	CreateVolumePermission *permissionListXML `xml:"createVolumePermission,omitempty"`
	ProductCodes           *emptySet          `xml:"productCodes,omitempty"`
}

func snapshotAttributeXML(r *ec2labv1.SnapshotAttribute) body {
	b := &snapshotAttributeBody{SnapshotID: r.GetSnapshotId()}
	switch r.GetAttribute() {
	case "createVolumePermission":
		b.CreateVolumePermission = &permissionListXML{}
		for _, p := range r.GetCreateVolumePermissions() {
			b.CreateVolumePermission.Items = append(b.CreateVolumePermission.Items,
				createVolumePermissionXML{UserID: p.GetUserId(), Group: p.GetGroup()})
		}
	case "productCodes":
		b.ProductCodes = &emptySet{}
	}
	return b
}

type ebsEncryptionBody struct {
	meta
	EbsEncryptionByDefault bool `xml:"ebsEncryptionByDefault"`
}

func ebsEncryptionXML(r *ec2labv1.EbsEncryptionByDefault) body {
	return &ebsEncryptionBody{EbsEncryptionByDefault: r.GetEbsEncryptionByDefault()}
}

type kmsKeyIDBody struct {
	meta
	KmsKeyID string `xml:"kmsKeyId"`
}

func kmsKeyIDXML(r *ec2labv1.EbsDefaultKmsKeyId) body {
	return &kmsKeyIDBody{KmsKeyID: r.GetKmsKeyId()}
}
