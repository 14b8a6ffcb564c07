package ec2query

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// needTool skips (or, under CI=true, fails) a test whose external client is
// missing: python3 with boto3, moto_server, the AWS CLI. These tests start
// Python processes (seconds each), so -short skips them.
func needTool(t *testing.T, name string, args ...string) {
	t.Helper()
	hvtest.SkipIfShort(t, name+" (an external reference client)")
	if err := exec.Command(name, args...).Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s %v unavailable (required under CI): %v", name, args, err)
		}
		t.Skipf("%s %v unavailable: %v", name, args, err)
	}
}

func needBoto3(t *testing.T) { needTool(t, "python3", "-c", "import boto3, botocore") }

// signedServer serves the handler with real SigV4 verification of testKey.
func signedServer(t *testing.T) (*httptest.Server, *fakeCompute) {
	f := &fakeCompute{}
	srv := httptest.NewServer(NewHandler(Options{Compute: f, Keys: auth.StaticKeys{testKey.AccessKeyID: testKey},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	t.Cleanup(srv.Close)
	return srv, f
}

// clientEnv points boto3 and the AWS CLI at srv with testKey and no
// configuration of the machine.
func clientEnv(srv *httptest.Server) []string {
	return append(os.Environ(), "EC2_ENDPOINT="+srv.URL, "EC2_KEY="+testKey.AccessKeyID, "EC2_SECRET="+testKey.SecretAccessKey,
		"AWS_ACCESS_KEY_ID="+testKey.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+testKey.SecretAccessKey,
		"AWS_DEFAULT_REGION=lab-1", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "PYTHONDONTWRITEBYTECODE=1")
}

func runClient(t *testing.T, srv *httptest.Server, stdin string, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	cmd.Env = clientEnv(srv)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %v: %v\n%s", name, args, err, out)
	}
	return string(out)
}

func TestBotoRoundTrip(t *testing.T) {
	needBoto3(t)
	srv, f := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/roundtrip.py")
	if !strings.Contains(out, "ROUNDTRIP OK") {
		t.Fatalf("roundtrip.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))

	run := received[*ec2labv1.RunInstancesRequest](f)
	if len(run) != 1 || run[0].GetClientToken() == "" {
		t.Fatalf("RunInstances requests: %v (boto3 always sends a ClientToken)", run)
	}
	run[0].ClientToken = ""
	wantRun := &ec2labv1.RunInstancesRequest{ImageId: fakeImage, InstanceType: "t3.micro", MinCount: 1, MaxCount: 2,
		KeyName: "lab", UserData: []byte("#cloud-config\nhostname: web-1\n"),
		Placement: &ec2labv1.Placement{AvailabilityZone: fakeZone},
		BlockDeviceMappings: []*ec2labv1.BlockDeviceMapping{
			{DeviceName: "/dev/vda", Ebs: &ec2labv1.EbsBlockDevice{VolumeSize: 20, VolumeType: "gp3", DeleteOnTermination: new(false)}},
			{DeviceName: "/dev/vdb", VirtualName: "ephemeral0"}},
		TagSpecifications: []*ec2labv1.TagSpecification{
			{ResourceType: "instance", Tags: []*ec2labv1.Tag{{Key: "Name", Value: "web-1"}, {Key: "env", Value: "lab"}}},
			{ResourceType: "volume", Tags: []*ec2labv1.Tag{{Key: "backup", Value: "daily"}}}},
		DisableApiTermination: true, MetadataOptions: &ec2labv1.InstanceMetadataOptionsRequest{HttpTokens: "required",
			HttpPutResponseHopLimit: new(int32(2))}}
	same(t, "RunInstances", run[0], wantRun)
	same(t, "ModifyInstanceMetadataOptions", received[*ec2labv1.ModifyInstanceMetadataOptionsRequest](f)[0],
		&ec2labv1.ModifyInstanceMetadataOptionsRequest{InstanceId: fakeInstance, HttpTokens: "optional", HttpEndpoint: "disabled"})

	desc := received[*ec2labv1.DescribeInstancesRequest](f)
	same(t, "DescribeInstances", desc[0], &ec2labv1.DescribeInstancesRequest{Filters: []*ec2labv1.Filter{
		{Name: "instance-state-name", Values: []string{"running", "pending"}}, {Name: "tag:Name", Values: []string{"web-*"}}}})
	same(t, "ImportKeyPair", received[*ec2labv1.ImportKeyPairRequest](f)[0],
		&ec2labv1.ImportKeyPairRequest{KeyName: "lab2", PublicKeyMaterial: []byte("ssh-ed25519 AAAA lab")})
	copied := received[*ec2labv1.CopySnapshotRequest](f)[0]
	if !strings.Contains(copied.GetPresignedUrl(), "Action=CopySnapshot") {
		t.Errorf("boto3's PresignedUrl did not reach Compute: %q", copied.GetPresignedUrl())
	}
	copied.PresignedUrl = "" // signed anew on every run
	same(t, "CopySnapshot", copied,
		&ec2labv1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: fakeSnapshot, DestinationRegion: "lab-1"})
	same(t, "RegisterImage", received[*ec2labv1.RegisterImageRequest](f)[0],
		&ec2labv1.RegisterImageRequest{Name: "tiny-linux", BundlePath: "/var/lib/ec2lab/bundles/tiny"})
	same(t, "CreateTags", received[*ec2labv1.CreateTagsRequest](f)[0], &ec2labv1.CreateTagsRequest{
		Resources: []string{fakeInstance, fakeVolume}, Tags: []*ec2labv1.Tag{{Key: "owner", Value: "me"}}})
	stops := received[*ec2labv1.StopInstancesRequest](f)
	if len(stops) != 2 || stops[0].GetForce() || !stops[1].GetForce() {
		t.Errorf("StopInstances requests: %v", stops)
	}
	for _, k := range f.caller {
		if k.AccessKeyID != testKey.AccessKeyID || k.AccountID != fakeAccount {
			t.Fatalf("Compute saw caller %v", k)
		}
	}
}

func same(t *testing.T, what string, got, want proto.Message) {
	t.Helper()
	if !proto.Equal(got, want) {
		t.Errorf("%s: Compute got\n%s\nwant\n%s", what, prototext.Format(got), prototext.Format(want))
	}
}

func TestMotoSameTopLevelKeys(t *testing.T) {
	needBoto3(t)
	needTool(t, "sh", "-c", "command -v moto_server")
	srv, _ := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/moto_compare.py")
	if !strings.Contains(out, "MOTO OK") {
		t.Fatalf("moto_compare.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
}

func TestAWSCLI(t *testing.T) {
	needTool(t, "aws", "--version")
	srv, _ := signedServer(t)
	out := runClient(t, srv, "", "aws", "--endpoint-url", srv.URL, "ec2", "describe-instances")
	var doc struct {
		Reservations []struct {
			Instances []struct {
				InstanceID string `json:"InstanceId"`
				LaunchTime string
			}
		}
	}
	if err := json.Unmarshal([]byte(out), &doc); err != nil || len(doc.Reservations) != 1 ||
		doc.Reservations[0].Instances[0].InstanceID != fakeInstance {
		t.Fatalf("describe-instances (%v):\n%s", err, out)
	}
	out = runClient(t, srv, "", "aws", "--endpoint-url", srv.URL, "ec2", "get-console-output",
		"--instance-id", fakeInstance, "--output", "text")
	if !strings.Contains(out, fakeConsole) {
		t.Fatalf("get-console-output --output text does not print the decoded console:\n%q", out)
	}
}

// TestParameterNamesInBotocoreModel checks every parameter the parser reads
// and every required one against botocore's model of each action.
func TestParameterNamesInBotocoreModel(t *testing.T) {
	needBoto3(t)
	type spec struct {
		Params   []string `json:"params"`
		Required []string `json:"required"`
	}
	all := map[string]spec{}
	for name, a := range actions {
		md := a.newReq().ProtoReflect().Descriptor()
		s := spec{Params: append([]string{}, paramPaths(md, "")...), Required: []string{}}
		for _, f := range a.required {
			fd := md.Fields().ByName(f)
			n := wireName(fd)
			if fd.IsList() {
				n += ".N"
			}
			s.Required = append(s.Required, n)
		}
		all[name] = s
	}
	in, _ := json.Marshal(all)
	srv, _ := signedServer(t)
	out := runClient(t, srv, string(in), "python3", "testdata/model_names.py")
	if !strings.Contains(out, "MODEL OK") {
		t.Fatalf("model_names.py:\n%s", out)
	}
}

func paramPaths(md protoreflect.MessageDescriptor, prefix string) []string {
	var out []string
	for i := 0; i < md.Fields().Len(); i++ {
		fd := md.Fields().Get(i)
		n := prefix + wireName(fd)
		if fd.IsList() {
			n += ".N"
		}
		if fd.Kind() == protoreflect.MessageKind {
			out = append(out, paramPaths(fd.Message(), n+".")...)
			continue
		}
		out = append(out, n)
	}
	return out
}
