package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// awsAs runs the AWS CLI against r with another credentials profile and
// returns its output and error (failures are expected in some steps).
func awsAs(t *testing.T, r *region, creds, profile string, args ...string) (string, error) {
	t.Helper()
	if _, err := exec.LookPath("aws"); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("aws CLI missing (CI=true: failing, not skipping)")
		}
		t.Skip("aws CLI missing")
	}
	full := append([]string{"--endpoint-url", "http://" + r.HTTP, "--region", "lab-1", "--profile", profile, "--output", "json", "ec2"}, args...)
	cmd := exec.Command("aws", full...)
	cmd.Env = append(os.Environ(), "AWS_SHARED_CREDENTIALS_FILE="+creds, "AWS_CONFIG_FILE=/dev/null")
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// shareRig is account 1's region seen by account 2 as well.
type shareRig struct {
	a, b       *region // b is a with account 2's client
	creds, ami string
	pool       string // lab-1a's pool directory
}

// shareImage: account 1 shares the tiny AMI with account 2 through the AWS
// CLI; account 2 finds it, cannot read its launch permissions, and boots
// an instance from it. The permission goes: new launches fail, the
// instance keeps running. The image goes public and account 2 sees it as
// such. Deregistered while that instance runs, the image keeps its kernel
// until the instance is terminated; then the collector removes the
// tombstone and the kernel and initrd, and keeps the snapshot.
func (s *shareRig) shareImage(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	s.a.awsCLI(t, "modify-image-attribute", "--image-id", s.ami, "--launch-permission", "Add=[{UserId=222222222222}]")
	out, err := awsAs(t, s.a, s.creds, "second", "describe-images", "--executable-users", "self", "--query", "Images[].[ImageId,Public]")
	if err != nil || strings.Join(strings.Fields(out), "") != `[["`+s.ami+`",false]]` {
		t.Fatalf("describe-images --executable-users self as account 2: %v\n%s", err, out)
	}
	out, err = awsAs(t, s.a, s.creds, "second", "describe-image-attribute", "--image-id", s.ami, "--attribute", "launchPermission")
	if err == nil || !strings.Contains(out, "AuthFailure") || strings.Contains(out, "222222222222") {
		t.Fatalf("describe-image-attribute as account 2: %v\n%s, want AuthFailure and no permission list", err, out)
	}
	s.wantPermissions(t, `[{"UserId":"222222222222"}]`)

	res, err := s.b.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: s.ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatalf("RunInstances of the shared AMI as account 2: %v", err)
	}
	id := res.GetInstances()[0].GetInstanceId()
	s.b.waitConsole(t, id, "EC2LAB-BOOT-OK instance-id="+id)

	s.a.awsCLI(t, "modify-image-attribute", "--image-id", s.ami, "--attribute", "launchPermission",
		"--operation-type", "remove", "--user-ids", "222222222222")
	s.wantPermissions(t, `[]`)
	_, err = s.b.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: s.ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1})
	if code := errCodeOf(err); code != "InvalidAMIID.NotFound" {
		t.Errorf("RunInstances after the permission went: %v, want InvalidAMIID.NotFound", err)
	}
	s.b.waitState(t, "running", id)

	s.a.awsCLI(t, "modify-image-attribute", "--image-id", s.ami, "--launch-permission", `{"Add":[{"Group":"all"}]}`)
	imgs, err := s.b.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"all"},
		Filters: []*v1.Filter{{Name: "is-public", Values: []string{"true"}}}})
	if err != nil || len(imgs.GetImages()) != 1 || imgs.GetImages()[0].GetImageId() != s.ami || !imgs.GetImages()[0].GetPublic() {
		t.Fatalf("DescribeImages Owners all, is-public as account 2: %v %v, want the public tiny AMI", imgs.GetImages(), err)
	}
	s.collectAfterTerminate(t, id)
}

// wantPermissions checks the owner's view of the launch permissions.
func (s *shareRig) wantPermissions(t *testing.T, want string) {
	t.Helper()
	out := s.a.awsCLI(t, "describe-image-attribute", "--image-id", s.ami, "--attribute", "launchPermission")
	var doc struct{ LaunchPermissions json.RawMessage }
	if err := json.Unmarshal([]byte(out), &doc); err != nil || strings.Join(strings.Fields(string(doc.LaunchPermissions)), "") != want {
		t.Fatalf("describe-image-attribute as the owner: %v\n%s, want LaunchPermissions %s", err, out, want)
	}
}

func (s *shareRig) collectAfterTerminate(t *testing.T, id string) {
	ctx := context.Background()
	kernel := filepath.Join(s.pool, s.ami+".vmlinuz")
	s.a.awsCLI(t, "deregister-image", "--image-id", s.ami)
	time.Sleep(7 * time.Second) // first sight, then gc_grace (3 s), then the next collector run
	if _, err := os.Stat(kernel); err != nil {
		t.Fatalf("kernel of the deregistered image while an instance of it runs: %v, want it kept", err)
	}
	if _, err := s.b.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	s.b.waitState(t, "terminated", id)
	waitFor(t, "the collector to delete the deregistered image's kernel and initrd", func() bool {
		_, err1 := os.Stat(kernel)
		_, err2 := os.Stat(filepath.Join(s.pool, s.ami+".initrd"))
		return os.IsNotExist(err1) && os.IsNotExist(err2)
	})
	if !strings.Contains(s.a.log.String(), "deleted deregistered image no instance needs") {
		t.Errorf("ec2d logged no tombstone deletion")
	}
	snaps, err := s.a.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
	kept := false
	for _, sn := range snaps.GetSnapshots() {
		kept = kept || strings.Contains(sn.GetDescription(), s.ami)
	}
	if err != nil || !kept {
		t.Errorf("snapshots after the image went: %v %v, want the image's root snapshot kept", snaps.GetSnapshots(), err)
	}
}

// exportNotShared reproduces issue #17's finding: account 1 exports its AMI
// into the image directory, and account 2 names that bundle in
// RegisterImage (absolute, and relative with ..; gRPC and the AWS CLI). It
// is refused with exactly the error a nonexistent path gets; account 1
// registers its own export.
func (s *shareRig) exportNotShared(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	area := filepath.Join(os.TempDir(), s.a.Key.AccountID)
	if err := os.MkdirAll(area, 0o700); err != nil {
		t.Fatal(err)
	}
	name := fmt.Sprintf("e2e-export-%d", time.Now().UnixNano())
	bundle := filepath.Join(area, name)
	t.Cleanup(func() {
		_ = os.RemoveAll(bundle)
		_ = os.Remove(area) // only when no other test's bundle is there
	})
	if _, err := s.a.Client.ExportImage(ctx, &v1.ExportImageRequest{ImageId: s.ami, BundlePath: bundle}); err != nil {
		t.Fatalf("ExportImage as account 1: %v", err)
	}
	refusal := func(loc string) string {
		_, err := s.b.Client.RegisterImage(ctx, &v1.RegisterImageRequest{Name: "stolen", BundlePath: loc})
		e, ok := ec2err.As(errgrpc.ToNative(err))
		if !ok || e.Code != ec2err.InvalidParameterValue {
			t.Fatalf("RegisterImage(%s) as account 2 = %v, want InvalidParameterValue", loc, err)
		}
		return strings.ReplaceAll(e.Message, loc, "PATH")
	}
	missing := refusal(filepath.Join(area, name+"-nonexistent"))
	for _, loc := range []string{bundle, filepath.Join("..", s.a.Key.AccountID, name)} {
		if got := refusal(loc); got != missing {
			t.Errorf("account 2's RegisterImage of account 1's export %s says %q; a nonexistent path says %q", loc, got, missing)
		}
	}
	out, err := awsAs(t, s.a, s.creds, "second", "register-image", "--name", "stolen", "--image-location", bundle)
	if err == nil || !strings.Contains(out, "InvalidParameterValue") {
		t.Errorf("register-image of account 1's export as account 2 (AWS CLI): %v\n%s, want InvalidParameterValue", err, out)
	}
	imgs, err := s.b.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"}})
	if err != nil || len(imgs.GetImages()) != 0 {
		t.Errorf("account 2 owns images after the refusals: %v %v", imgs.GetImages(), err)
	}

	own, err := s.a.Client.RegisterImage(ctx, &v1.RegisterImageRequest{Name: "tiny-own-export", BundlePath: bundle})
	if err != nil {
		t.Fatalf("RegisterImage of its own export as account 1: %v", err)
	}
	if _, err := s.a.Client.DeregisterImage(ctx, &v1.DeregisterImageRequest{ImageId: own.GetImageId()}); err != nil {
		t.Errorf("DeregisterImage %s: %v", own.GetImageId(), err)
	}
}
