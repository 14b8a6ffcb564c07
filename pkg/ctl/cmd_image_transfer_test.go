package ctl

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/test/bufconn"
)

// exportFake adds ExportImage and RegisterImage to the fake Compute.
type exportFake struct {
	*fakeCompute
	export   *pb.ExportImageRequest
	register *pb.RegisterImageRequest
}

func (f *exportFake) ExportImage(_ context.Context, r *pb.ExportImageRequest) (*pb.ExportImageResponse, error) {
	f.export = r
	if r.GetImageId() == "ami-0000000000000dead" {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.InvalidAMIIDNotFound, "The image id '[%s]' does not exist", r.GetImageId()))
	}
	return &pb.ExportImageResponse{BundlePath: r.GetBundlePath(), ManifestSha256: strings.Repeat("a", 64)}, nil
}

func (f *exportFake) RegisterImage(_ context.Context, r *pb.RegisterImageRequest) (*pb.RegisterImageResponse, error) {
	f.register = r
	return &pb.RegisterImageResponse{ImageId: "ami-0123456789abcdef1"}, nil
}

// newExportHarness is newHarness (fake_test.go) with the server serving exportFake.
func newExportHarness(t *testing.T) (*harness, *exportFake) {
	creds, ca := testTLS(t)
	h := &harness{t: t, fake: newFakeCompute(), lis: bufconn.Listen(1 << 20),
		env: map[string]string{"HOME": t.TempDir(), "AWS_ACCESS_KEY_ID": "AKIDTEST", "AWS_SECRET_ACCESS_KEY": "sekrit-value", "AWS_CA_BUNDLE": ca}}
	f := &exportFake{fakeCompute: h.fake}
	srv := grpc.NewServer(creds)
	pb.RegisterComputeServer(srv, f)
	lis := h.lis
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	return h, f
}

func TestExportImage(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		wantCode int
		wantOut  string // substring of stdout
		wantErr  string // substring of stderr
		wantPath string // bundle path sent, "" for no call
	}{
		{"absolute", []string{"--image-id", "ami-0123456789abcdef0", "--bundle", "/srv/b1", "--output", "json"}, 0,
			`"BundlePath": "/srv/b1"`, "", "/srv/b1"},
		{"relative made absolute", []string{"--image-id", "ami-0123456789abcdef0", "--bundle", "out/b2", "--query", "BundlePath", "--output", "text"}, 0,
			filepath.Join(wd, "out/b2"), "", filepath.Join(wd, "out/b2")},
		{"service error", []string{"--image-id", "ami-0000000000000dead", "--bundle", "/srv/b3"}, ExitService, "",
			"An error occurred (InvalidAMIID.NotFound) when calling the ExportImage operation", "/srv/b3"},
		{"missing bundle", []string{"--image-id", "ami-0123456789abcdef0"}, ExitUsage, "", "--bundle", ""},
		{"missing image", []string{"--bundle", "/srv/b4"}, ExitUsage, "", "--image-id", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, f := newExportHarness(t)
			out, errOut, code := h.run(append([]string{"export-image"}, tt.args...)...)
			if code != tt.wantCode || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, %q, %q", code, out, errOut, tt.wantCode, tt.wantOut, tt.wantErr)
			}
			if got := f.export.GetBundlePath(); got != tt.wantPath {
				t.Errorf("bundle path sent %q, want %q", got, tt.wantPath)
			}
		})
	}
}

func TestExportImageOldServer(t *testing.T) {
	h := newHarness(t) // the plain fake has no ExportImage
	_, errOut, code := h.run("export-image", "--image-id", "ami-1", "--bundle", "/srv/b")
	if code != ExitOther || !strings.Contains(errOut, "export-image is not supported by this server") {
		t.Fatalf("exit %d, %q", code, errOut)
	}
}

func TestImportImageCallsRegisterImage(t *testing.T) {
	h, f := newExportHarness(t)
	out, errOut, code := h.run("import-image", "--bundle", "/srv/b1", "--name", "moved", "--output", "text")
	if code != 0 || strings.TrimSpace(out) != "ami-0123456789abcdef1" {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if f.register.GetBundlePath() != "/srv/b1" || f.register.GetName() != "moved" {
		t.Errorf("RegisterImage got %v", f.register)
	}
	if _, errOut, code := h.run("import-image", "--name", "x"); code != ExitUsage {
		t.Errorf("no --bundle: exit %d (%s), want %d", code, errOut, ExitUsage)
	}
}

// TestRegisterImageSendsAbsolutePath: ec2d, not this shell, opens the
// disk image, so a relative --image-location is resolved here; register-image
// from snapshots sends no path at all.
func TestRegisterImageSendsAbsolutePath(t *testing.T) {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"relative", []string{"--image-location", "images/disk.qcow2"}, filepath.Join(wd, "images/disk.qcow2")},
		{"absolute", []string{"--image-location", "/srv/images/disk.qcow2"}, "/srv/images/disk.qcow2"},
		{"snapshots", []string{"--root-device-name", "/dev/xvda"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, f := newExportHarness(t)
			if _, errOut, code := h.run(append([]string{"register-image", "--name", "disk"}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if got := f.register.GetBundlePath(); got != tt.want {
				t.Errorf("path sent %q, want %q", got, tt.want)
			}
		})
	}
}
