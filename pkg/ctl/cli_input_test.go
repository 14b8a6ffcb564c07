package ctl

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
)

// TestRequiredOptionsMatchAWSCLI: the message names what the AWS CLI's
// names, in its order.
func TestRequiredOptionsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"attach-volume"},
		{"attach-volume", "--volume-id", "vol-1"},
		{"describe-image-attribute"},
		{"import-key-pair", "--key-name", "k"},
		{"create-tags"},
		{"modify-vpc-attribute", "--enable-dns-support"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, awsErr, awsCode := aws.run(args...)
			_, errOut, code := h.run(args...)
			lines := strings.Split(strings.TrimSpace(awsErr), "\n")
			want := strings.TrimPrefix(lines[len(lines)-1], "aws: error: ")
			if awsCode == 0 || code != ExitUsage || !strings.HasPrefix(errOut, want+"\n") {
				t.Errorf("ec2ctl exit %d: %q; aws exit %d: %q", code, errOut, awsCode, want)
			}
		})
	}
}

// TestSkeletonsMatchAWSCLI: --generate-cli-skeleton prints the AWS CLI's
// input skeleton (as a document: enums aside, which the AWS CLI picks at
// random) and output skeleton.
func TestSkeletonsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"attach-volume", "--generate-cli-skeleton"},
		{"describe-instances", "--generate-cli-skeleton", "input"},
		{"create-tags", "--generate-cli-skeleton"},
		{"modify-vpc-attribute", "--generate-cli-skeleton"},
		{"describe-volumes", "--generate-cli-skeleton", "output"},
		{"describe-instances", "--generate-cli-skeleton", "output"},
		{"describe-security-groups", "--generate-cli-skeleton", "output"},
		{"attach-volume", "--generate-cli-skeleton", "output", "--device", "/dev/sdf", "--instance-id", "i-1", "--volume-id", "vol-1"},
		{"describe-volumes", "--generate-cli-skeleton", "output", "--query", "Volumes[0].Attachments"},
		{"delete-volume", "--generate-cli-skeleton", "output", "--volume-id", "vol-1"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { compareWithAWSCLI(t, h, aws, args, false) })
	}
}

// TestGenerateCLISkeleton checks what parity cannot: the enums of the
// input skeleton, yaml-input, and that nothing is sent.
func TestGenerateCLISkeleton(t *testing.T) {
	h := newHarness(t)
	out, errOut, code := h.run("describe-image-attribute", "--generate-cli-skeleton")
	if code != 0 || !strings.Contains(out, `"Attribute": "description"`) {
		t.Errorf("exit %d (%s): %s", code, errOut, out)
	}
	out, errOut, code = h.run("describe-vpcs", "--generate-cli-skeleton", "yaml-input")
	if code != 0 || !strings.HasPrefix(out, "Filters:\n  - Name: \"\"\n    Values:\n      - \"\"\nVpcIds:\n") {
		t.Errorf("exit %d (%s): %s", code, errOut, out)
	}
	if _, errOut, code = h.run("describe-vpcs", "--generate-cli-skeleton", "json"); code != ExitUsage ||
		!strings.Contains(errOut, "invalid choice: 'json'") {
		t.Errorf("bad choice: exit %d, %s", code, errOut)
	}
	if _, errOut, code = h.run("attach-volume", "--generate-cli-skeleton", "output", "--device", "/dev/sdf"); code != ExitUsage ||
		!strings.HasPrefix(errOut, "the following arguments are required: --instance-id, --volume-id\n") {
		t.Errorf("output skeleton without the required options: exit %d, %s", code, errOut)
	}
	if h.fake.lastReq != nil {
		t.Errorf("a skeleton sent %v", h.fake.lastReq)
	}
}

// TestCLIInputMatchesAWSCLI: --cli-input-json fills the options, the
// command line winning, and sends what the AWS CLI sends.
func TestCLIInputMatchesAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-vpcs", "--cli-input-json", `{"VpcIds": ["` + sampleVpcID + `"], "Filters": [{"Name": "tag:Name", "Values": ["a", "b"]}]}`},
		{"describe-vpcs", "--vpc-ids", "vpc-0aaaaaaaaaaaaaaaa", "--cli-input-json", `{"VpcIds": ["` + sampleVpcID + `"]}`},
		{"modify-vpc-attribute", "--cli-input-json", `{"VpcId": "` + sampleVpcID + `", "EnableDnsSupport": {"Value": false}}`},
		{"associate-vpc-cidr-block", "--cli-input-json", `{"VpcId": "` + sampleVpcID + `", "CidrBlock": "10.2.0.0/16"}`},
		{"associate-vpc-cidr-block", "--cli-input-json", `{"VpcId": "` + sampleVpcID + `", "AmazonProvidedIpv6CidrBlock": true}`},
		{"modify-subnet-attribute", "--cli-input-json", `{"SubnetId": "` + sampleSubnetID + `", "MapPublicIpOnLaunch": {"Value": true}}`},
		{"describe-vpc-attribute", "--cli-input-json", `{"VpcId": "` + sampleVpcID + `", "Attribute": "enableDnsHostnames"}`},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) { matchAWSCLI(t, h, aws, args) })
	}
}

// TestCLIInput covers YAML, files, run-instances' counts and refusals.
func TestCLIInput(t *testing.T) {
	h := newHarness(t)
	dir := t.TempDir()
	writeFile(t, dir+"/in.json", `{"VpcIds": ["`+sampleVpcID+`"]}`)
	for _, args := range [][]string{
		{"describe-vpcs", "--cli-input-yaml", "VpcIds: [" + sampleVpcID + "]"},
		{"describe-vpcs", "--cli-input-json", "file://" + dir + "/in.json"},
	} {
		h.fake.lastReq = nil
		if _, errOut, code := h.run(args...); code != 0 || !strings.Contains(protoText(h.fake.lastReq), sampleVpcID) {
			t.Errorf("%v: exit %d (%s), sent %v", args, code, errOut, h.fake.lastReq)
		}
	}
	if _, errOut, code := h.run("run-instances", "--cli-input-json", `{"ImageId": "ami-1", "MinCount": 2, "MaxCount": 3, "InstanceType": "t3.micro"}`); code != 0 ||
		h.fake.lastRun.GetMinCount() != 2 || h.fake.lastRun.GetMaxCount() != 3 || h.fake.lastRun.GetInstanceType() != "t3.micro" {
		t.Errorf("run-instances: exit %d (%s), sent %v", code, errOut, h.fake.lastRun)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"describe-vpcs", "--cli-input-json", `{"Foo": 1}`}, "ec2ctl describe-vpcs has no option for Foo"},
		{[]string{"run-instances", "--cli-input-json", `{"ElasticGpuSpecification": [{"Type": "x"}]}`},
			"no option for ElasticGpuSpecification (the AWS CLI's --elastic-gpu-specification)"},
		{[]string{"describe-vpcs", "--cli-input-json", `[1]`}, "--cli-input-json: not a JSON object"},
		{[]string{"describe-vpcs", "--cli-input-json", `{}`, "--cli-input-yaml", `{}`}, "Only one"},
		{[]string{"attach-volume", "--cli-input-json", `{"Device": "/dev/sdf"}`},
			"the following arguments are required: --instance-id, --volume-id"},
	} {
		if _, errOut, code := h.run(tt.args...); code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %s; want %q", tt.args, code, errOut, tt.want)
		}
	}
}

func protoText(m any) string {
	b, _ := json.Marshal(m)
	return string(b)
}

// TestNoPaginateMatchesAWSCLI: --no-paginate makes one call and prints
// the service's NextToken; with the pagination options it is refused.
func TestNoPaginateMatchesAWSCLI(t *testing.T) {
	h := newHarness(t)
	h.fake.pageSize = 1
	aws := newAWSCLI(t, h)
	args := []string{"describe-instances", "--no-paginate", "--query", "{Ids: Reservations[].Instances[].InstanceId, Next: NextToken}"}
	awsOut, awsErr, awsCode := aws.run(args...)
	out, errOut, code := h.run(append(args, "--output", "json")...)
	if code != 0 || awsCode != 0 || !reflect.DeepEqual(awsShaped(t, out), awsShaped(t, awsOut)) {
		t.Errorf("ec2ctl exit %d (%s):\n%s\naws exit %d (%s):\n%s", code, errOut, out, awsCode, awsErr, awsOut)
	}
	if !strings.Contains(out, `"Next": "`) {
		t.Errorf("no NextToken: %s", out)
	}
	_, awsErr, _ = aws.run("describe-instances", "--no-paginate", "--max-items", "1", "--page-size", "1")
	_, errOut, code = h.run("describe-instances", "--no-paginate", "--max-items", "1", "--page-size", "1")
	want := "Cannot specify --no-paginate along with pagination arguments: "
	if code != ExitUsage || !strings.HasPrefix(errOut, want) || !strings.Contains(awsErr, want) {
		t.Errorf("ec2ctl exit %d: %s\naws: %s", code, errOut, awsErr)
	}
}
