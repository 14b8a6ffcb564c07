package api

import (
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// TestRecordedMembersOut: the members of issue #16 the controller records
// or computes reach the protos, and stay unset when it has none.
func TestRecordedMembersOut(t *testing.T) {
	done := time.Date(2026, 3, 1, 10, 1, 30, 0, time.UTC)
	if s := snapshotOut(controller.Snapshot{ID: "snap-1", State: "completed", CompletionTime: done}); !s.GetCompletionTime().AsTime().Equal(done) {
		t.Errorf("completed snapshot: completion time %v, want %v", s.GetCompletionTime(), done)
	}
	if s := snapshotOut(controller.Snapshot{ID: "snap-1", State: "pending"}); s.GetCompletionTime() != nil {
		t.Errorf("pending snapshot: completion time %v, want none", s.GetCompletionTime())
	}
	img := imageOut(controller.Image{ID: "ami-1", SourceInstanceID: "i-1", LastLaunchedTime: done, DeregistrationProtection: "disabled"})
	if img.GetSourceInstanceId() != "i-1" || !img.GetLastLaunchedTime().AsTime().Equal(done) || img.GetDeregistrationProtection() != "disabled" {
		t.Errorf("image: %v", img)
	}
	if img := imageOut(controller.Image{ID: "ami-1"}); img.GetSourceInstanceId() != "" || img.GetLastLaunchedTime() != nil {
		t.Errorf("registered image never launched: %v", img)
	}
	if g := groupOut(controller.SecurityGroup{ID: "sg-1", ARN: "arn:aws:ec2:lab-1:111111111111:security-group/sg-1"}); g.GetSecurityGroupArn() != "arn:aws:ec2:lab-1:111111111111:security-group/sg-1" {
		t.Errorf("security group ARN %q", g.GetSecurityGroupArn())
	}
	if g := placementGroupOut(controller.PlacementGroup{Name: "rack-1", ARN: "arn:aws:ec2:lab-1:111111111111:placement-group/rack-1"}); g.GetGroupArn() != "arn:aws:ec2:lab-1:111111111111:placement-group/rack-1" {
		t.Errorf("placement group ARN %q", g.GetGroupArn())
	}
}
