package ctl

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
)

const missingInstance = "i-0000000000000dead"

func (f *fakeCompute) DescribeInstanceAttribute(_ context.Context, req *pb.DescribeInstanceAttributeRequest) (*pb.InstanceAttribute, error) {
	if req.InstanceId == missingInstance {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance ID '%s' does not exist", req.InstanceId))
	}
	out := &pb.InstanceAttribute{InstanceId: req.InstanceId, Attribute: req.Attribute}
	text := func(v string) *pb.AttributeValue { return &pb.AttributeValue{Value: v} }
	flag := func(v bool) *pb.AttributeBooleanValue { return &pb.AttributeBooleanValue{Value: v} }
	switch req.Attribute {
	case "instanceType":
		out.InstanceType = text("t3.micro")
	case "userData":
		out.UserData = text("I2Nsb3VkLWNvbmZpZw==")
	case "instanceInitiatedShutdownBehavior":
		out.InstanceInitiatedShutdownBehavior = text("stop")
	case "rootDeviceName":
		out.RootDeviceName = text("/dev/sda1")
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
		out.EnclaveOptions = &pb.EnclaveOptions{}
	case "groupSet":
		out.Groups = []*pb.GroupIdentifier{{GroupId: "sg-0123456789abcdef0", GroupName: "web"}}
	case "blockDeviceMapping":
		out.BlockDeviceMappings = sampleInstance(req.InstanceId, "running", 16).BlockDeviceMappings
	case "productCodes":
	default:
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter attribute is invalid. Unknown attribute.", req.Attribute))
	}
	return out, nil
}

func (f *fakeCompute) ModifyInstanceAttribute(_ context.Context, req *pb.ModifyInstanceAttributeRequest) (*pb.ModifyInstanceAttributeResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lastModify = req
	if req.InstanceId == missingInstance {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.InvalidInstanceIDNotFound, "The instance ID '%s' does not exist", req.InstanceId))
	}
	return &pb.ModifyInstanceAttributeResponse{}, nil
}

// DescribeInstanceStatus answers the fake's instances (running ones unless
// all are asked for), one per page under MaxResults; the running ones'
// instance check follows statusScript.
func (f *fakeCompute) DescribeInstanceStatus(_ context.Context, req *pb.DescribeInstanceStatusRequest) (*pb.DescribeInstanceStatusResponse, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	check := "ok"
	if len(f.statusScript) > 0 {
		check = f.statusScript[0]
		if len(f.statusScript) > 1 {
			f.statusScript = f.statusScript[1:]
		}
	}
	var all []*pb.InstanceStatus
	for _, r := range f.reservations {
		for _, in := range r.Instances {
			if (len(req.InstanceIds) > 0 && !slices.Contains(req.InstanceIds, in.InstanceId)) ||
				(!req.IncludeAllInstances && in.State.GetName() != "running") {
				continue
			}
			st := &pb.InstanceStatus{InstanceId: in.InstanceId, AvailabilityZone: "lab-1a", InstanceState: in.State,
				SystemStatus: &pb.InstanceStatusSummary{Status: "not-applicable"}, InstanceStatus: &pb.InstanceStatusSummary{Status: "not-applicable"}}
			if in.State.GetName() == "running" {
				st.SystemStatus = &pb.InstanceStatusSummary{Status: "ok", Details: []*pb.InstanceStatusDetails{{Name: "reachability", Status: "passed"}}}
				reach := map[string]string{"ok": "passed", "initializing": "initializing", "impaired": "failed"}[check]
				d := &pb.InstanceStatusDetails{Name: "reachability", Status: reach}
				if check == "impaired" {
					d.ImpairedSince = t0
				}
				st.InstanceStatus = &pb.InstanceStatusSummary{Status: check, Details: []*pb.InstanceStatusDetails{d}}
			}
			all = append(all, st)
		}
	}
	if req.MaxResults == 0 || len(all) == 0 {
		return &pb.DescribeInstanceStatusResponse{InstanceStatuses: all}, nil
	}
	at := 0
	for i, st := range all {
		if st.InstanceId == req.NextToken {
			at = i + 1
		}
	}
	out := &pb.DescribeInstanceStatusResponse{InstanceStatuses: all[at : at+1]}
	if at+1 < len(all) {
		out.NextToken = all[at].InstanceId
	}
	return out, nil
}

// TestModifyInstanceAttributeFlags checks what each of the aws CLI's flags
// sends.
func TestModifyInstanceAttributeFlags(t *testing.T) {
	const id = "i-0123456789abcdef0"
	ud := filepath.Join(t.TempDir(), "user-data.sh")
	if err := os.WriteFile(ud, []byte("#!/bin/sh\necho hi\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	i := `instance_id:"` + id + `" `
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--attribute", "instanceType", "--value", "t3.small"}, i + `attribute:"instanceType" value:"t3.small"`},
		{[]string{"--attribute", "userData", "--value", ""}, i + `attribute:"userData" value:""`},
		{[]string{"--instance-type", "Value=t3.small"}, i + `instance_type:{value:"t3.small"}`},
		{[]string{"--instance-type", `{"Value": "t3.small"}`}, i + `instance_type:{value:"t3.small"}`},
		{[]string{"--instance-type", "t3.small"}, i + `instance_type:{value:"t3.small"}`},
		{[]string{"--user-data", "Value=aGk="}, i + `user_data:{value:"hi"}`},
		{[]string{"--user-data", "file://" + ud}, i + `user_data:{value:"#!/bin/sh\necho hi\n"}`},
		{[]string{"--disable-api-termination"}, i + `disable_api_termination:{value:true}`},
		{[]string{"--no-disable-api-termination"}, i + `disable_api_termination:{}`},
		{[]string{"--disable-api-stop", "--dry-run"}, i + `disable_api_stop:{value:true} dry_run:true`},
		{[]string{"--no-source-dest-check"}, i + `source_dest_check:{}`},
		{[]string{"--ebs-optimized"}, i + `ebs_optimized:{value:true}`},
		{[]string{"--no-ena-support"}, i + `ena_support:{}`},
		{[]string{"--instance-initiated-shutdown-behavior", "Value=terminate"}, i + `instance_initiated_shutdown_behavior:{value:"terminate"}`},
		{[]string{"--sriov-net-support", "Value=simple"}, i + `sriov_net_support:{value:"simple"}`},
		{[]string{"--kernel", "Value=aki-1"}, i + `kernel:{value:"aki-1"}`},
		{[]string{"--ramdisk", "Value=ari-1"}, i + `ramdisk:{value:"ari-1"}`},
		{[]string{"--groups", "sg-1", "sg-2"}, i + `groups:"sg-1" groups:"sg-2"`},
		{[]string{"--block-device-mappings", "DeviceName=/dev/sda1,Ebs={DeleteOnTermination=false}"},
			i + `block_device_mappings:{device_name:"/dev/sda1" ebs:{delete_on_termination:false}}`},
		{[]string{"--block-device-mappings", `[{"DeviceName":"/dev/sdf","Ebs":{"VolumeId":"vol-1"}}]`},
			i + `block_device_mappings:{device_name:"/dev/sdf" ebs:{volume_id:"vol-1"}}`},
	}
	for _, tt := range tests {
		h := newHarness(t)
		_, errOut, code := h.run(append([]string{"modify-instance-attribute", "--instance-id", id}, tt.args...)...)
		if code != 0 {
			t.Errorf("%v: exit %d: %s", tt.args, code, errOut)
			continue
		}
		want := &pb.ModifyInstanceAttributeRequest{}
		if err := prototext.Unmarshal([]byte(tt.want), want); err != nil {
			t.Fatal(err)
		}
		if !proto.Equal(h.fake.lastModify, want) {
			t.Errorf("%v: sent\n%s\nwant\n%s", tt.args, prototext.Format(h.fake.lastModify), tt.want)
		}
	}
}

// TestModifyInstanceAttributeUsage: bad flags are usage errors that send
// nothing; the service's errors print as the aws CLI prints them.
func TestModifyInstanceAttributeUsage(t *testing.T) {
	tests := []struct {
		args []string
		code int
		has  string
	}{
		{[]string{"modify-instance-attribute", "--disable-api-stop"}, ExitUsage, "--instance-id"},
		{[]string{"modify-instance-attribute", "--instance-id", "i-1", "--disable-api-stop", "--no-disable-api-stop"}, ExitUsage, "cannot specify both"},
		{[]string{"modify-instance-attribute", "--instance-id", "i-1", "--user-data", "Value=%%%"}, ExitUsage, "base64"},
		{[]string{"modify-instance-attribute", "--instance-id", "i-1", "--instance-type", "Size=large"}, ExitUsage, "Size"},
		{[]string{"modify-instance-attribute", "--instance-id", "i-1", "--block-device-mappings", "DeviceName=/dev/sda1,Ebs={Iops=3}"}, ExitUsage, "Iops"},
		{[]string{"modify-instance-attribute", "--instance-id", missingInstance, "--disable-api-stop"}, ExitService, "InvalidInstanceID.NotFound"},
		{[]string{"describe-instance-attribute", "--instance-id", "i-1"}, ExitUsage, "--attribute"},
	}
	for _, tt := range tests {
		h := newHarness(t)
		_, errOut, code := h.run(tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.has) {
			t.Errorf("%v: exit %d %q, want %d mentioning %q", tt.args, code, errOut, tt.code, tt.has)
		}
		if tt.code == ExitUsage && h.fake.lastModify != nil {
			t.Errorf("%v: a usage error sent %v", tt.args, h.fake.lastModify)
		}
	}
}

// TestInstanceAttributeMembersMatchBotocore checks the keys
// describe-instance-attribute prints for every attribute, and their
// order, against EC2's InstanceAttribute.
func TestInstanceAttributeMembersMatchBotocore(t *testing.T) {
	model := loadShapes(t)
	for _, attr := range instanceAttributeNames {
		out, errOut, code := newHarness(t).run("describe-instance-attribute", "--instance-id", "i-1", "--attribute", attr, "--output", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", attr, code, errOut)
		}
		var doc orderedJSON
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if keys := doc.v.([]kv); len(keys) != 2 {
			t.Errorf("%s: %s, want InstanceId and the one attribute", attr, out)
		}
		model.check(t, "InstanceAttribute", attr, doc.v)
	}
	out, _, _ := newHarness(t).run("describe-instance-status", "--include-all-instances", "--output", "json")
	var doc orderedJSON
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	model.check(t, "DescribeInstanceStatusResult", "describe-instance-status", doc.v)
}

func TestInstanceAttributeGolden(t *testing.T) {
	const id = "i-0123456789abcdef0"
	tests := []struct {
		name string
		args []string
	}{
		{"describe-instance-attribute-groups.json", []string{"describe-instance-attribute", "--instance-id", id, "--attribute", "groupSet"}},
		{"describe-instance-attribute-termination.text", []string{"describe-instance-attribute", "--instance-id", id, "--attribute", "disableApiTermination", "--output", "text"}},
		{"describe-instance-attribute-kernel.json", []string{"describe-instance-attribute", "--instance-id", id, "--attribute", "kernel"}},
		{"describe-instance-attribute-bdm.table", []string{"describe-instance-attribute", "--instance-id", id, "--attribute", "blockDeviceMapping", "--output", "table"}},
		{"describe-instance-status.json", []string{"describe-instance-status", "--include-all-instances"}},
		{"describe-instance-status.text", []string{"describe-instance-status", "--output", "text"}},
		{"describe-instance-status.table", []string{"describe-instance-status", "--output", "table"}},
		{"modify-instance-attribute", []string{"modify-instance-attribute", "--instance-id", id, "--groups", "sg-1"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			h.fake.statusScript = []string{"impaired"}
			out, errOut, code := h.run(tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, tt.name, out)
		})
	}
}

// TestDescribeInstanceStatusRequest: the flags reach the request, and the
// verb follows NextToken unless --max-results is given.
func TestDescribeInstanceStatusRequest(t *testing.T) {
	ids := func(out string) []string {
		var doc struct {
			InstanceStatuses []struct {
				InstanceID string `json:"InstanceId"`
			}
			NextToken string
		}
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatalf("%v: %s", err, out)
		}
		var got []string
		for _, s := range doc.InstanceStatuses {
			got = append(got, s.InstanceID)
		}
		return append(got, doc.NextToken)
	}
	tests := []struct {
		args []string
		want []string
	}{
		{[]string{"describe-instance-status"}, []string{"i-0123456789abcdef0", ""}},
		{[]string{"describe-instance-status", "--include-all-instances", "--page-size", "1"}, []string{"i-0123456789abcdef0", "i-0fedcba9876543210", ""}},
		{[]string{"describe-instance-status", "--include-all-instances", "--max-results", "1"}, []string{"i-0123456789abcdef0", "i-0123456789abcdef0"}},
		{[]string{"describe-instance-status", "--instance-ids", "i-0fedcba9876543210"}, []string{""}},
	}
	for _, tt := range tests {
		out, errOut, code := newHarness(t).run(tt.args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", tt.args, code, errOut)
		}
		if got := ids(out); !slices.Equal(got, tt.want) {
			t.Errorf("%v: %v, want %v", tt.args, got, tt.want)
		}
	}
	h := newHarness(t)
	if _, errOut, code := h.run("describe-instance-status", "--filters", "Name=instance-status.status,Values=impaired",
		"--dry-run"); code != 0 {
		t.Errorf("filters: exit %d %s", code, errOut)
	}
}

// TestStatusWaiters: instance-status-ok waits out initializing checks;
// system-status-ok passes at once (the fake's hosts are fine).
func TestStatusWaiters(t *testing.T) {
	const id = "i-0123456789abcdef0"
	h := newHarness(t)
	h.fake.statusScript = []string{"initializing", "initializing", "ok"}
	if _, errOut, code := h.run("wait", "instance-status-ok", "--instance-ids", id, "--delay", "1"); code != 0 || h.sleep != 2 {
		t.Errorf("instance-status-ok: exit %d after %d sleeps: %s", code, h.sleep, errOut)
	}
	h = newHarness(t)
	h.fake.statusScript = []string{"impaired"}
	if _, errOut, code := h.run("wait", "system-status-ok", "--instance-ids", id); code != 0 || h.sleep != 0 {
		t.Errorf("system-status-ok: exit %d after %d sleeps: %s", code, h.sleep, errOut)
	}
	h = newHarness(t)
	h.fake.statusScript = []string{"impaired"}
	_, errOut, code := h.run("wait", "instance-status-ok", "--instance-ids", id, "--delay", "1", "--max-attempts", "2")
	if code != ExitOther || !strings.Contains(errOut, "Waiter InstanceStatusOk failed: Max attempts exceeded") {
		t.Errorf("instance-status-ok on an impaired instance: exit %d: %s", code, errOut)
	}
}
