package e2e

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestSecondAccount: `ec2d keys create` makes a key for another account
// (ec2d stopped); through the gRPC API with that key the second account
// sees none of the first account's volumes and cannot launch its private
// AMI. The second account cannot register the first's exported image; then
// the first account shares the AMI (accounts_share_test.go): one guest
// boots, as the second account.
func TestSecondAccount(t *testing.T) {
	requireHost(t)
	dir := hvtest.ScratchDir(t)
	data, creds := filepath.Join(dir, "data"), filepath.Join(dir, "creds2")
	ec2d := filepath.Join(binaries(t), "ec2d")
	out, err := exec.Command(ec2d, "keys", "create", "--data-dir", data, "--account", "222222222222",
		"--profile", "second", "--credentials", creds).CombinedOutput()
	if err != nil {
		t.Fatalf("ec2d keys create: %v\n%s", err, out)
	}
	if fi, err := os.Stat(creds); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("credentials file: %v %v, want mode 0600", fi, err)
	}
	if err := os.Chmod(data, 0o755); err != nil { // guests' dnsmasq and qemu run as other users
		t.Fatal(err)
	}
	prefix := fmt.Sprintf("e2eac%04x-", rand.Intn(1<<16))
	t.Cleanup(func() { removeDomains(t, prefix) })
	cfg := fmt.Sprintf(`region: lab-1
gc_grace: 3s
availability_zones:
  - {name: lab-1a, id: lab-1-az1, pool: %[1]s/pools/lab-1a}
embedded_agents:
  - {host_id: h-1, availability_zone: lab-1a, domain_prefix: %[2]s, local_pool: %[1]s/local, state_dir: %[1]s/agent}
`, data, prefix)
	r := startRegion(t, data, "--config", writeFile(t, dir, "region.yaml", cfg))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ec2d log tail:\n%s", tail(r.log.String(), 6000))
		}
	})
	out, err = exec.Command(ec2d, "keys", "list", "--data-dir", data).CombinedOutput()
	if err == nil || !strings.Contains(string(out), "ec2d is running") {
		t.Errorf("keys list while ec2d runs: %v\n%s, want a clear 'ec2d is running' refusal", err, out)
	}
	k2, _, err := auth.ReadCredentialsFile(creds, "second")
	if err != nil {
		t.Fatal(err)
	}
	conn, err := grpc.NewClient(r.GRPC, append(auth.SigningDialOptions(k2), grpc.WithTransportCredentials(r.transport(t)))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c2 := v1.NewComputeClient(conn)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	adminAccounts(ctx, t, r, v1.NewAccountsClient(conn))

	var ami string
	waitFor(t, "the tiny AMI to be available", func() bool {
		imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"},
			Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
		if err != nil || len(imgs.GetImages()) != 1 || imgs.GetImages()[0].GetState() != "available" {
			return false
		}
		ami = imgs.GetImages()[0].GetImageId()
		return true
	})
	vol, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1})
	if err != nil {
		t.Fatalf("CreateVolume as account 1: %v", err)
	}
	vols, err := c2.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{})
	if err != nil || len(vols.GetVolumes()) != 0 {
		t.Errorf("DescribeVolumes as account 2: %v %v, want none", vols.GetVolumes(), err)
	}
	insts, err := c2.DescribeInstances(ctx, &v1.DescribeInstancesRequest{})
	if err != nil || len(insts.GetReservations()) != 0 {
		t.Errorf("DescribeInstances as account 2: %v %v, want none", insts.GetReservations(), err)
	}
	imgs, err := c2.DescribeImages(ctx, &v1.DescribeImagesRequest{})
	if err != nil || len(imgs.GetImages()) != 0 {
		t.Errorf("DescribeImages as account 2: %v %v, want none (tiny is private to account 1)", imgs.GetImages(), err)
	}
	_, err = c2.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{VolumeIds: []string{vol.GetVolumeId()}})
	if code := errCodeOf(err); code != "InvalidVolume.NotFound" {
		t.Errorf("DescribeVolumes %s as account 2: %v, want InvalidVolume.NotFound", vol.GetVolumeId(), err)
	}
	_, err = c2.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 1, MaxCount: 1})
	if code := errCodeOf(err); code != "InvalidAMIID.NotFound" {
		t.Errorf("RunInstances of account 1's AMI as account 2: %v, want InvalidAMIID.NotFound", err)
	}
	waitFor(t, "the volume to be available", func() bool {
		v, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{VolumeIds: []string{vol.GetVolumeId()}})
		return err == nil && len(v.GetVolumes()) == 1 && v.GetVolumes()[0].GetState() == "available"
	})
	if _, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: vol.GetVolumeId()}); err != nil {
		t.Errorf("DeleteVolume: %v", err)
	}
	b := *r
	b.Client = c2
	share := &shareRig{a: r, b: &b, creds: creds, ami: ami, pool: filepath.Join(data, "pools", "lab-1a")}
	t.Run("another account's export", share.exportNotShared)
	t.Run("share the AMI", share.shareImage)
}

func errCodeOf(err error) string {
	if e, ok := ec2err.As(errgrpc.ToNative(err)); ok {
		return e.Code
	}
	return ""
}

// adminAccounts: on the running ec2d, the admin key lists the account that
// `ec2d keys create` made and creates another whose key works at once;
// once disabled that key is refused; the second account's key may not
// administer (UnauthorizedOperation).
func adminAccounts(ctx context.Context, t *testing.T, r *region, tenant v1.AccountsClient) {
	t.Helper()
	admin := v1.NewAccountsClient(r.conn)
	list, err := admin.ListAccounts(ctx, &v1.ListAccountsRequest{})
	if err != nil || len(list.GetAccounts()) != 2 || list.GetAccounts()[1].GetAccountId() != "222222222222" {
		t.Fatalf("ListAccounts as admin: %v %v, want the admin's account and 222222222222", list, err)
	}
	if _, err := tenant.ListAccounts(ctx, &v1.ListAccountsRequest{}); errCodeOf(err) != "UnauthorizedOperation" {
		t.Errorf("ListAccounts as account 2: %v, want UnauthorizedOperation", err)
	}
	k, err := admin.CreateAccount(ctx, &v1.CreateAccountRequest{AccountId: "333333333333"})
	if err != nil {
		t.Fatalf("CreateAccount: %v", err)
	}
	conn, err := grpc.NewClient(r.GRPC, append(auth.SigningDialOptions(auth.Key{AccessKeyID: k.GetAccessKeyId(),
		SecretAccessKey: k.GetSecretAccessKey()}), grpc.WithTransportCredentials(r.transport(t)))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c3 := v1.NewComputeClient(conn)
	if _, err := c3.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{}); err != nil {
		t.Errorf("DescribeVolumes with the new account's key: %v", err)
	}
	if _, err := admin.DisableAccessKey(ctx, &v1.AccessKeyIdRequest{AccessKeyId: k.GetAccessKeyId()}); err != nil {
		t.Fatalf("DisableAccessKey: %v", err)
	}
	if _, err := c3.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{}); errCodeOf(err) != "AuthFailure" {
		t.Errorf("DescribeVolumes with the disabled key: %v, want AuthFailure", err)
	}
}
