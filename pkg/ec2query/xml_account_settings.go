package ec2query

import ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"

// XML of the account settings (serial console access, instance metadata
// defaults, default credit specifications) and ID formats.

type serialConsoleBody struct {
	meta
	Enabled   bool   `xml:"serialConsoleAccessEnabled"`
	ManagedBy string `xml:"managedBy,omitempty"`
}

func serialConsoleXML(r *ec2labv1.SerialConsoleAccessStatus) body {
	return &serialConsoleBody{Enabled: r.GetSerialConsoleAccessEnabled(), ManagedBy: r.GetManagedBy()}
}

type metadataDefaultsXML struct {
	HTTPTokens           string `xml:"httpTokens,omitempty"`
	HopLimit             int32  `xml:"httpPutResponseHopLimit,omitempty"`
	HTTPEndpoint         string `xml:"httpEndpoint,omitempty"`
	InstanceMetadataTags string `xml:"instanceMetadataTags,omitempty"`
	ManagedBy            string `xml:"managedBy,omitempty"`
}

type metadataDefaultsBody struct {
	meta
	AccountLevel metadataDefaultsXML `xml:"accountLevel"`
}

func metadataDefaultsXMLBody(r *ec2labv1.GetInstanceMetadataDefaultsResponse) body {
	a := r.GetAccountLevel()
	return &metadataDefaultsBody{AccountLevel: metadataDefaultsXML{HTTPTokens: a.GetHttpTokens(),
		HopLimit: a.GetHttpPutResponseHopLimit(), HTTPEndpoint: a.GetHttpEndpoint(),
		InstanceMetadataTags: a.GetInstanceMetadataTags(), ManagedBy: a.GetManagedBy()}}
}

func modifyMetadataDefaultsXML(*ec2labv1.ModifyInstanceMetadataDefaultsResponse) body {
	return returnTrue()
}

type creditSpecDefaultBody struct {
	meta
	Spec struct {
		InstanceFamily string `xml:"instanceFamily"`
		CPUCredits     string `xml:"cpuCredits"`
	} `xml:"instanceFamilyCreditSpecification"`
}

func defaultCreditSpecXML(r *ec2labv1.DefaultCreditSpecificationResponse) body {
	b := &creditSpecDefaultBody{}
	b.Spec.InstanceFamily, b.Spec.CPUCredits = r.GetInstanceFamily(), r.GetCpuCredits()
	return b
}

type idFormatXML struct {
	Resource   string `xml:"resource"`
	UseLongIDs bool   `xml:"useLongIds"`
}

type idFormatsBody struct {
	meta
	Statuses []idFormatXML `xml:"statusSet>item"`
}

type aggregateIDFormatBody struct {
	meta
	UseLongIDsAggregated bool          `xml:"useLongIdsAggregated"`
	Statuses             []idFormatXML `xml:"statusSet>item"`
}

func idStatuses(r *ec2labv1.IdFormatResponse) []idFormatXML {
	out := make([]idFormatXML, 0, len(r.GetStatuses()))
	for _, s := range r.GetStatuses() {
		out = append(out, idFormatXML{Resource: s.GetResource(), UseLongIDs: s.GetUseLongIds()})
	}
	return out
}

func idFormatsXML(r *ec2labv1.IdFormatResponse) body { return &idFormatsBody{Statuses: idStatuses(r)} }

func aggregateIDFormatXML(r *ec2labv1.IdFormatResponse) body {
	return &aggregateIDFormatBody{UseLongIDsAggregated: r.GetUseLongIdsAggregated(), Statuses: idStatuses(r)}
}
