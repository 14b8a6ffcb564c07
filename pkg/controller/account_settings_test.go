package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestSerialConsoleAccess: access is on until the account turns it off;
// off, OpenConsole refuses the account's instances with
// SerialConsoleAccessDisabled while another account's access is
// untouched; on again, sessions are let through.
func TestSerialConsoleAccess(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{})
	access := func(acct string) bool {
		t.Helper()
		on, err := r.svc.SerialConsoleAccess(ctxFor(acct), false)
		if err != nil {
			t.Fatal(err)
		}
		return on
	}
	if !access(acct1) {
		t.Fatal("serial console access is off before anyone turned it off")
	}
	if _, err := r.svc.SetSerialConsoleAccess(ctx, false, true); errCode(err) != ec2err.DryRunOperation || !access(acct1) {
		t.Fatalf("dry run: %v, access %v", err, access(acct1))
	}
	if on, err := r.svc.SetSerialConsoleAccess(ctx, false, false); err != nil || on || access(acct1) {
		t.Fatalf("disable: %v %v", on, err)
	}
	if !access(acct2) {
		t.Error("disabling for account 1 turned it off for account 2")
	}
	if _, err := r.svc.OpenConsole(ctx, in.ID); errCode(err) != ec2err.SerialConsoleAccessDisabled {
		t.Errorf("OpenConsole with access off: %v, want SerialConsoleAccessDisabled", err)
	}
	if on, err := r.svc.SetSerialConsoleAccess(ctx, true, false); err != nil || !on {
		t.Fatalf("enable: %v %v", on, err)
	}
	// (The fake host has no console: the real session is the e2e tests'.)
	if err := r.svc.checkSerialConsoleAccess(ctx, acct1); err != nil {
		t.Errorf("access on again: %v", err)
	}
}

// TestInstanceMetadataDefaults: an account's defaults fill the metadata
// options a launch leaves unset (the launch's own win); no-preference
// clears one; running instances keep theirs; bad values change nothing.
func TestInstanceMetadataDefaults(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	shareAMI(t, r)
	ctx := ctxFor(acct1)
	before := r.launched(t, RunRequest{})
	hop := int32(3)
	if err := r.svc.ModifyInstanceMetadataDefaults(ctx, MetadataDefaultsChange{HTTPTokens: HTTPTokensRequired, HopLimit: &hop}, false); err != nil {
		t.Fatal(err)
	}
	d, err := r.svc.InstanceMetadataDefaults(ctx, false)
	if err != nil || d != (MetadataDefaults{HTTPTokens: HTTPTokensRequired, HopLimit: 3}) {
		t.Fatalf("defaults %+v %v", d, err)
	}
	got := r.launched(t, RunRequest{}).Metadata
	if got.HTTPTokens != HTTPTokensRequired || got.HopLimit != 3 || got.HTTPEndpoint != HTTPEndpointEnabled {
		t.Errorf("launch under the defaults: %+v, want tokens required, hop limit 3, endpoint enabled", got)
	}
	own := r.launched(t, RunRequest{MetadataOptions: MetadataOptionsRequest{HTTPTokens: HTTPTokensOptional}}).Metadata
	if own.HTTPTokens != HTTPTokensOptional || own.HopLimit != 3 {
		t.Errorf("launch naming its tokens: %+v, want its optional and the default hop limit 3", own)
	}
	if m := r.get(t, before.ID).Metadata.WithDefaults(); m.HTTPTokens != HTTPTokensOptional {
		t.Errorf("an instance launched before the defaults changed: %+v", m)
	}
	other := r.launchedBy(t, acct2)
	if other.Metadata.WithDefaults().HTTPTokens != HTTPTokensOptional {
		t.Errorf("account 2's launch took account 1's defaults: %+v", other.Metadata)
	}
	clear := int32(-1)
	if err := r.svc.ModifyInstanceMetadataDefaults(ctx, MetadataDefaultsChange{HTTPTokens: NoPreference, HopLimit: &clear}, false); err != nil {
		t.Fatal(err)
	}
	if d, _ := r.svc.InstanceMetadataDefaults(ctx, false); d != (MetadataDefaults{}) {
		t.Errorf("after no-preference: %+v", d)
	}
	bad := int32(65)
	for _, c := range []struct {
		name string
		ch   MetadataDefaultsChange
		code string
	}{
		{"nothing", MetadataDefaultsChange{}, ec2err.MissingParameter},
		{"tokens", MetadataDefaultsChange{HTTPTokens: "sometimes"}, ec2err.InvalidParameterValue},
		{"endpoint", MetadataDefaultsChange{HTTPEndpoint: "on"}, ec2err.InvalidParameterValue},
		{"hop limit", MetadataDefaultsChange{HopLimit: &bad}, ec2err.InvalidParameterValue},
		{"tags", MetadataDefaultsChange{InstanceMetadataTags: "enabled"}, ec2err.UnsupportedOperation},
		{"enforced", MetadataDefaultsChange{HTTPTokensEnforced: "enabled"}, ec2err.UnsupportedOperation},
	} {
		if err := r.svc.ModifyInstanceMetadataDefaults(ctx, c.ch, false); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
		if d, _ := r.svc.InstanceMetadataDefaults(ctx, false); d != (MetadataDefaults{}) {
			t.Errorf("%s: a refused change changed the defaults: %+v", c.name, d)
		}
	}
}

// launchedBy launches one running lab.tiny instance for acct.
func (r *rig) launchedBy(t *testing.T, acct string) Instance {
	t.Helper()
	res, err := r.svc.RunInstances(ctxFor(acct), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1a"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Instances[0]
}

// TestDefaultCreditSpecification: each burstable family starts with EC2's
// default (standard for t2, unlimited for the rest); an account's default
// applies to its launches of the family that name no credit option.
func TestDefaultCreditSpecification(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	for family, want := range map[string]string{"t2": CreditsStandard, "t3": CreditsUnlimited, "t3a": CreditsUnlimited, "t4g": CreditsUnlimited} {
		if got, err := r.svc.DefaultCreditSpecification(ctx, family, false); err != nil || got != want {
			t.Errorf("%s: %q %v, want %s", family, got, err, want)
		}
	}
	if got, err := r.svc.ModifyDefaultCreditSpecification(ctx, "t3", CreditsStandard, false); err != nil || got != CreditsStandard {
		t.Fatalf("modify: %q %v", got, err)
	}
	if in := r.launched(t, RunRequest{InstanceType: "t3.micro"}); in.CPUCredits != CreditsStandard {
		t.Errorf("t3.micro under a standard default: %q", in.CPUCredits)
	}
	if in := r.launched(t, RunRequest{InstanceType: "t3.micro", CPUCredits: CreditsUnlimited}); in.CPUCredits != CreditsUnlimited {
		t.Errorf("t3.micro naming unlimited: %q", in.CPUCredits)
	}
	if got, _ := r.svc.DefaultCreditSpecification(ctxFor(acct2), "t3", false); got != CreditsUnlimited {
		t.Errorf("account 2's t3 default: %q", got)
	}
	for _, c := range []struct{ family, credits, code string }{
		{"", CreditsStandard, ec2err.MissingParameter},
		{"m5", CreditsStandard, ec2err.InvalidParameterValue},
		{"t3", "", ec2err.MissingParameter},
		{"t3", "boosted", ec2err.InvalidParameterValue},
	} {
		if _, err := r.svc.ModifyDefaultCreditSpecification(ctx, c.family, c.credits, false); errCode(err) != c.code {
			t.Errorf("%q %q: %v, want %s", c.family, c.credits, err, c.code)
		}
	}
	if got, _ := r.svc.DefaultCreditSpecification(ctx, "t3", false); got != CreditsStandard {
		t.Errorf("refused changes changed the default: %q", got)
	}
}

// TestIDFormats: every resource type answers long IDs; one resource is
// answered alone, an unknown one refused; the identity form takes the
// caller's own principals only.
func TestIDFormats(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	all, err := r.svc.IDFormats(ctx, "")
	if err != nil || len(all) != len(idFormatResources) {
		t.Fatalf("all: %d %v", len(all), err)
	}
	for _, f := range all {
		if !f.UseLongIDs {
			t.Errorf("%s uses short IDs", f.Resource)
		}
	}
	if one, err := r.svc.IDFormats(ctx, "volume"); err != nil || len(one) != 1 || one[0] != (IDFormat{"volume", true}) {
		t.Errorf("volume: %v %v", one, err)
	}
	if _, err := r.svc.IDFormats(ctx, "spaceship"); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("unknown resource: %v", err)
	}
	if _, agg, err := r.svc.AggregateIDFormats(ctx, false); err != nil || !agg {
		t.Errorf("aggregate: %v %v", agg, err)
	}
	for _, c := range []struct{ arn, code string }{
		{"arn:aws:iam::" + acct1 + ":root", ""},
		{"arn:aws:iam::" + acct1 + ":user/alice", ""},
		{"arn:aws:iam::" + acct2 + ":root", ec2err.InvalidParameterValue},
		{"", ec2err.MissingParameter},
	} {
		if _, err := r.svc.IdentityIDFormats(ctx, "instance", c.arn); errCode(err) != c.code {
			t.Errorf("%q: %v, want %q", c.arn, err, c.code)
		}
	}
}
