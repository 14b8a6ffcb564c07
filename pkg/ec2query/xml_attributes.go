package ec2query

import (
	"encoding/base64"

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

// attrValue is EC2's AttributeValue / AttributeBooleanValue:
// <x><value>…</value></x>, or <x/> for an unset text value.
type attrValue struct {
	Value string `xml:"value,omitempty"`
}

// boolValue is EC2's AttributeBooleanValue (the value always present).
type boolValue struct {
	Value bool `xml:"value"`
}

type enclaveOptionsXML struct {
	Enabled bool `xml:"enabled"`
}

type bdmListXML struct {
	Items []instanceBDMXML `xml:"item"`
}

// instanceAttributeBody is EC2's DescribeInstanceAttribute answer
// (botocore: InstanceAttribute): the instance and the one member asked for.
type instanceAttributeBody struct {
	meta
	InstanceID                        string             `xml:"instanceId"`
	InstanceType                      *attrValue         `xml:"instanceType,omitempty"`
	Kernel                            *attrValue         `xml:"kernel,omitempty"`
	Ramdisk                           *attrValue         `xml:"ramdisk,omitempty"`
	UserData                          *attrValue         `xml:"userData,omitempty"`
	DisableAPITermination             *boolValue         `xml:"disableApiTermination,omitempty"`
	InstanceInitiatedShutdownBehavior *attrValue         `xml:"instanceInitiatedShutdownBehavior,omitempty"`
	RootDeviceName                    *attrValue         `xml:"rootDeviceName,omitempty"`
	BlockDeviceMapping                *bdmListXML        `xml:"blockDeviceMapping,omitempty"`
	ProductCodes                      *emptySet          `xml:"productCodes,omitempty"`
	SourceDestCheck                   *boolValue         `xml:"sourceDestCheck,omitempty"`
	GroupSet                          *groupSetXML       `xml:"groupSet,omitempty"`
	EbsOptimized                      *boolValue         `xml:"ebsOptimized,omitempty"`
	SriovNetSupport                   *attrValue         `xml:"sriovNetSupport,omitempty"`
	EnaSupport                        *boolValue         `xml:"enaSupport,omitempty"`
	EnclaveOptions                    *enclaveOptionsXML `xml:"enclaveOptions,omitempty"`
	DisableAPIStop                    *boolValue         `xml:"disableApiStop,omitempty"`
}

// instanceAttributeXML puts each member the answer carries under EC2's
// element for it; a list attribute asked for is present even when empty.
func instanceAttributeXML(r *ec2labv1.InstanceAttribute) body {
	b := &instanceAttributeBody{InstanceID: r.GetInstanceId(),
		InstanceType: text(r.GetInstanceType()), Kernel: text(r.GetKernelId()), Ramdisk: text(r.GetRamdiskId()),
		UserData: text(r.GetUserData()), InstanceInitiatedShutdownBehavior: text(r.GetInstanceInitiatedShutdownBehavior()),
		RootDeviceName: text(r.GetRootDeviceName()), SriovNetSupport: text(r.GetSriovNetSupport()),
		DisableAPITermination: flag(r.GetDisableApiTermination()), DisableAPIStop: flag(r.GetDisableApiStop()),
		SourceDestCheck: flag(r.GetSourceDestCheck()), EbsOptimized: flag(r.GetEbsOptimized()),
		EnaSupport: flag(r.GetEnaSupport())}
	if e := r.GetEnclaveOptions(); e != nil {
		b.EnclaveOptions = &enclaveOptionsXML{e.GetEnabled()}
	}
	switch r.GetAttribute() {
	case "groupSet":
		gs := groupSet(r.GetGroups())
		b.GroupSet = &gs
	case "blockDeviceMapping":
		b.BlockDeviceMapping = &bdmListXML{Items: instanceBDMs(r.GetBlockDeviceMappings())}
	case "productCodes":
		b.ProductCodes = &emptySet{}
	}
	return b
}

func text(v *ec2labv1.AttributeValue) *attrValue {
	if v == nil {
		return nil
	}
	return &attrValue{Value: v.GetValue()}
}

func flag(v *ec2labv1.AttributeBooleanValue) *boolValue {
	if v == nil {
		return nil
	}
	return &boolValue{Value: v.GetValue()}
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

// creditSpecsXML answers DescribeInstanceCreditSpecifications.
func creditSpecsXML(r *ec2labv1.DescribeInstanceCreditSpecificationsResponse) body {
	b := &creditSpecsBody{NextToken: r.GetNextToken()}
	for _, c := range r.GetInstanceCreditSpecifications() {
		b.Set.Items = append(b.Set.Items, creditSpecXML{c.GetInstanceId(), c.GetCpuCredits()})
	}
	return b
}
