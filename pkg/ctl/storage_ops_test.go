package ctl

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

const (
	sampleSnapshot = "snap-0ccccccccccccccc3"
	sampleVolume   = "vol-0bbbbbbbbbbbbbbb2"
)

// storageVerbs are the command lines of the volume modification, status
// and attribute verbs, snapshot sharing and EBS encryption by default.
var storageVerbs = [][]string{
	{"describe-volumes-modifications", "--volume-ids", sampleVolume, "--filters", "Name=modification-state,Values=completed"},
	{"describe-volume-status"},
	{"describe-volume-status", "--volume-ids", "vol-0aaaaaaaaaaaaaaa1", "--filters", "Name=volume-status.status,Values=ok"},
	{"describe-volume-attribute", "--volume-id", sampleVolume, "--attribute", "autoEnableIO"},
	{"describe-volume-attribute", "--volume-id", sampleVolume, "--attribute", "productCodes"},
	{"modify-volume-attribute", "--volume-id", sampleVolume, "--auto-enable-io"},
	{"modify-volume-attribute", "--volume-id", sampleVolume, "--no-auto-enable-io"},
	{"modify-snapshot-attribute", "--snapshot-id", sampleSnapshot, "--create-volume-permission", "Add=[{UserId=222222222222},{Group=all}]"},
	{"modify-snapshot-attribute", "--snapshot-id", sampleSnapshot, "--attribute", "createVolumePermission",
		"--operation-type", "remove", "--user-ids", "222222222222", "--group-names", "all"},
	{"modify-snapshot-attribute", "--snapshot-id", foreignSnapshot, "--create-volume-permission", "Add=[{Group=all}]"},
	{"describe-snapshot-attribute", "--snapshot-id", sampleSnapshot, "--attribute", "createVolumePermission"},
	{"describe-snapshot-attribute", "--snapshot-id", sampleSnapshot, "--attribute", "productCodes"},
	{"reset-snapshot-attribute", "--snapshot-id", sampleSnapshot, "--attribute", "createVolumePermission"},
	{"get-ebs-encryption-by-default"},
	{"enable-ebs-encryption-by-default"},
	{"disable-ebs-encryption-by-default"},
	{"get-ebs-default-kms-key-id"},
	{"modify-ebs-default-kms-key-id", "--kms-key-id", "alias/mine"},
	{"reset-ebs-default-kms-key-id"},
}

// TestStorageVerbsMatchAWSCLI runs each command line through ec2ctl (gRPC)
// and the AWS CLI (Query API) against the same fake: both must send the
// same request, exit alike and print the same JSON, or the same error.
func TestStorageVerbsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range storageVerbs {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			h.fake.keep(nil)
			awsOut, awsErr, awsCode := aws.run(args...)
			awsReq := h.fake.lastReq
			h.fake.keep(nil)
			out, errOut, code := h.run(append(args, "--output", "json")...)
			if awsCode == 255 && code == ExitService {
				awsCode = ExitService // AWS CLI v1 exits 255 on a service error; ec2ctl, as v2, 254
			}
			if code != awsCode {
				t.Fatalf("ec2ctl exit %d (%s), aws exit %d (%s)", code, errOut, awsCode, awsErr)
			}
			if !proto.Equal(h.fake.lastReq, awsReq) {
				t.Errorf("ec2ctl sent %v, aws sent %v", h.fake.lastReq, awsReq)
			}
			if strings.TrimSpace(errOut) != strings.TrimSpace(awsErr) {
				t.Errorf("ec2ctl stderr:\n%s\naws stderr:\n%s", errOut, awsErr)
			}
			if got, want := awsShaped(t, out), withoutQuirks(awsShaped(t, awsOut)); !reflect.DeepEqual(got, want) {
				t.Errorf("ec2ctl printed:\n%s\naws printed:\n%s", out, awsOut)
			}
		})
	}
}

// TestStorageVerbRequests: what each verb sends (without the AWS CLI, so
// -short runs it too).
func TestStorageVerbRequests(t *testing.T) {
	tests := []struct {
		args []string
		want proto.Message
	}{
		{storageVerbs[0], &pb.DescribeVolumesModificationsRequest{VolumeIds: []string{sampleVolume},
			Filters: []*pb.Filter{{Name: "modification-state", Values: []string{"completed"}}}}},
		{storageVerbs[5], &pb.ModifyVolumeAttributeRequest{VolumeId: sampleVolume, AutoEnableIo: &pb.AttributeBooleanValue{Value: true}}},
		{storageVerbs[6], &pb.ModifyVolumeAttributeRequest{VolumeId: sampleVolume, AutoEnableIo: &pb.AttributeBooleanValue{}}},
		{storageVerbs[7], &pb.ModifySnapshotAttributeRequest{SnapshotId: sampleSnapshot, CreateVolumePermission: &pb.CreateVolumePermissionModifications{
			Add: []*pb.CreateVolumePermission{{UserId: "222222222222"}, {Group: "all"}}}}},
		{storageVerbs[8], &pb.ModifySnapshotAttributeRequest{SnapshotId: sampleSnapshot, Attribute: "createVolumePermission",
			OperationType: "remove", UserIds: []string{"222222222222"}, GroupNames: []string{"all"}}},
		{[]string{"describe-snapshots", "--restorable-by-user-ids", "self", "all"},
			&pb.DescribeSnapshotsRequest{RestorableByUserIds: []string{"self", "all"}}},
		{[]string{"enable-ebs-encryption-by-default", "--dry-run"}, &pb.EnableEbsEncryptionByDefaultRequest{DryRun: true}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newHarness(t)
			if _, errOut, code := h.run(tt.args...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !proto.Equal(h.fake.lastReq, tt.want) {
				t.Errorf("sent %v, want %v", h.fake.lastReq, tt.want)
			}
		})
	}
}

// TestStorageVerbErrors: missing arguments are usage errors (nothing is
// sent); refusals are service errors.
func TestStorageVerbErrors(t *testing.T) {
	tests := []struct {
		args []string
		code int
		want string
	}{
		{[]string{"describe-volume-attribute", "--volume-id", sampleVolume}, ExitUsage, "--attribute"},
		{[]string{"modify-volume-attribute", "--auto-enable-io"}, ExitUsage, "--volume-id"},
		{[]string{"modify-volume-attribute", "--volume-id", sampleVolume, "--auto-enable-io", "--no-auto-enable-io"}, ExitUsage, "Cannot specify both"},
		{[]string{"modify-snapshot-attribute", "--create-volume-permission", "Add=[{Group=all}]"}, ExitUsage, "--snapshot-id"},
		{[]string{"modify-snapshot-attribute", "--snapshot-id", sampleSnapshot, "--create-volume-permission", "Add=[{Account=1}]"}, ExitUsage, "Account"},
		{[]string{"describe-snapshot-attribute", "--snapshot-id", sampleSnapshot}, ExitUsage, "--attribute"},
		{[]string{"reset-snapshot-attribute", "--attribute", "createVolumePermission"}, ExitUsage, "--snapshot-id"},
		{[]string{"modify-ebs-default-kms-key-id"}, ExitUsage, "--kms-key-id"},
		{[]string{"describe-snapshot-attribute", "--snapshot-id", foreignSnapshot, "--attribute", "createVolumePermission"}, ExitService, "AuthFailure"},
		{[]string{"reset-ebs-default-kms-key-id"}, ExitService, "UnsupportedOperation"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newHarness(t)
			_, errOut, code := h.run(tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Fatalf("exit %d %q, want %d mentioning %q", code, errOut, tt.code, tt.want)
			}
			if tt.code == ExitUsage && h.fake.lastReq != nil {
				t.Errorf("a usage error sent %v", h.fake.lastReq)
			}
		})
	}
}

// TestStorageVerbsMatchBotocore checks the keys each verb prints, and
// their order, against EC2's output shapes.
func TestStorageVerbsMatchBotocore(t *testing.T) {
	model := loadShapes(t)
	tests := []struct {
		shape string
		args  []string
	}{
		{"DescribeVolumesModificationsResult", storageVerbs[0]},
		{"DescribeVolumeStatusResult", storageVerbs[1]},
		{"DescribeVolumeAttributeResult", storageVerbs[3]},
		{"DescribeVolumeAttributeResult", storageVerbs[4]},
		{"DescribeSnapshotAttributeResult", storageVerbs[10]},
		{"DescribeSnapshotAttributeResult", storageVerbs[11]},
		{"GetEbsEncryptionByDefaultResult", storageVerbs[13]},
		{"EnableEbsEncryptionByDefaultResult", storageVerbs[14]},
		{"GetEbsDefaultKmsKeyIdResult", storageVerbs[16]},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, errOut, code := newHarness(t).run(append(tt.args, "--output", "json")...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			var doc orderedJSON
			if err := json.Unmarshal([]byte(out), &doc); err != nil {
				t.Fatal(err)
			}
			model.check(t, tt.shape, tt.shape, doc.v)
		})
	}
}

func TestStorageVerbsGolden(t *testing.T) {
	tests := []struct {
		name string
		args []string
	}{
		{"describe-volume-status.json", []string{"describe-volume-status", "--output", "json"}},
		{"describe-volume-status.table", []string{"describe-volume-status", "--output", "table"}},
		{"describe-volumes-modifications.text", []string{"describe-volumes-modifications", "--output", "text"}},
		{"describe-snapshot-attribute.json", []string{"describe-snapshot-attribute", "--snapshot-id", sampleSnapshot,
			"--attribute", "createVolumePermission", "--output", "json"}},
		{"get-ebs-encryption-by-default.text", []string{"get-ebs-encryption-by-default", "--output", "text"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := newHarness(t).run(tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			checkGolden(t, tt.name, out)
		})
	}
}
