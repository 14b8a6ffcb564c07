package controller

import (
	"context"
	"fmt"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestRarelySeenCodes provokes the error codes no other test reached, each
// the way a user would meet it, and checks that the refused call recorded
// nothing.
func TestRarelySeenCodes(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	if _, _, err := r.svc.CreateKeyPair(ctx, "dup", "ed25519", nil, false); err != nil {
		t.Fatal(err)
	}
	vpc, err := r.svc.CreateVpc(ctx, "10.50.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	subnet, err := r.svc.CreateSubnet(ctx, vpc.ID, "10.50.1.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	otherVPCGroup, err := r.svc.CreateSecurityGroup(ctx, "elsewhere", "in the default VPC", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	pending := Image{ID: ids.New(ids.Image), Owner: acct1, Name: "half-made", State: "pending", AZ: "lab-1a"}
	if err := put(context.Background(), r.svc.st, prefixImage+pending.ID, pending); err != nil {
		t.Fatal(err)
	}
	lt, _, err := r.svc.CreateLaunchTemplate(ctx, CreateTemplateRequest{Name: "asg", Data: LaunchTemplateData{InstanceType: "lab.tiny", ImageID: r.ami}})
	if err != nil {
		t.Fatal(err)
	}
	tooManyTags := make([]GroupTag, maxGroupTags+1)
	for i := range tooManyTags {
		tooManyTags[i] = GroupTag{Key: fmt.Sprintf("k%d", i), Value: "v"}
	}
	one := 1
	tests := []struct {
		code string
		call func() error
	}{
		{"InvalidKeyPair.Duplicate", func() error {
			_, _, err := r.svc.CreateKeyPair(ctx, "dup", "ed25519", nil, false)
			return err
		}},
		{"InvalidKeyPair.Duplicate", func() error {
			_, err := r.svc.ImportKeyPair(ctx, "dup", []byte("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4 x"), nil, false)
			return err
		}},
		{"InvalidParameter", func() error { // a group of another VPC than the subnet's
			_, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
				SubnetID: subnet.ID, SecurityGroupIDs: []string{otherVPCGroup.ID}})
			return err
		}},
		{"InvalidAMIID.Unavailable", func() error {
			_, err := r.svc.RunInstances(ctx, RunRequest{ImageID: pending.ID, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1})
			return err
		}},
		{"InvalidInstanceType", func() error {
			_, _, err := r.svc.InstanceTypes(ctx, []string{"lab.tiny", "z9.colossal"}, nil, Page{})
			return err
		}},
		{"InvalidHostID.NotFound", func() error { // a heartbeat from a host that never registered
			return r.svc.Heartbeat(ctx, "h-stranger", nil, nil)
		}},
		{"LimitExceeded", func() error {
			return r.svc.CreateAutoScalingGroup(ctx, GroupRequest{Name: "tagged", LaunchTemplate: &LaunchTemplateSpec{ID: lt.ID},
				MinSize: &one, MaxSize: &one, AvailabilityZones: []string{"lab-1a"}, Tags: tooManyTags})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			before, _ := r.svc.st.Revision(context.Background())
			err := tt.call()
			if errCode(err) != tt.code {
				t.Fatalf("got %v, want %s", err, tt.code)
			}
			if after, _ := r.svc.st.Revision(context.Background()); after != before {
				t.Errorf("the refused call committed to the store: revision %d before, %d after", before, after)
			}
		})
	}
}
