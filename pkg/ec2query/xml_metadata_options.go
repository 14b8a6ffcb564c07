package ec2query

import (
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Metadata options shapes (botocore: InstanceMetadataOptionsResponse,
// ModifyInstanceMetadataOptionsResult).

type metadataOptionsXML struct {
	State                   string `xml:"state"`
	HTTPTokens              string `xml:"httpTokens"`
	HTTPPutResponseHopLimit int32  `xml:"httpPutResponseHopLimit"`
	HTTPEndpoint            string `xml:"httpEndpoint"`
}

func metadataOptions(o *ec2labv1.InstanceMetadataOptions) *metadataOptionsXML {
	if o == nil {
		return nil
	}
	return &metadataOptionsXML{State: o.GetState(), HTTPTokens: o.GetHttpTokens(),
		HTTPPutResponseHopLimit: o.GetHttpPutResponseHopLimit(), HTTPEndpoint: o.GetHttpEndpoint()}
}

type modifyMetadataOptionsBody struct {
	meta
	InstanceID string              `xml:"instanceId"`
	Options    *metadataOptionsXML `xml:"instanceMetadataOptions,omitempty"`
}

func modifyMetadataOptionsXML(r *ec2labv1.ModifyInstanceMetadataOptionsResponse) body {
	return &modifyMetadataOptionsBody{InstanceID: r.GetInstanceId(), Options: metadataOptions(r.GetInstanceMetadataOptions())}
}
