package ec2query

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// fakeAttribute is the fake instance's value of each attribute, in the
// member EC2 answers it in (the Python tests assert the same).
func fakeAttribute(id, name string) (*ec2labv1.InstanceAttribute, bool) {
	out := &ec2labv1.InstanceAttribute{InstanceId: id, Attribute: name}
	text := func(v string) *ec2labv1.AttributeValue { return &ec2labv1.AttributeValue{Value: v} }
	flag := func(v bool) *ec2labv1.AttributeBooleanValue { return &ec2labv1.AttributeBooleanValue{Value: v} }
	switch name {
	case "instanceType":
		out.InstanceType = text("t3.micro")
	case "userData":
		out.UserData = text("I2Nsb3VkLWNvbmZpZw==")
	case "instanceInitiatedShutdownBehavior":
		out.InstanceInitiatedShutdownBehavior = text("stop")
	case "rootDeviceName":
		out.RootDeviceName = text("/dev/vda")
	case "kernel":
		out.KernelId = text("")
	case "ramdisk":
		out.RamdiskId = text("")
	case "sriovNetSupport":
		out.SriovNetSupport = text("")
	case "disableApiTermination":
		out.DisableApiTermination = flag(true)
	case "disableApiStop":
		out.DisableApiStop = flag(false)
	case "sourceDestCheck":
		out.SourceDestCheck = flag(true)
	case "ebsOptimized":
		out.EbsOptimized = flag(false)
	case "enaSupport":
		out.EnaSupport = flag(false)
	case "enclaveOptions":
		out.EnclaveOptions = &ec2labv1.EnclaveOptions{}
	case "groupSet":
		out.Groups = []*ec2labv1.GroupIdentifier{{GroupId: fakeGroup, GroupName: "default"}}
	case "blockDeviceMapping":
		out.BlockDeviceMappings = []*ec2labv1.InstanceBlockDeviceMapping{{DeviceName: "/dev/vda", VolumeId: fakeRootVol,
			Status: "attached", AttachTime: fakeTime, DeleteOnTermination: true}}
	case "productCodes":
	default:
		return nil, false
	}
	return out, true
}

func (f *fakeCompute) DescribeInstanceAttribute(ctx context.Context, r *ec2labv1.DescribeInstanceAttributeRequest) (*ec2labv1.InstanceAttribute, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetInstanceId() == missingID {
		return nil, notFound(r.GetInstanceId())
	}
	out, ok := fakeAttribute(r.GetInstanceId(), r.GetAttribute())
	if !ok {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter attribute is invalid. Unknown attribute.", r.GetAttribute())
	}
	return out, nil
}

func (f *fakeCompute) ModifyInstanceAttribute(ctx context.Context, r *ec2labv1.ModifyInstanceAttributeRequest) (*ec2labv1.ModifyInstanceAttributeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetInstanceId() == missingID {
		return nil, notFound(r.GetInstanceId())
	}
	return &ec2labv1.ModifyInstanceAttributeResponse{}, nil
}

// fakeImpaired is the fake's second instance, whose guest check failed.
const fakeImpaired = "i-0123456789abcdef1"

// DescribeInstanceStatus answers two instances, one per page when
// MaxResults is given.
func (f *fakeCompute) DescribeInstanceStatus(ctx context.Context, r *ec2labv1.DescribeInstanceStatusRequest) (*ec2labv1.DescribeInstanceStatusResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	check := func(status, reach string, impaired bool) *ec2labv1.InstanceStatusSummary {
		d := &ec2labv1.InstanceStatusDetails{Name: "reachability", Status: reach}
		if impaired {
			d.ImpairedSince = fakeTime
		}
		return &ec2labv1.InstanceStatusSummary{Status: status, Details: []*ec2labv1.InstanceStatusDetails{d}}
	}
	running := &ec2labv1.InstanceState{Code: 16, Name: "running"}
	all := []*ec2labv1.InstanceStatus{
		{InstanceId: fakeInstance, AvailabilityZone: fakeZone, InstanceState: running,
			SystemStatus: check("ok", "passed", false), InstanceStatus: check("ok", "passed", false)},
		{InstanceId: fakeImpaired, AvailabilityZone: fakeZone, InstanceState: running,
			SystemStatus: check("ok", "passed", false), InstanceStatus: check("impaired", "failed", true)},
	}
	switch {
	case r.GetNextToken() == "page-2":
		return &ec2labv1.DescribeInstanceStatusResponse{InstanceStatuses: all[1:]}, nil
	case r.GetMaxResults() > 0:
		return &ec2labv1.DescribeInstanceStatusResponse{InstanceStatuses: all[:1], NextToken: "page-2"}, nil
	}
	return &ec2labv1.DescribeInstanceStatusResponse{InstanceStatuses: all}, nil
}

// TestInstanceAttributeParameters checks what each wire form of
// ModifyInstanceAttribute and DescribeInstanceStatus becomes (the names
// botocore sends).
func TestInstanceAttributeParameters(t *testing.T) {
	id := "InstanceId=" + fakeInstance
	tests := []struct{ form, want string }{
		{"Action=ModifyInstanceAttribute&" + id + "&Attribute=disableApiTermination&Value=true",
			`instance_id:"` + fakeInstance + `" attribute:"disableApiTermination" value:"true"`},
		{"Action=ModifyInstanceAttribute&" + id + "&DisableApiStop.Value=false",
			`instance_id:"` + fakeInstance + `" disable_api_stop:{}`},
		{"Action=ModifyInstanceAttribute&" + id + "&InstanceType.Value=t3.small",
			`instance_id:"` + fakeInstance + `" instance_type:{value:"t3.small"}`},
		{"Action=ModifyInstanceAttribute&" + id + "&UserData.Value=aGk%3D",
			`instance_id:"` + fakeInstance + `" user_data:{value:"hi"}`},
		{"Action=ModifyInstanceAttribute&" + id + "&InstanceInitiatedShutdownBehavior.Value=terminate",
			`instance_id:"` + fakeInstance + `" instance_initiated_shutdown_behavior:{value:"terminate"}`},
		{"Action=ModifyInstanceAttribute&" + id + "&SourceDestCheck.Value=true",
			`instance_id:"` + fakeInstance + `" source_dest_check:{value:true}`},
		{"Action=ModifyInstanceAttribute&" + id + "&GroupId.1=sg-1&GroupId.2=sg-2",
			`instance_id:"` + fakeInstance + `" groups:"sg-1" groups:"sg-2"`},
		{"Action=ModifyInstanceAttribute&" + id + "&BlockDeviceMapping.1.DeviceName=/dev/vda&BlockDeviceMapping.1.Ebs.DeleteOnTermination=false",
			`instance_id:"` + fakeInstance + `" block_device_mappings:{device_name:"/dev/vda" ebs:{delete_on_termination:false}}`},
		{"Action=ModifyInstanceAttribute&" + id + "&BlockDeviceMapping.1.DeviceName=/dev/vdb&BlockDeviceMapping.1.NoDevice=",
			`instance_id:"` + fakeInstance + `" block_device_mappings:{device_name:"/dev/vdb" no_device:true}`},
		{"Action=ModifyInstanceAttribute&" + id + "&EnaSupport.Value=false&EbsOptimized.Value=true&Kernel.Value=aki-1&Ramdisk.Value=ari-1&SriovNetSupport.Value=simple",
			`instance_id:"` + fakeInstance + `" kernel:{value:"aki-1"} ramdisk:{value:"ari-1"} ebs_optimized:{value:true} ena_support:{} sriov_net_support:{value:"simple"}`},
		{"Action=DescribeInstanceStatus&InstanceId.1=" + fakeInstance + "&IncludeAllInstances=true&Filter.1.Name=instance-status.status&Filter.1.Value.1=ok",
			`instance_ids:"` + fakeInstance + `" filters:{name:"instance-status.status" values:"ok"} include_all_instances:true`},
		{"Action=DescribeInstanceStatus&MaxResults=5&NextToken=abc",
			`max_results:5 next_token:"abc"`},
	}
	for _, tt := range tests {
		f := &fakeCompute{}
		rep := post(t, testHandler(f), tt.form+"&Version=2016-11-15")
		if rep.status != 200 {
			t.Errorf("%s: %d %s", tt.form, rep.status, rep.body)
			continue
		}
		if got := f.calls[len(f.calls)-1]; !equalsText(t, got, tt.want) {
			t.Errorf("%s: Compute got\n%s\nwant\n%s", tt.form, prototext.Format(got), tt.want)
		}
	}
}

// TestInstanceAttributeErrors: malformed wire values never reach Compute.
func TestInstanceAttributeErrors(t *testing.T) {
	tests := []struct{ name, form, code string }{
		{"modify needs an instance", "Action=ModifyInstanceAttribute&DisableApiStop.Value=true", ec2err.MissingParameter},
		{"describe needs an attribute", "Action=DescribeInstanceAttribute&InstanceId=" + fakeInstance, ec2err.MissingParameter},
		{"user data not base64", "Action=ModifyInstanceAttribute&InstanceId=" + fakeInstance + "&UserData.Value=%25%25", ec2err.InvalidParameterValue},
		{"boolean", "Action=ModifyInstanceAttribute&InstanceId=" + fakeInstance + "&DisableApiStop.Value=yes", ec2err.InvalidParameterValue},
		{"user data too big", "Action=ModifyInstanceAttribute&InstanceId=" + fakeInstance + "&UserData.Value=" +
			strings.Repeat("QUFB", MaxUserData/3+1), ec2err.InvalidParameterValue},
	}
	for _, tt := range tests {
		f := &fakeCompute{}
		rep := post(t, testHandler(f), tt.form+"&Version=2016-11-15")
		if e := ec2Error(t, rep); rep.status != 400 || e.Code != tt.code || len(f.calls) != 0 {
			t.Errorf("%s: %d %s %q (%d calls), want 400 %s", tt.name, rep.status, e.Code, e.Message, len(f.calls), tt.code)
		}
	}
}

// TestInstanceAttributeDocuments checks the member each attribute is
// answered in: <value> text, booleans, lists present even when empty, and
// an empty element for an unset value.
func TestInstanceAttributeDocuments(t *testing.T) {
	tests := []struct{ attr, want string }{
		{"instanceType", "<instanceType><value>t3.micro</value></instanceType>"},
		{"userData", "<userData><value>I2Nsb3VkLWNvbmZpZw==</value></userData>"},
		{"kernel", "<kernel></kernel>"},
		{"disableApiTermination", "<disableApiTermination><value>true</value></disableApiTermination>"},
		{"disableApiStop", "<disableApiStop><value>false</value></disableApiStop>"},
		{"sourceDestCheck", "<sourceDestCheck><value>true</value></sourceDestCheck>"},
		{"enclaveOptions", "<enclaveOptions><enabled>false</enabled></enclaveOptions>"},
		{"productCodes", "<productCodes></productCodes>"},
		{"groupSet", "<groupSet><item><groupId>" + fakeGroup + "</groupId><groupName>default</groupName></item></groupSet>"},
		{"blockDeviceMapping", "<blockDeviceMapping><item><deviceName>/dev/vda</deviceName><ebs><volumeId>" + fakeRootVol +
			"</volumeId><status>attached</status><attachTime>2026-11-26T10:11:12.345Z</attachTime><deleteOnTermination>true</deleteOnTermination></ebs></item></blockDeviceMapping>"},
	}
	for _, tt := range tests {
		rep := post(t, testHandler(&fakeCompute{}), "Action=DescribeInstanceAttribute&Version=2016-11-15&InstanceId="+fakeInstance+"&Attribute="+tt.attr)
		if rep.status != 200 || !strings.Contains(rep.body, "<instanceId>"+fakeInstance+"</instanceId>"+tt.want) {
			t.Errorf("%s: got %d %s, want it to contain %s", tt.attr, rep.status, rep.body, tt.want)
		}
	}
	empty := instanceAttributeXML(&ec2labv1.InstanceAttribute{InstanceId: fakeInstance, Attribute: "blockDeviceMapping"})
	doc, err := marshalResponse("DescribeInstanceAttribute", "req-1", empty)
	if err != nil || !strings.Contains(string(doc), "<blockDeviceMapping></blockDeviceMapping>") {
		t.Errorf("no devices: %v %s, want an empty <blockDeviceMapping>", err, doc)
	}
}

// TestInstanceStatusDocument checks DescribeInstanceStatus' shape.
func TestInstanceStatusDocument(t *testing.T) {
	rep := post(t, testHandler(&fakeCompute{}), "Action=DescribeInstanceStatus&Version=2016-11-15")
	want := "<instanceStatusSet><item><instanceId>" + fakeInstance + "</instanceId><availabilityZone>" + fakeZone +
		"</availabilityZone><instanceState><code>16</code><name>running</name></instanceState>" +
		"<systemStatus><status>ok</status><details><item><name>reachability</name><status>passed</status></item></details></systemStatus>" +
		"<instanceStatus><status>ok</status><details><item><name>reachability</name><status>passed</status></item></details></instanceStatus></item>"
	if rep.status != 200 || !strings.Contains(rep.body, want) ||
		!strings.Contains(rep.body, "<status>failed</status><impairedSince>2026-11-26T10:11:12.345Z</impairedSince>") {
		t.Errorf("got %d %s, want it to contain %s and an impairedSince", rep.status, rep.body, want)
	}
}

// TestBotoInstanceAttributes runs boto3's DescribeInstanceAttribute (every
// attribute), ModifyInstanceAttribute (both forms) and
// DescribeInstanceStatus (with its paginator) against the handler, each
// document checked against botocore's model, and compares top-level keys
// with moto.
func TestBotoInstanceAttributes(t *testing.T) {
	needBoto3(t)
	needTool(t, "sh", "-c", "command -v moto_server")
	srv, f := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/instance_attrs.py")
	if !strings.Contains(out, "INSTANCE ATTRS OK") {
		t.Fatalf("instance_attrs.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
	mods := received[*ec2labv1.ModifyInstanceAttributeRequest](f)
	i := `instance_id:"` + fakeInstance + `" `
	want := []string{
		i + `attribute:"instanceType" value:"t3.small"`,
		i + `disable_api_termination:{value:true}`,
		i + `disable_api_stop:{value:true}`,
		i + `user_data:{value:"#!/bin/sh\necho hi\n"}`,
		i + `instance_initiated_shutdown_behavior:{value:"terminate"}`,
		i + `source_dest_check:{value:true}`,
		i + `groups:"sg-0123456789abcdef0" groups:"sg-00000000000000002"`,
		i + `block_device_mappings:{device_name:"/dev/vda" ebs:{delete_on_termination:false}}`,
		i + `ebs_optimized:{} ena_support:{} sriov_net_support:{value:"simple"} kernel:{value:"aki-1"}`,
	}
	if len(mods) < len(want) {
		t.Fatalf("ModifyInstanceAttribute requests: %v", mods)
	}
	for n, w := range want {
		if !equalsText(t, mods[n], w) {
			t.Errorf("ModifyInstanceAttribute %d: Compute got\n%s\nwant\n%s", n, prototext.Format(mods[n]), w)
		}
	}
}
