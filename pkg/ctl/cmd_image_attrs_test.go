package ctl

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// foreignImage belongs to another account: the fake answers AuthFailure.
const foreignImage = "ami-0000000000000f00d"

func (f *fakeCompute) DescribeImageAttribute(_ context.Context, req *pb.DescribeImageAttributeRequest) (*pb.ImageAttribute, error) {
	if req.ImageId == foreignImage {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.AuthFailure, "Not authorized for image:%s", req.ImageId))
	}
	out := &pb.ImageAttribute{ImageId: req.ImageId, Attribute: req.Attribute}
	switch req.Attribute {
	case "launchPermission":
		out.LaunchPermissions = []*pb.LaunchPermission{{Group: "all"}, {UserId: "222222222222"}}
	case "description":
		out.Value = "tiny test guest"
	}
	return out, nil
}

func (f *fakeCompute) ModifyImageAttribute(_ context.Context, req *pb.ModifyImageAttributeRequest) (*pb.ModifyImageAttributeResponse, error) {
	if req.ImageId == foreignImage {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.AuthFailure, "Not authorized for image:%s", req.ImageId))
	}
	return &pb.ModifyImageAttributeResponse{}, nil
}

func (f *fakeCompute) ResetImageAttribute(context.Context, *pb.ResetImageAttributeRequest) (*pb.ResetImageAttributeResponse, error) {
	return &pb.ResetImageAttributeResponse{}, nil
}

// TestModifyImageAttributeFlags checks each way of giving a change: the
// --launch-permission shorthand and JSON, the legacy --operation-type form
// and --description.
func TestModifyImageAttributeFlags(t *testing.T) {
	const ami = "ami-0123456789abcdef0"
	user := func(id string) *pb.LaunchPermission { return &pb.LaunchPermission{UserId: id} }
	all := &pb.LaunchPermission{Group: "all"}
	tests := []struct {
		name string
		fl   modifyImageAttrFlags
		want *pb.ModifyImageAttributeRequest
		bad  string
	}{
		{name: "shorthand add", fl: modifyImageAttrFlags{imageID: ami, launchPermission: "Add=[{UserId=222222222222},{Group=all}]"},
			want: &pb.ModifyImageAttributeRequest{ImageId: ami, LaunchPermission: &pb.LaunchPermissionModifications{
				Add: []*pb.LaunchPermission{user("222222222222"), all}}}},
		{name: "shorthand add and remove", fl: modifyImageAttrFlags{imageID: ami,
			launchPermission: "Add=[{UserId=222222222222}],Remove=[{Group=all}]"},
			want: &pb.ModifyImageAttributeRequest{ImageId: ami, LaunchPermission: &pb.LaunchPermissionModifications{
				Add: []*pb.LaunchPermission{user("222222222222")}, Remove: []*pb.LaunchPermission{all}}}},
		{name: "json with a numeric account", fl: modifyImageAttrFlags{imageID: ami,
			launchPermission: `{"Remove":[{"UserId":222222222222}]}`},
			want: &pb.ModifyImageAttributeRequest{ImageId: ami, LaunchPermission: &pb.LaunchPermissionModifications{
				Remove: []*pb.LaunchPermission{user("222222222222")}}}},
		{name: "legacy form", fl: modifyImageAttrFlags{imageID: ami, attribute: "launchPermission", operationType: "add",
			userIDs: []string{"222222222222", "333333333333"}, userGroups: []string{"all"}},
			want: &pb.ModifyImageAttributeRequest{ImageId: ami, Attribute: "launchPermission", OperationType: "add",
				UserIds: []string{"222222222222", "333333333333"}, UserGroups: []string{"all"}}},
		{name: "description", fl: modifyImageAttrFlags{imageID: ami, description: "Value=shared tiny", dryRun: true},
			want: &pb.ModifyImageAttributeRequest{ImageId: ami, Description: &pb.AttributeValue{Value: "shared tiny"}, DryRun: true}},
		{name: "description json", fl: modifyImageAttrFlags{imageID: ami, description: `{"Value":""}`},
			want: &pb.ModifyImageAttributeRequest{ImageId: ami, Description: &pb.AttributeValue{}}},
		{name: "no image", fl: modifyImageAttrFlags{launchPermission: "Add=[{Group=all}]"}, bad: "--image-id"},
		{name: "unknown member", fl: modifyImageAttrFlags{imageID: ami, launchPermission: "Add=[{Account=1}]"}, bad: "Account"},
		{name: "unknown key", fl: modifyImageAttrFlags{imageID: ami, launchPermission: "Grant=[{Group=all}]"}, bad: "Grant"},
		{name: "bad json", fl: modifyImageAttrFlags{imageID: ami, launchPermission: `{"Add":[`}, bad: "invalid JSON"},
		{name: "two descriptions", fl: modifyImageAttrFlags{imageID: ami, description: `[{"Value":"a"},{"Value":"b"}]`}, bad: "one structure"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.fl.request()
			if tt.bad != "" {
				if err == nil || !strings.Contains(err.Error(), tt.bad) {
					t.Fatalf("error %v, want one mentioning %q", err, tt.bad)
				}
				return
			}
			if err != nil || !proto.Equal(got, tt.want) {
				t.Fatalf("got %v (%v), want %v", got, err, tt.want)
			}
		})
	}
}

func TestImageAttributeGolden(t *testing.T) {
	const ami = "ami-0123456789abcdef0"
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"describe-image-attribute.json", []string{"describe-image-attribute", "--image-id", ami, "--attribute", "launchPermission", "--output", "json"}, 0},
		{"describe-image-attribute.text", []string{"describe-image-attribute", "--image-id", ami, "--attribute", "launchPermission", "--output", "text"}, 0},
		{"describe-image-attribute.table", []string{"describe-image-attribute", "--image-id", ami, "--attribute", "launchPermission", "--output", "table"}, 0},
		{"describe-image-attribute-description.json", []string{"describe-image-attribute", "--image-id", ami, "--attribute", "description", "--output", "json"}, 0},
		{"describe-image-attribute-kernel.json", []string{"describe-image-attribute", "--image-id", ami, "--attribute", "kernel", "--output", "json"}, 0},
		{"modify-image-attribute", []string{"modify-image-attribute", "--image-id", ami, "--launch-permission", "Add=[{UserId=222222222222}]"}, 0},
		{"reset-image-attribute", []string{"reset-image-attribute", "--image-id", ami, "--attribute", "launchPermission"}, 0},
		{"error-image-not-owner", []string{"modify-image-attribute", "--image-id", foreignImage, "--operation-type", "add", "--user-groups", "all"}, ExitService},
		{"error-image-attribute-usage", []string{"describe-image-attribute", "--image-id", ami}, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := newHarness(t).run(tt.args...)
			if code != tt.code {
				t.Fatalf("exit code %d, want %d (stderr %q)", code, tt.code, errOut)
			}
			got := out
			if tt.code != 0 {
				got = errOut
			}
			checkGolden(t, tt.name, got)
		})
	}
}

// TestImageAttributeMembersMatchBotocore checks the keys describe-image-attribute
// prints, and their order, against EC2's ImageAttribute.
func TestImageAttributeMembersMatchBotocore(t *testing.T) {
	model := loadShapes(t)
	for _, attr := range []string{"launchPermission", "description", "kernel", "bootMode", "deregistrationProtection", "productCodes"} {
		out, errOut, code := newHarness(t).run("describe-image-attribute", "--image-id", "ami-1", "--attribute", attr, "--output", "json")
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", attr, code, errOut)
		}
		var doc orderedJSON
		if err := json.Unmarshal([]byte(out), &doc); err != nil {
			t.Fatal(err)
		}
		if keys := doc.v.([]kv); len(keys) != 2 {
			t.Errorf("%s: %s, want ImageId and the one attribute", attr, out)
		}
		model.check(t, "ImageAttribute", attr, doc.v)
	}
}
