package controller

import (
	"fmt"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestRequestChecks: the checks of request shape that both edges rely on
// live here (the Query API no longer repeats them), and a dry run of a bad
// request answers the error, not DryRunOperation.
func TestRequestChecks(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	tests := []struct {
		name string
		call func(dry bool) error
		code string
	}{
		{"RunInstances MinCount above MaxCount", func(dry bool) error {
			_, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 2, MaxCount: 1, DryRun: dry})
			return err
		}, ec2err.InvalidParameterValue},
		{"CreateVolume without size or snapshot", func(dry bool) error {
			_, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", DryRun: dry})
			return err
		}, ec2err.MissingParameter},
		{"DeleteKeyPair without name or id", func(dry bool) error {
			return r.svc.DeleteKeyPair(ctx, "", "", dry)
		}, ec2err.MissingParameter},
		{"DeleteSecurityGroup without id or name", func(dry bool) error {
			return r.svc.DeleteSecurityGroup(ctx, "", "", dry)
		}, ec2err.MissingParameter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, dry := range []bool{false, true} {
				if got := errCode(tt.call(dry)); got != tt.code {
					t.Errorf("dry=%v: code %q, want %q", dry, got, tt.code)
				}
			}
		})
	}
}

// TestTagAndKeyNameLimits: TagSpecifications obey the 50-tag limit that
// CreateTags has (51 passed before), and key names are printable ASCII
// (NUL and control characters passed before, and came back different);
// a refused request records nothing.
func TestTagAndKeyNameLimits(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	many := make([]Tag, maxTags+1)
	for i := range many {
		many[i] = Tag{Key: fmt.Sprintf("k%02d", i), Value: "v"}
	}
	tests := []struct {
		name string
		call func() error
		code string
	}{
		{"RunInstances with 51 instance tags", func() error {
			_, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
				Tags: map[string][]Tag{"instance": many}})
			return err
		}, ec2err.TagLimitExceeded},
		{"RunInstances with a reserved volume tag", func() error {
			_, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
				Tags: map[string][]Tag{"volume": {{Key: "aws:owner", Value: "x"}}}})
			return err
		}, ec2err.InvalidParameterValue},
		{"CreateVolume with 51 tags", func() error {
			_, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 1, Tags: many})
			return err
		}, ec2err.TagLimitExceeded},
		{"key name with NUL", func() error {
			_, _, err := r.svc.CreateKeyPair(ctx, "lab\x00key", "ed25519", nil, false)
			return err
		}, ec2err.InvalidParameterValue},
		{"key name with a tab", func() error {
			_, err := r.svc.ImportKeyPair(ctx, "lab\tkey", []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4 x"), nil, false)
			return err
		}, ec2err.InvalidParameterValue},
		{"key name not ASCII", func() error {
			_, _, err := r.svc.CreateKeyPair(ctx, "clé", "ed25519", nil, false)
			return err
		}, ec2err.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := r.count(t)
			if got := errCode(tt.call()); got != tt.code {
				t.Errorf("code %q, want %q", got, tt.code)
			}
			if r.count(t) != n {
				t.Errorf("a refused request launched %d instances", r.count(t)-n)
			}
		})
	}
	if _, _, err := r.svc.CreateKeyPair(ctx, "lab key-1_ok.", "ed25519", nil, false); err != nil {
		t.Errorf("a printable ASCII key name was refused: %v", err)
	}
}
