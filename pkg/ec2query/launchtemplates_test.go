package ec2query

import (
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/auth"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestLaunchTemplateParams decodes the wire names EC2 gives launch
// template parameters where they differ from the model's member names.
func TestLaunchTemplateParams(t *testing.T) {
	tests := []struct {
		name, in  string
		got, want proto.Message
	}{
		{"Terraform's create",
			"ClientToken=t1&LaunchTemplateName=web&TagSpecification.1.ResourceType=launch-template&TagSpecification.1.Tag.1.Key=team&TagSpecification.1.Tag.1.Value=web" +
				"&LaunchTemplateData.UserData=&LaunchTemplateData.ImageId=ami-1&LaunchTemplateData.NetworkInterface.1.DeviceIndex=0" +
				"&LaunchTemplateData.NetworkInterface.1.NetworkCardIndex=0&LaunchTemplateData.NetworkInterface.1.SecurityGroupId.1=sg-1" +
				"&LaunchTemplateData.BlockDeviceMapping.1.DeviceName=/dev/vdc&LaunchTemplateData.BlockDeviceMapping.1.NoDevice=" +
				"&LaunchTemplateData.BlockDeviceMapping.2.DeviceName=/dev/vda&LaunchTemplateData.BlockDeviceMapping.2.Ebs.DeleteOnTermination=false" +
				"&LaunchTemplateData.MetadataOptions.HttpPutResponseHopLimit=2&LaunchTemplateData.EbsOptimized=false",
			&ec2labv1.CreateLaunchTemplateRequest{}, &ec2labv1.CreateLaunchTemplateRequest{ClientToken: "t1", LaunchTemplateName: "web",
				TagSpecifications: []*ec2labv1.TagSpecification{{ResourceType: "launch-template", Tags: []*ec2labv1.Tag{{Key: "team", Value: "web"}}}},
				LaunchTemplateData: &ec2labv1.LaunchTemplateData{ImageId: "ami-1", EbsOptimized: new(false),
					NetworkInterfaces: []*ec2labv1.LaunchTemplateNetworkInterface{{DeviceIndex: new(int32(0)), NetworkCardIndex: new(int32(0)), Groups: []string{"sg-1"}}},
					BlockDeviceMappings: []*ec2labv1.LaunchTemplateBlockDeviceMapping{{DeviceName: "/dev/vdc", NoDevice: new("")},
						{DeviceName: "/dev/vda", Ebs: &ec2labv1.LaunchTemplateEbsBlockDevice{DeleteOnTermination: new(false)}}},
					MetadataOptions: &ec2labv1.LaunchTemplateMetadataOptions{HttpPutResponseHopLimit: new(int32(2))}}}},
		{"SetDefaultVersion", "LaunchTemplateId=lt-1&SetDefaultVersion=2",
			&ec2labv1.ModifyLaunchTemplateRequest{}, &ec2labv1.ModifyLaunchTemplateRequest{LaunchTemplateId: "lt-1", DefaultVersion: "2"}},
		{"LaunchTemplateVersion.N", "LaunchTemplateName=web&LaunchTemplateVersion.1=$Latest&LaunchTemplateVersion.2=3&MinVersion=1",
			&ec2labv1.DescribeLaunchTemplateVersionsRequest{}, &ec2labv1.DescribeLaunchTemplateVersionsRequest{LaunchTemplateName: "web",
				Versions: []string{"$Latest", "3"}, MinVersion: "1"}},
		{"LaunchTemplateId.N", "LaunchTemplateId.1=lt-1&LaunchTemplateName.1=web&MaxResults=5",
			&ec2labv1.DescribeLaunchTemplatesRequest{}, &ec2labv1.DescribeLaunchTemplatesRequest{LaunchTemplateIds: []string{"lt-1"},
				LaunchTemplateNames: []string{"web"}, MaxResults: 5}},
		{"RunInstances LaunchTemplate", "MinCount=1&MaxCount=1&LaunchTemplate.LaunchTemplateName=web&LaunchTemplate.Version=$Default",
			&ec2labv1.RunInstancesRequest{}, &ec2labv1.RunInstancesRequest{MinCount: 1, MaxCount: 1,
				LaunchTemplate: &ec2labv1.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "$Default"}}},
	}
	for _, tt := range tests {
		if err := decodeMessage(form(t, tt.in), "", tt.got.ProtoReflect()); err != nil {
			t.Errorf("%s: decode: %v", tt.name, err)
			continue
		}
		if !proto.Equal(tt.got, tt.want) {
			t.Errorf("%s:\n got %v\nwant %v", tt.name, tt.got, tt.want)
		}
	}
}

// TestLaunchTemplateDataIsStrict: a LaunchTemplateData member ec2lab does
// not model is refused before Compute is called, never dropped.
func TestLaunchTemplateDataIsStrict(t *testing.T) {
	const head = "Action=CreateLaunchTemplate&Version=2016-11-15&LaunchTemplateName=web&LaunchTemplateData.ImageId=ami-1"
	tests := []struct{ extra, code string }{
		{"", ""},
		{"&LaunchTemplateData.CpuOptions.CoreCount=2", "UnknownParameter"},
		{"&LaunchTemplateData.BlockDeviceMapping.1.Ebs.KmsKeyId=k", "UnknownParameter"},
		{"&LaunchTemplateData.NetworkInterface.1.Ipv6Address.1.Ipv6Address=fd00::1", "UnknownParameter"},
		{"&LaunchTemplateData.SecurityGroupId=sg-1", "UnknownParameter"}, // a list without its index
	}
	for _, tt := range tests {
		f := &templateCompute{fakeCompute: &fakeCompute{}}
		rep := post(t, testHandler(f.fakeCompute, func(o *Options) { o.Compute = f }), head+tt.extra)
		if tt.code == "" {
			if rep.status != 200 || f.count() != 1 {
				t.Errorf("%q: %d (%d calls): %s", tt.extra, rep.status, f.count(), rep.body)
			}
			continue
		}
		if e := ec2Error(t, rep); e.Code != tt.code || f.count() != 0 {
			t.Errorf("%q: %s %q (%d calls), want %s and no call", tt.extra, e.Code, e.Message, f.count(), tt.code)
		}
	}
}

// TestBotoLaunchTemplates: every launch template call through boto3, the
// full data read back as sent (testdata/launch_templates.py).
func TestBotoLaunchTemplates(t *testing.T) {
	needBoto3(t)
	f := &templateCompute{fakeCompute: &fakeCompute{}}
	srv := httptest.NewServer(NewHandler(Options{Compute: f, Keys: auth.StaticKeys{testKey.AccessKeyID: testKey},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	out := runClient(t, srv, "", "python3", "testdata/launch_templates.py")
	if !strings.Contains(out, "TEMPLATES OK") {
		t.Fatalf("launch_templates.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
	mod := received[*ec2labv1.ModifyLaunchTemplateRequest](f.fakeCompute)[0]
	if mod.GetClientToken() == "" {
		t.Error("ModifyLaunchTemplate without boto3's idempotency token")
	}
	mod.ClientToken = ""
	same(t, "ModifyLaunchTemplate", mod, &ec2labv1.ModifyLaunchTemplateRequest{LaunchTemplateId: fakeTemplate, DefaultVersion: "2"})
	same(t, "DeleteLaunchTemplateVersions", received[*ec2labv1.DeleteLaunchTemplateVersionsRequest](f.fakeCompute)[0],
		&ec2labv1.DeleteLaunchTemplateVersionsRequest{LaunchTemplateId: fakeTemplate, Versions: []string{"3", "2"}})
	run := received[*ec2labv1.RunInstancesRequest](f.fakeCompute)
	if len(run) != 1 || !proto.Equal(run[0].GetLaunchTemplate(), &ec2labv1.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "$Latest"}) {
		t.Errorf("RunInstances: %v", run)
	}
	create := received[*ec2labv1.CreateLaunchTemplateRequest](f.fakeCompute)
	if len(create) != 1 || create[0].GetLaunchTemplateData().GetNetworkInterfaces()[0].GetGroups()[0] != "sg-0123456789abcdef0" ||
		create[0].GetLaunchTemplateData().GetIamInstanceProfile().GetName() != "web" {
		t.Errorf("CreateLaunchTemplate: %v (the refused creates must not reach Compute)", create)
	}
}
