package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeVolumeStatus and DescribeVolumeAttribute answers (botocore:
// VolumeStatusItem, DescribeVolumeAttributeResult).

type volumeStatusDetailXML struct {
	Name   string `xml:"name"`
	Status string `xml:"status"`
}

type volumeStatusInfoXML struct {
	Status  string                  `xml:"status"`
	Details []volumeStatusDetailXML `xml:"details>item"`
}

type volumeAttachmentStatusXML struct {
	IoPerformance string `xml:"ioPerformance,omitempty"`
	InstanceID    string `xml:"instanceId,omitempty"`
}

type attachmentStatusesXML struct {
	Items []volumeAttachmentStatusXML `xml:"item"`
}

// volumeStatusItemXML always carries eventsSet and actionsSet, empty: EC2
// sends them, and ec2lab has no volume events or actions.
// attachmentStatuses comes with io-performance (io1, io2, gp3 attached).
type volumeStatusItemXML struct {
	VolumeID           string                 `xml:"volumeId"`
	AvailabilityZone   string                 `xml:"availabilityZone"`
	VolumeStatus       volumeStatusInfoXML    `xml:"volumeStatus"`
	EventsSet          emptySet               `xml:"eventsSet"`
	ActionsSet         emptySet               `xml:"actionsSet"`
	AttachmentStatuses *attachmentStatusesXML `xml:"attachmentStatuses,omitempty"`
}

type describeVolumeStatusBody struct {
	meta
	Set struct {
		Items []volumeStatusItemXML `xml:"item"`
	} `xml:"volumeStatusSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeVolumeStatusXML(r *ec2labv1.DescribeVolumeStatusResponse) body {
	b := &describeVolumeStatusBody{NextToken: r.GetNextToken()}
	for _, st := range r.GetVolumeStatuses() {
		x := volumeStatusItemXML{VolumeID: st.GetVolumeId(), AvailabilityZone: st.GetAvailabilityZone(),
			VolumeStatus: volumeStatusInfoXML{Status: st.GetStatus()}}
		for _, d := range st.GetDetails() {
			x.VolumeStatus.Details = append(x.VolumeStatus.Details, volumeStatusDetailXML{d.GetName(), d.GetStatus()})
		}
		for i, a := range st.GetAttachmentStatuses() {
			if i == 0 {
				x.AttachmentStatuses = &attachmentStatusesXML{}
			}
			x.AttachmentStatuses.Items = append(x.AttachmentStatuses.Items, volumeAttachmentStatusXML{a.GetIoPerformance(), a.GetInstanceId()})
		}
		b.Set.Items = append(b.Set.Items, x)
	}
	return b
}

// volumeAttributeBody holds the volume and the one attribute asked for.
type volumeAttributeBody struct {
	meta
	VolumeID     string     `xml:"volumeId"`
	AutoEnableIO *boolValue `xml:"autoEnableIO,omitempty"`
	ProductCodes *emptySet  `xml:"productCodes,omitempty"`
}

func volumeAttributeXML(r *ec2labv1.VolumeAttribute) body {
	b := &volumeAttributeBody{VolumeID: r.GetVolumeId()}
	switch r.GetAttribute() {
	case "autoEnableIO":
		b.AutoEnableIO = &boolValue{Value: r.GetAutoEnableIo().GetValue()}
	case "productCodes":
		b.ProductCodes = &emptySet{}
	}
	return b
}
