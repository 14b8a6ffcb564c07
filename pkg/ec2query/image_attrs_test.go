package ec2query

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// foreignImage is an image of another account: the image attribute
// actions answer AuthFailure for it, as EC2 does for a shared AMI.
const foreignImage = "ami-0000000000000f00d"

func notOwner(id string) error {
	return ec2err.New(ec2err.AuthFailure, "Not authorized for image:%s", id)
}

func (f *fakeCompute) ModifyImageAttribute(ctx context.Context, r *ec2labv1.ModifyImageAttributeRequest) (*ec2labv1.ModifyImageAttributeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetImageId() == foreignImage {
		return nil, notOwner(r.GetImageId())
	}
	return &ec2labv1.ModifyImageAttributeResponse{}, nil
}

func (f *fakeCompute) DescribeImageAttribute(ctx context.Context, r *ec2labv1.DescribeImageAttributeRequest) (*ec2labv1.ImageAttribute, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetImageId() == foreignImage {
		return nil, notOwner(r.GetImageId())
	}
	out := &ec2labv1.ImageAttribute{ImageId: r.GetImageId(), Attribute: r.GetAttribute()}
	switch r.GetAttribute() {
	case "launchPermission":
		out.LaunchPermissions = []*ec2labv1.LaunchPermission{{Group: "all"}, {UserId: "222222222222"}}
	case "description":
		out.Value = "tiny test guest"
	case "bootMode":
		out.Value = "bios"
	}
	return out, nil
}

func (f *fakeCompute) ResetImageAttribute(ctx context.Context, r *ec2labv1.ResetImageAttributeRequest) (*ec2labv1.ResetImageAttributeResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.ResetImageAttributeResponse{}, nil
}

// TestImageAttributeParameters checks what each wire form of the three
// actions becomes (the names are those the AWS CLI and boto3 send).
func TestImageAttributeParameters(t *testing.T) {
	tests := []struct {
		name, form string
		want       string // prototext of the request Compute gets
	}{
		{"launch permission lists", "Action=ModifyImageAttribute&ImageId=" + fakeImage +
			"&LaunchPermission.Add.1.UserId=222222222222&LaunchPermission.Add.2.Group=all&LaunchPermission.Remove.1.UserId=333333333333",
			`image_id:"` + fakeImage + `" launch_permission:{add:{user_id:"222222222222"} add:{group:"all"} remove:{user_id:"333333333333"}}`},
		{"legacy form", "Action=ModifyImageAttribute&ImageId=" + fakeImage +
			"&Attribute=launchPermission&OperationType=remove&UserId.1=222222222222&UserId.2=333333333333&UserGroup.1=all",
			`image_id:"` + fakeImage + `" attribute:"launchPermission" operation_type:"remove" user_ids:"222222222222" user_ids:"333333333333" user_groups:"all"`},
		{"description", "Action=ModifyImageAttribute&ImageId=" + fakeImage + "&Description.Value=new+text",
			`image_id:"` + fakeImage + `" description:{value:"new text"}`},
		{"describe", "Action=DescribeImageAttribute&ImageId=" + fakeImage + "&Attribute=launchPermission",
			`image_id:"` + fakeImage + `" attribute:"launchPermission"`},
		{"reset", "Action=ResetImageAttribute&ImageId=" + fakeImage + "&Attribute=launchPermission",
			`image_id:"` + fakeImage + `" attribute:"launchPermission"`},
		{"executable by", "Action=DescribeImages&ExecutableBy.1=self&ExecutableBy.2=all&Owner.1=111111111111",
			`owners:"111111111111" executable_users:"self" executable_users:"all"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &fakeCompute{}
			rep := post(t, testHandler(f), tt.form+"&Version=2016-11-15")
			if rep.status != 200 || len(f.calls) != 1 {
				t.Fatalf("got %d %s (calls %d)", rep.status, rep.body, len(f.calls))
			}
			if !equalsText(t, f.calls[0], tt.want) {
				t.Fatalf("Compute got\n%s\nwant\n%s", prototext.Format(f.calls[0]), tt.want)
			}
		})
	}
}

func TestImageAttributeErrors(t *testing.T) {
	tests := []struct {
		name, form string
		status     int
		code       string
	}{
		{"modify needs an image", "Action=ModifyImageAttribute&Description.Value=x", 400, ec2err.MissingParameter},
		{"describe needs an attribute", "Action=DescribeImageAttribute&ImageId=" + fakeImage, 400, ec2err.MissingParameter},
		{"reset needs an attribute", "Action=ResetImageAttribute&ImageId=" + fakeImage, 400, ec2err.MissingParameter},
		{"not the owner", "Action=DescribeImageAttribute&ImageId=" + foreignImage + "&Attribute=launchPermission", 401, ec2err.AuthFailure},
		{"dry run", "Action=ModifyImageAttribute&ImageId=" + fakeImage + "&LaunchPermission.Add.1.Group=all&DryRun=true", 412, ec2err.DryRunOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := post(t, testHandler(&fakeCompute{}), tt.form+"&Version=2016-11-15")
			if e := ec2Error(t, rep); rep.status != tt.status || e.Code != tt.code {
				t.Fatalf("got %d %s %q, want %d %s", rep.status, e.Code, e.Message, tt.status, tt.code)
			}
		})
	}
}

// TestImageAttributeDocuments checks the element named after the attribute:
// a list for launchPermission (present even when empty), <value> for the
// others, EC2's boot mode names.
func TestImageAttributeDocuments(t *testing.T) {
	tests := []struct {
		attr string
		want string
	}{
		{"launchPermission", "<imageId>" + fakeImage + "</imageId><launchPermission><item><group>all</group></item><item><userId>222222222222</userId></item></launchPermission>"},
		{"description", "<description><value>tiny test guest</value></description>"},
		{"bootMode", "<bootMode><value>legacy-bios</value></bootMode>"},
		{"kernel", "<kernel></kernel>"},
	}
	for _, tt := range tests {
		rep := post(t, testHandler(&fakeCompute{}), "Action=DescribeImageAttribute&Version=2016-11-15&ImageId="+fakeImage+"&Attribute="+tt.attr)
		if rep.status != 200 || !strings.Contains(rep.body, tt.want) {
			t.Errorf("%s: got %d %s, want it to contain %s", tt.attr, rep.status, rep.body, tt.want)
		}
	}
	empty := imageAttributeXML(&ec2labv1.ImageAttribute{ImageId: fakeImage, Attribute: "launchPermission"})
	doc, err := marshalResponse("DescribeImageAttribute", "req-1", empty)
	if err != nil || !strings.Contains(string(doc), "<launchPermission></launchPermission>") {
		t.Errorf("no launch permissions: %v %s, want an empty <launchPermission>", err, doc)
	}
}

func TestBotoImageAttributes(t *testing.T) {
	needBoto3(t)
	needTool(t, "sh", "-c", "command -v moto_server")
	srv, f := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/image_attrs.py")
	if !strings.Contains(out, "IMAGE ATTRS OK") {
		t.Fatalf("image_attrs.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
	mods := received[*ec2labv1.ModifyImageAttributeRequest](f)
	want := []string{
		`image_id:"` + fakeImage + `" launch_permission:{add:{user_id:"222222222222"}}`,
		`image_id:"` + fakeImage + `" launch_permission:{remove:{group:"all"}}`,
		`image_id:"` + fakeImage + `" attribute:"launchPermission" operation_type:"add" user_ids:"333333333333"`,
		`image_id:"` + fakeImage + `" description:{value:"shared tiny"}`,
		`image_id:"` + foreignImage + `" launch_permission:{add:{group:"all"}}`,
	}
	if len(mods) < len(want) {
		t.Fatalf("ModifyImageAttribute requests: %v", mods)
	}
	for i, w := range want {
		if !equalsText(t, mods[i], w) {
			t.Errorf("ModifyImageAttribute %d: Compute got\n%s\nwant\n%s", i, prototext.Format(mods[i]), w)
		}
	}
	descs := received[*ec2labv1.DescribeImagesRequest](f)
	if len(descs) == 0 || strings.Join(descs[0].GetExecutableUsers(), ",") != "self" {
		t.Errorf("DescribeImages ExecutableUsers=['self'] reached Compute as %v", descs)
	}
}

// equalsText reports whether m equals the message of its type that text
// (prototext) describes.
func equalsText(t *testing.T, m proto.Message, text string) bool {
	t.Helper()
	want := m.ProtoReflect().Type().New().Interface()
	if err := prototext.Unmarshal([]byte(text), want); err != nil {
		t.Fatalf("bad want %q: %v", text, err)
	}
	return proto.Equal(m, want)
}
