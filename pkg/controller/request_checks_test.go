package controller

import (
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
