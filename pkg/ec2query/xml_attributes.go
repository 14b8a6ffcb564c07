package ec2query

import (
	"encoding/base64"
	"strconv"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

type consoleOutputBody struct {
	meta
	InstanceID string `xml:"instanceId"`
	Timestamp  string `xml:"timestamp,omitempty"`
	Output     string `xml:"output"`
}

// consoleOutputXML sends the raw console bytes base64-encoded, as EC2 does.
func consoleOutputXML(r *ec2labv1.GetConsoleOutputResponse) body {
	return &consoleOutputBody{InstanceID: r.GetInstanceId(), Timestamp: xmlTime(r.GetTimestamp()),
		Output: base64.StdEncoding.EncodeToString(r.GetOutput())}
}

// attrValue is EC2's AttributeValue / AttributeBooleanValue: <x><value>…</value></x>.
type attrValue struct {
	Value string `xml:"value"`
}

type instanceAttributeBody struct {
	meta
	InstanceID            string     `xml:"instanceId"`
	UserData              *attrValue `xml:"userData,omitempty"`
	DisableAPITermination *attrValue `xml:"disableApiTermination,omitempty"`
	DisableAPIStop        *attrValue `xml:"disableApiStop,omitempty"`
	InstanceType          *attrValue `xml:"instanceType,omitempty"`
}

// instanceAttributes are the Attribute values DescribeInstanceAttribute
// answers; booleans are marked true.
var instanceAttributes = map[string]bool{
	"userData": false, "instanceType": false, "disableApiTermination": true, "disableApiStop": true,
}

func checkInstanceAttribute(r *ec2labv1.DescribeInstanceAttributeRequest) error {
	if _, ok := instanceAttributes[r.GetAttribute()]; !ok {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Supported attributes: disableApiStop, disableApiTermination, instanceType, userData", clip(r.GetAttribute()))
	}
	return nil
}

// instanceAttributeXML puts the value (userData already base64) under the
// element named after the attribute, the request's when the server omits it.
func instanceAttributeXML(attribute string) func(*ec2labv1.InstanceAttribute) body {
	return func(r *ec2labv1.InstanceAttribute) body {
		name := r.GetAttribute()
		if name == "" {
			name = attribute
		}
		v := &attrValue{Value: r.GetValue()}
		if instanceAttributes[name] {
			b, _ := strconv.ParseBool(strings.ToLower(r.GetValue()))
			v.Value = strconv.FormatBool(b)
		}
		b := &instanceAttributeBody{InstanceID: r.GetInstanceId()}
		switch name {
		case "userData":
			b.UserData = v
		case "disableApiTermination":
			b.DisableAPITermination = v
		case "disableApiStop":
			b.DisableAPIStop = v
		case "instanceType":
			b.InstanceType = v
		}
		return b
	}
}

type creditSpecXML struct {
	InstanceID string `xml:"instanceId"`
	CPUCredits string `xml:"cpuCredits"`
}

type creditSpecsBody struct {
	meta
	Set struct {
		Items []creditSpecXML `xml:"item"`
	} `xml:"instanceCreditSpecificationSet"`
	NextToken string `xml:"nextToken,omitempty"`
}

// creditSpecsXML answers DescribeInstanceCreditSpecifications from
// DescribeInstances: each burstable instance's credit mode.
func creditSpecsXML(r *ec2labv1.DescribeInstancesResponse) body {
	b := &creditSpecsBody{NextToken: r.GetNextToken()}
	for _, res := range r.GetReservations() {
		for _, in := range res.GetInstances() {
			if in.GetCpuCredits() != "" {
				b.Set.Items = append(b.Set.Items, creditSpecXML{in.GetInstanceId(), in.GetCpuCredits()})
			}
		}
	}
	return b
}
