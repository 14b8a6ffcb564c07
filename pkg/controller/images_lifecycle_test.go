package controller

import (
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestImageDeprecationAndCancel: another account's deprecated image
// leaves its DescribeImages unless named or IncludeDeprecated; the owner
// keeps seeing it. CancelImageLaunchPermission then removes the grant.
func TestImageDeprecationAndCancel(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192}).wired(t)
	now := r.clock(time.Now().UTC().Truncate(time.Minute))
	share := ImageAttributeChange{ImageID: r.ami, Add: []LaunchPermission{{UserID: acct2}}}
	if err := r.svc.ModifyImageAttribute(ctxFor(acct1), share); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.EnableImageDeprecation(ctxFor(acct2), r.ami, now.Add(time.Hour), false); errCode(err) != ec2err.AuthFailure {
		t.Errorf("deprecate another's image: %v", err)
	}
	if err := r.svc.EnableImageDeprecation(ctxFor(acct1), r.ami, now.Add(-time.Hour), false); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("deprecate in the past: %v", err)
	}
	if err := r.svc.EnableImageDeprecation(ctxFor(acct1), r.ami, now.Add(11*365*24*time.Hour), false); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("deprecate in 11 years: %v", err)
	}
	if err := r.svc.EnableImageDeprecation(ctxFor(acct1), r.ami, now.Add(time.Minute), false); err != nil {
		t.Fatal(err)
	}
	*now = now.Add(2 * time.Minute)
	count := func(acct string, q ImageQuery) int {
		imgs, _, err := r.svc.DescribeImagesWith(ctxFor(acct), q)
		if err != nil {
			t.Fatal(err)
		}
		return len(imgs)
	}
	if n := count(acct2, ImageQuery{}); n != 0 {
		t.Errorf("deprecated shared image listed to acct2: %d", n)
	}
	if count(acct2, ImageQuery{IncludeDeprecated: true}) != 1 || count(acct2, ImageQuery{IDs: []string{r.ami}}) != 1 || count(acct1, ImageQuery{}) != 1 {
		t.Error("a deprecated image must show when named, with IncludeDeprecated, and to its owner")
	}
	if err := r.svc.CancelImageLaunchPermission(ctxFor(acct1), r.ami, false); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("cancel on an own image: %v", err)
	}
	if err := r.svc.CancelImageLaunchPermission(ctxFor(acct2), r.ami, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.CancelImageLaunchPermission(ctxFor(acct2), r.ami, false); errCode(err) != ec2err.InvalidAMIIDNotFound {
		t.Errorf("cancel twice: %v", err)
	}
}
