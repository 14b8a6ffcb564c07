package ctl

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"google.golang.org/protobuf/proto"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestLaunchTemplateDataFlag reads --launch-template-data as the AWS CLI
// does: JSON or shorthand with the model's member names, file://, and
// unknown members or wrong types refused.
func TestLaunchTemplateDataFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "data.json")
	if err := os.WriteFile(file, []byte(`{"ImageId":"ami-1","KeyName":"lab"}`), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, raw string
		want      *pb.LaunchTemplateData
		bad       string
	}{
		{"shorthand", "ImageId=ami-1,InstanceType=t3.micro,DisableApiTermination=true",
			&pb.LaunchTemplateData{ImageId: "ami-1", InstanceType: "t3.micro", DisableApiTermination: new(true)}, ""},
		{"JSON with nested lists", `{"SecurityGroupIds":["sg-1"],"BlockDeviceMappings":[{"DeviceName":"/dev/sdc","NoDevice":""},` +
			`{"DeviceName":"/dev/sda1","Ebs":{"VolumeSize":8,"DeleteOnTermination":false}}],` +
			`"NetworkInterfaces":[{"DeviceIndex":0,"Groups":["sg-2"]}],"MetadataOptions":{"HttpPutResponseHopLimit":2},` +
			`"TagSpecifications":[{"ResourceType":"instance","Tags":[{"Key":"Name","Value":"web"}]}],"Monitoring":{"Enabled":false}}`,
			&pb.LaunchTemplateData{SecurityGroupIds: []string{"sg-1"},
				BlockDeviceMappings: []*pb.LaunchTemplateBlockDeviceMapping{{DeviceName: "/dev/sdc", NoDevice: new("")},
					{DeviceName: "/dev/sda1", Ebs: &pb.LaunchTemplateEbsBlockDevice{VolumeSize: 8, DeleteOnTermination: new(false)}}},
				NetworkInterfaces: []*pb.LaunchTemplateNetworkInterface{{DeviceIndex: new(int32(0)), Groups: []string{"sg-2"}}},
				MetadataOptions:   &pb.LaunchTemplateMetadataOptions{HttpPutResponseHopLimit: new(int32(2))},
				TagSpecifications: []*pb.TagSpecification{{ResourceType: "instance", Tags: []*pb.Tag{{Key: "Name", Value: "web"}}}},
				Monitoring:        &pb.LaunchTemplateMonitoring{}}, ""},
		{"file", "file://" + file, &pb.LaunchTemplateData{ImageId: "ami-1", KeyName: "lab"}, ""},
		{"unknown member", `{"CpuOptions":{"CoreCount":2}}`, nil, `unknown parameter in LaunchTemplateData: "CpuOptions"`},
		{"unknown nested member", `{"BlockDeviceMappings":[{"DeviceName":"/dev/sdb","Ebs":{"KmsKeyId":"k"}}]}`, nil,
			`unknown parameter in LaunchTemplateEbsBlockDevice: "KmsKeyId"`},
		{"wrong type", `{"EbsOptimized":"maybe"}`, nil, "invalid type for parameter LaunchTemplateData.EbsOptimized"},
		{"a list", `[{"ImageId":"ami-1"},{"ImageId":"ami-2"}]`, nil, "one structure"},
	}
	for _, tt := range tests {
		got, err := parseLaunchTemplateData(tt.raw)
		switch {
		case tt.bad != "" && (err == nil || !strings.Contains(err.Error(), tt.bad)):
			t.Errorf("%s: error %v, want %q", tt.name, err, tt.bad)
		case tt.bad == "" && err != nil:
			t.Errorf("%s: %v", tt.name, err)
		case tt.bad == "" && !proto.Equal(got, tt.want):
			t.Errorf("%s:\n got %v\nwant %v", tt.name, got, tt.want)
		}
	}
}

// TestLaunchTemplateCommands: each verb sends its flags and prints the
// answer with the AWS CLI's member names.
func TestLaunchTemplateCommands(t *testing.T) {
	tests := []struct {
		args []string
		want proto.Message
		out  []string
	}{
		{[]string{"create-launch-template", "--launch-template-name", "web", "--version-description", "first",
			"--launch-template-data", "ImageId=ami-1", "--tag-specifications", "ResourceType=launch-template,Tags=[{Key=team,Value=web}]",
			"--client-token", "tok"},
			&pb.CreateLaunchTemplateRequest{LaunchTemplateName: "web", VersionDescription: "first", ClientToken: "tok",
				LaunchTemplateData: &pb.LaunchTemplateData{ImageId: "ami-1"},
				TagSpecifications:  []*pb.TagSpecification{{ResourceType: "launch-template", Tags: []*pb.Tag{{Key: "team", Value: "web"}}}}},
			[]string{`"LaunchTemplateId": "lt-0123456789abcdef0"`, `"Code": "InvalidKeyPair.NotFound"`}},
		{[]string{"create-launch-template-version", "--launch-template-id", "lt-0123456789abcdef0", "--source-version", "$Latest",
			"--launch-template-data", `{"InstanceType":"t3.small"}`},
			&pb.CreateLaunchTemplateVersionRequest{LaunchTemplateId: "lt-0123456789abcdef0", SourceVersion: "$Latest",
				LaunchTemplateData: &pb.LaunchTemplateData{InstanceType: "t3.small"}},
			[]string{`"VersionNumber": 2`, `"DefaultVersion": false`}},
		{[]string{"describe-launch-templates", "--launch-template-names", "web", "--filters", "Name=tag:team,Values=web"},
			&pb.DescribeLaunchTemplatesRequest{LaunchTemplateNames: []string{"web"}, Filters: []*pb.Filter{{Name: "tag:team", Values: []string{"web"}}}},
			[]string{`"LatestVersionNumber": 2`}},
		{[]string{"describe-launch-template-versions", "--launch-template-name", "web", "--versions", "$Latest", "$Default"},
			&pb.DescribeLaunchTemplateVersionsRequest{LaunchTemplateName: "web", Versions: []string{"$Latest", "$Default"}},
			[]string{`"NoDevice": ""`, `"HttpPutResponseHopLimit": 2`, `"UserData": "I2Nsb3VkLWNvbmZpZwo="`}},
		{[]string{"modify-launch-template", "--launch-template-name", "web", "--default-version", "2"},
			&pb.ModifyLaunchTemplateRequest{LaunchTemplateName: "web", DefaultVersion: "2"}, []string{`"DefaultVersionNumber": 1`}},
		{[]string{"delete-launch-template-versions", "--launch-template-id", "lt-0123456789abcdef0", "--versions", "1", "2"},
			&pb.DeleteLaunchTemplateVersionsRequest{LaunchTemplateId: "lt-0123456789abcdef0", Versions: []string{"1", "2"}},
			[]string{`"SuccessfullyDeletedLaunchTemplateVersions"`, `"Code": "unexpectedError"`}},
		{[]string{"delete-launch-template", "--launch-template-name", "web", "--dry-run"},
			&pb.DeleteLaunchTemplateRequest{LaunchTemplateName: "web", DryRun: true}, []string{`"LaunchTemplateName": "web"`}},
		{[]string{"get-launch-template-data", "--instance-id", "i-0123456789abcdef0"},
			&pb.GetLaunchTemplateDataRequest{InstanceId: "i-0123456789abcdef0"}, []string{`"ImageId": "ami-0123456789abcdef0"`}},
	}
	for _, tt := range tests {
		t.Run(tt.args[0], func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(append(tt.args, "--output", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if len(h.fake.templateReqs) != 1 || !proto.Equal(h.fake.templateReqs[0], tt.want) {
				t.Errorf("sent %v, want %v", h.fake.templateReqs, tt.want)
			}
			for _, s := range tt.out {
				if !strings.Contains(out, s) {
					t.Errorf("output lacks %s:\n%s", s, out)
				}
			}
		})
	}
}

// TestRunInstancesLaunchTemplate: --launch-template names the template and
// its version; a bad member is a usage error.
func TestRunInstancesLaunchTemplate(t *testing.T) {
	h := newHarness(t)
	if _, errOut, code := h.run("run-instances", "--launch-template", "LaunchTemplateName=web,Version=$Latest"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := &pb.LaunchTemplateSpecification{LaunchTemplateName: "web", Version: "$Latest"}
	if got := h.fake.lastRun.GetLaunchTemplate(); !proto.Equal(got, want) {
		t.Errorf("LaunchTemplate %v, want %v", got, want)
	}
	if _, _, code := h.run("run-instances", "--launch-template", "Name=web"); code != 252 {
		t.Errorf("unknown member: exit %d, want 252", code)
	}
}

// TestLaunchTemplateMembersMatchBotocore checks the launch template
// documents against the EC2 model, key for key and in its order.
func TestLaunchTemplateMembersMatchBotocore(t *testing.T) {
	model := loadShapes(t)
	for shape, args := range map[string][]string{
		"CreateLaunchTemplateResult":           {"create-launch-template", "--launch-template-name", "web", "--launch-template-data", "ImageId=ami-1"},
		"CreateLaunchTemplateVersionResult":    {"create-launch-template-version", "--launch-template-name", "web", "--launch-template-data", "ImageId=ami-1"},
		"DescribeLaunchTemplatesResult":        {"describe-launch-templates"},
		"DescribeLaunchTemplateVersionsResult": {"describe-launch-template-versions", "--launch-template-name", "web"},
		"ModifyLaunchTemplateResult":           {"modify-launch-template", "--launch-template-name", "web"},
		"DeleteLaunchTemplateResult":           {"delete-launch-template", "--launch-template-name", "web"},
		"DeleteLaunchTemplateVersionsResult":   {"delete-launch-template-versions", "--launch-template-name", "web", "--versions", "2"},
		"GetLaunchTemplateDataResult":          {"get-launch-template-data", "--instance-id", "i-1"},
	} {
		t.Run(shape, func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(append(args, "--output", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var doc orderedJSON
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			model.check(t, shape, shape, doc.v)
		})
	}
}
