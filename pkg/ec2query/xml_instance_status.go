package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeInstanceStatus' answer (botocore: DescribeInstanceStatusResult,
// InstanceStatus).

type statusDetailXML struct {
	Name          string `xml:"name"`
	Status        string `xml:"status"`
	ImpairedSince string `xml:"impairedSince,omitempty"`
}

type statusSummaryXML struct {
	Status  string            `xml:"status"`
	Details []statusDetailXML `xml:"details>item"`
}

type statusEventXML struct {
	InstanceEventID string `xml:"instanceEventId,omitempty"`
	Code            string `xml:"code"`
	Description     string `xml:"description,omitempty"`
	NotBefore       string `xml:"notBefore,omitempty"`
	NotAfter        string `xml:"notAfter,omitempty"`
}

// statusEventsXML is the eventsSet, left out when there are none (as EC2).
type statusEventsXML struct {
	Items []statusEventXML `xml:"item"`
}

type instanceStatusXML struct {
	InstanceID       string           `xml:"instanceId"`
	AvailabilityZone string           `xml:"availabilityZone"`
	Events           *statusEventsXML `xml:"eventsSet,omitempty"`
	InstanceState    stateXML         `xml:"instanceState"`
	SystemStatus     statusSummaryXML `xml:"systemStatus"`
	InstanceStatus   statusSummaryXML `xml:"instanceStatus"`
}

type describeInstanceStatusBody struct {
	meta
	Set struct {
		Items []instanceStatusXML `xml:"item"`
	} `xml:"instanceStatusSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

func describeInstanceStatusXML(r *ec2labv1.DescribeInstanceStatusResponse) body {
	b := &describeInstanceStatusBody{NextToken: r.GetNextToken()}
	for _, st := range r.GetInstanceStatuses() {
		x := instanceStatusXML{InstanceID: st.GetInstanceId(), AvailabilityZone: st.GetAvailabilityZone(),
			InstanceState: instanceState(st.GetInstanceState()),
			SystemStatus:  statusSummary(st.GetSystemStatus()), InstanceStatus: statusSummary(st.GetInstanceStatus())}
		for _, e := range st.GetEvents() {
			if x.Events == nil {
				x.Events = &statusEventsXML{}
			}
			x.Events.Items = append(x.Events.Items, statusEventXML{e.GetInstanceEventId(), e.GetCode(),
				e.GetDescription(), xmlTime(e.GetNotBefore()), xmlTime(e.GetNotAfter())})
		}
		b.Set.Items = append(b.Set.Items, x)
	}
	return b
}

func statusSummary(s *ec2labv1.InstanceStatusSummary) statusSummaryXML {
	x := statusSummaryXML{Status: s.GetStatus()}
	for _, d := range s.GetDetails() {
		x.Details = append(x.Details, statusDetailXML{d.GetName(), d.GetStatus(), xmlTime(d.GetImpairedSince())})
	}
	return x
}
