package controller

import (
	"context"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// TestModifyInstanceAttributeRules: EC2's rules, each with the error a
// user would see, and what a rejected call leaves unchanged.
func TestModifyInstanceAttributeRules(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	running := r.launched(t, RunRequest{})
	stopped := r.launched(t, RunRequest{UserData: []byte("old")})
	r.stopped(t, stopped.ID)
	other, err := r.svc.CreateVpc(ctxFor(acct1), "10.9.0.0/16", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	foreign, err := r.svc.CreateSecurityGroup(ctxFor(acct1), "elsewhere", "another VPC", other.ID, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		c    InstanceAttributeChange
		code string
	}{
		{"nothing", InstanceAttributeChange{InstanceID: running.ID}, "InvalidParameterCombination"},
		{"two members", InstanceAttributeChange{InstanceID: running.ID, DisableAPIStop: new(true), DisableAPITermination: new(true)}, "InvalidParameterCombination"},
		{"attribute and a member", InstanceAttributeChange{InstanceID: running.ID, Attribute: "disableApiStop", Value: new("true"), DisableAPITermination: new(true)}, "InvalidParameterCombination"},
		{"attribute without value", InstanceAttributeChange{InstanceID: running.ID, Attribute: "disableApiStop"}, "MissingParameter"},
		{"value without attribute", InstanceAttributeChange{InstanceID: running.ID, Value: new("true")}, "MissingParameter"},
		{"unknown attribute", InstanceAttributeChange{InstanceID: running.ID, Attribute: "color", Value: new("red")}, "InvalidParameterValue"},
		{"bad boolean", InstanceAttributeChange{InstanceID: running.ID, Attribute: "disableApiStop", Value: new("yes")}, "InvalidParameterValue"},
		{"type while running", InstanceAttributeChange{InstanceID: running.ID, InstanceType: new("t3.small")}, "IncorrectInstanceState"},
		{"user data while running", InstanceAttributeChange{InstanceID: running.ID, UserData: new([]byte("x"))}, "IncorrectInstanceState"},
		{"unknown type", InstanceAttributeChange{InstanceID: stopped.ID, InstanceType: new("z9.huge")}, "InvalidInstanceAttributeValue"},
		{"user data too big", InstanceAttributeChange{InstanceID: stopped.ID, UserData: new(make([]byte, MaxUserData+1))}, "InvalidParameterValue"},
		{"user data not base64", InstanceAttributeChange{InstanceID: stopped.ID, Attribute: "userData", Value: new("%%%")}, "InvalidParameterValue"},
		{"shutdown behaviour", InstanceAttributeChange{InstanceID: running.ID, ShutdownBehavior: new("hibernate")}, "InvalidParameterValue"},
		{"source/dest check not a boolean", InstanceAttributeChange{InstanceID: running.ID, Attribute: "sourceDestCheck", Value: new("off")}, "InvalidParameterValue"},
		{"ENA", InstanceAttributeChange{InstanceID: stopped.ID, EnaSupport: new(true)}, "UnsupportedOperation"},
		{"EBS-optimized", InstanceAttributeChange{InstanceID: stopped.ID, EbsOptimized: new(true)}, "UnsupportedOperation"},
		{"SR-IOV", InstanceAttributeChange{InstanceID: stopped.ID, SriovNetSupport: new("simple")}, "UnsupportedOperation"},
		{"SR-IOV bad value", InstanceAttributeChange{InstanceID: stopped.ID, SriovNetSupport: new("fast")}, "InvalidParameterValue"},
		{"kernel", InstanceAttributeChange{InstanceID: stopped.ID, Kernel: new("aki-12345678")}, "UnsupportedOperation"},
		{"ramdisk", InstanceAttributeChange{InstanceID: stopped.ID, Attribute: "ramdisk", Value: new("ari-12345678")}, "UnsupportedOperation"},
		{"root device name", InstanceAttributeChange{InstanceID: stopped.ID, Attribute: "rootDeviceName", Value: new("/dev/sda1")}, "InvalidParameterValue"},
		{"missing group", InstanceAttributeChange{InstanceID: running.ID, Groups: []string{"sg-0000000000000dead"}}, "InvalidGroup.NotFound"},
		{"malformed group", InstanceAttributeChange{InstanceID: running.ID, Groups: []string{"web"}}, "InvalidGroupId.Malformed"},
		{"group of another VPC", InstanceAttributeChange{InstanceID: running.ID, Groups: []string{foreign.ID}}, "InvalidGroup.NotFound"},
		{"groupSet with a Value", InstanceAttributeChange{InstanceID: running.ID, Attribute: "groupSet", Value: new("sg-1")}, "InvalidParameterCombination"},
		{"no such device", InstanceAttributeChange{InstanceID: running.ID, BlockDevices: []DeviceChange{{DeviceName: "/dev/sdz"}}}, "InvalidInstanceAttributeValue"},
		{"device without name", InstanceAttributeChange{InstanceID: running.ID, BlockDevices: []DeviceChange{{}}}, "MissingParameter"},
		{"add a device", InstanceAttributeChange{InstanceID: running.ID, BlockDevices: []DeviceChange{{DeviceName: "/dev/sdb", VirtualName: "ephemeral0"}}}, "UnsupportedOperation"},
		{"wrong volume", InstanceAttributeChange{InstanceID: running.ID, BlockDevices: []DeviceChange{{DeviceName: "/dev/xvda", VolumeID: "vol-0000000000000dead"}}}, "InvalidParameterValue"},
		{"missing instance", InstanceAttributeChange{InstanceID: "i-0000000000000dead", DisableAPIStop: new(true)}, "InvalidInstanceID.NotFound"},
		{"dry run", InstanceAttributeChange{InstanceID: stopped.ID, InstanceType: new("t3.small"), DryRun: true}, "DryRunOperation"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := []Instance{r.get(t, running.ID), r.get(t, stopped.ID)}
			err := r.svc.ModifyInstanceAttribute(ctxFor(acct1), tt.c)
			if errCode(err) != tt.code {
				t.Fatalf("error %v, want %s", err, tt.code)
			}
			if err != nil && err.Error() == "" {
				t.Error("empty message")
			}
			for _, b := range before {
				if got := r.get(t, b.ID); !sameAttributes(got, b) {
					t.Errorf("a refused call changed %s: %+v", b.ID, got)
				}
			}
		})
	}
	if err := r.svc.ModifyInstanceAttribute(ctxFor(acct2), InstanceAttributeChange{InstanceID: running.ID,
		DisableAPIStop: new(true)}); errCode(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("another account: %v", err)
	}
}

// sameAttributes compares what ModifyInstanceAttribute may change.
func sameAttributes(a, b Instance) bool {
	return a.Type == b.Type && string(a.UserData) == string(b.UserData) && a.DisableAPIStop == b.DisableAPIStop &&
		a.DisableAPITermination == b.DisableAPITermination && a.ShutdownBehavior == b.ShutdownBehavior &&
		slices.Equal(a.SecurityGroups, b.SecurityGroups) && slices.EqualFunc(a.BlockDevices, b.BlockDevices,
		func(x, y BlockDevice) bool { return x.DeleteOnTermination == y.DeleteOnTermination }) && a.Redefine == b.Redefine
}

// TestProtectionFlagsAreEnforced: disableApiTermination and disableApiStop
// set by ModifyInstanceAttribute (either form) hold off TerminateInstances
// and StopInstances with EC2's error, and clearing them lets them through.
func TestProtectionFlagsAreEnforced(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{})
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID, DisableAPITermination: new(true)}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID, Attribute: "disableApiStop", Value: new("True")}); err != nil {
		t.Fatal(err)
	}
	_, err := r.svc.TerminateInstances(ctx, []string{in.ID}, false)
	if errCode(err) != "OperationNotPermitted" || err.Error() != "OperationNotPermitted: The instance '"+in.ID+
		"' may not be terminated. Modify its 'disableApiTermination' instance attribute and try again." {
		t.Errorf("terminate a protected instance: %v", err)
	}
	if _, err := r.svc.StopInstances(ctx, []string{in.ID}, false, false); errCode(err) != "OperationNotPermitted" {
		t.Errorf("stop a protected instance: %v", err)
	}
	if st := r.get(t, in.ID).State; st != StateRunning {
		t.Fatalf("state %s after refused calls", st)
	}
	for _, c := range []InstanceAttributeChange{{InstanceID: in.ID, DisableAPIStop: new(false)},
		{InstanceID: in.ID, Attribute: "disableApiTermination", Value: new("false")}} {
		if err := r.svc.ModifyInstanceAttribute(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	r.stopped(t, in.ID)
	if _, err := r.svc.TerminateInstances(ctx, []string{in.ID}, false); err != nil {
		t.Errorf("terminate after clearing: %v", err)
	}
	r.drive(in.ID)
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID,
		DisableAPIStop: new(true)}); errCode(err) != "IncorrectInstanceState" {
		t.Errorf("modify a terminated instance: %v", err)
	}
}

// TestTypeAndUserDataReachTheDomain: a stopped instance's new type and
// user data are recorded, and its next start defines its domain anew with
// them (the old definition is dropped first).
func TestTypeAndUserDataReachTheDomain(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{UserData: []byte("v1")})
	r.stopped(t, in.ID)
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID, InstanceType: new("t3.small")}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID, Attribute: "userData",
		Value: new("djI=")}); err != nil { // "v2"
		t.Fatal(err)
	}
	rec := r.get(t, in.ID)
	if rec.Type != "t3.small" || string(rec.UserData) != "v2" || rec.CPUCredits != CreditsUnlimited || !rec.Redefine {
		t.Fatalf("record after modify: type %s user data %q credits %q redefine %v", rec.Type, rec.UserData, rec.CPUCredits, rec.Redefine)
	}
	if _, err := r.svc.StartInstances(ctx, []string{in.ID}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(in.ID)
	ag := r.agents["lab-1a"]
	ag.mu.Lock()
	spec, destroyed := ag.created[in.ID], slices.Clone(ag.destroyed)
	ag.mu.Unlock()
	if !slices.Contains(destroyed, in.ID) {
		t.Errorf("the outdated domain was not dropped (destroyed %v)", destroyed)
	}
	if spec.GetInstanceType() != "t3.small" || spec.GetVcpus() != 2 || spec.GetMemoryMib() != 2048 || string(spec.GetUserData()) != "v2" {
		t.Errorf("domain defined as %s with %d vCPUs, %d MiB, user data %q; want t3.small, 2, 2048, v2",
			spec.GetInstanceType(), spec.GetVcpus(), spec.GetMemoryMib(), spec.GetUserData())
	}
	if got := r.get(t, in.ID); got.State != StateRunning || got.Redefine {
		t.Errorf("after start: state %s redefine %v", got.State, got.Redefine)
	}
}

// TestGroupsChangeLive: new groups of a running instance are recorded and
// reach its host's firewall at once.
func TestGroupsChangeLive(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{})
	web, err := r.svc.CreateSecurityGroup(ctx, "web", "web servers", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	def := r.group(t, DefaultGroupName)
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID,
		Groups: []string{web.ID, def.ID, web.ID}}); err != nil {
		t.Fatal(err)
	}
	got, _ := r.svc.DescribeInstanceAttribute(ctx, in.ID, "groupSet", false)
	if want := []GroupRef{{ID: web.ID, Name: "web"}, {ID: def.ID, Name: DefaultGroupName}}; !slices.Equal(got.Groups, want) {
		t.Errorf("groupSet %v, want %v", got.Groups, want)
	}
	fw := r.agents["lab-1a"].lastFirewall()
	if fw == nil || len(fw.Ports) != 1 || !slices.Equal(fw.Ports[0].Groups, []string{web.ID, def.ID}) {
		t.Fatalf("host firewall ports %v, want %s in %s and %s", fw.GetPorts(), in.ID, web.ID, def.ID)
	}
	if err := r.svc.DeleteSecurityGroup(ctx, web.ID, "", false); errCode(err) != "DependencyViolation" {
		t.Errorf("delete a group the instance now uses: %v", err)
	}
}

// TestSourceDestCheckLive: turning a running instance's
// source/destination check off shows in its attribute, its network
// interface (and the source-dest-check filter) and its host's firewall at
// once; ResetInstanceAttribute turns it back on everywhere.
func TestSourceDestCheckLive(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{})
	check := func(want bool) {
		t.Helper()
		a, err := r.svc.DescribeInstanceAttribute(ctx, in.ID, "sourceDestCheck", false)
		if err != nil || a.Bool == nil || *a.Bool != want {
			t.Errorf("sourceDestCheck attribute %v (%v), want %v", a.Bool, err, want)
		}
		nis, _, err := r.svc.DescribeNetworkInterfaces(ctx, nil,
			[]Filter{{"source-dest-check", []string{strconv.FormatBool(want)}}}, Page{})
		if err != nil || len(nis) != 1 || nis[0].SourceDestCheck != want {
			t.Errorf("interfaces with source-dest-check=%v: %+v (%v)", want, nis, err)
		}
		fw := r.agents["lab-1a"].lastFirewall()
		if len(fw.GetPorts()) != 1 || fw.GetPorts()[0].GetSourceDestCheckOff() == want {
			t.Errorf("host firewall ports %v, want the check on: %v", fw.GetPorts(), want)
		}
	}
	r.svc.firewallChanged(context.Background())
	check(true)
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID, SourceDestCheck: new(false)}); err != nil {
		t.Fatal(err)
	}
	check(false)
	if err := r.svc.ResetInstanceAttribute(ctx, in.ID, "sourceDestCheck", false); err != nil {
		t.Fatal(err)
	}
	check(true)
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID,
		Attribute: "sourceDestCheck", Value: new("false")}); err != nil {
		t.Fatal(err)
	}
	check(false)
}

// TestDeleteOnTerminationChange: a root volume set to stay outlives its
// instance; DescribeVolumes shows the new flag before.
func TestDeleteOnTerminationChange(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	in := r.launched(t, RunRequest{})
	vol := in.BlockDevices[0].VolumeID
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in.ID,
		BlockDevices: []DeviceChange{{DeviceName: "/dev/xvda", VolumeID: vol, DeleteOnTermination: new(false)}}}); err != nil {
		t.Fatal(err)
	}
	v, _, err := store.GetJSON[Volume](context.Background(), r.svc.st, prefixVolume+vol)
	if err != nil || v.Attachment == nil || v.Attachment.DeleteOnTermination {
		t.Fatalf("volume attachment after modify: %+v %v", v.Attachment, err)
	}
	if _, err := r.svc.TerminateInstances(ctx, []string{in.ID}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(in.ID)
	v, _, err = store.GetJSON[Volume](context.Background(), r.svc.st, prefixVolume+vol)
	if err != nil || v.State != "available" || v.Attachment != nil {
		t.Errorf("root volume after terminate: %+v %v, want it kept, available", v, err)
	}
	// Omitted DeleteOnTermination reads as true.
	in2 := r.launched(t, RunRequest{})
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in2.ID,
		BlockDevices: []DeviceChange{{DeviceName: "/dev/xvda", DeleteOnTermination: new(false)}}}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: in2.ID,
		Attribute: "blockDeviceMapping", BlockDevices: []DeviceChange{{DeviceName: "/dev/xvda"}}}); err != nil {
		t.Fatal(err)
	}
	if !r.get(t, in2.ID).BlockDevices[0].DeleteOnTermination {
		t.Error("DeleteOnTermination omitted did not read as true")
	}
}

// TestShutdownBehaviorTerminate: a guest that powers itself off is
// terminated when its behaviour is terminate (DisableApiTermination does
// not stand in the way, as on EC2), and stopped when it is stop.
func TestShutdownBehaviorTerminate(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	term := r.launched(t, RunRequest{DisableAPITermination: true})
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: term.ID,
		Attribute: "instanceInitiatedShutdownBehavior", Value: new("terminate")}); err != nil {
		t.Fatal(err)
	}
	stop := r.launched(t, RunRequest{ShutdownBehavior: ShutdownTerminate})
	if err := r.svc.ModifyInstanceAttribute(ctx, InstanceAttributeChange{InstanceID: stop.ID,
		ShutdownBehavior: new("stop")}); err != nil {
		t.Fatal(err)
	}
	for _, in := range []Instance{term, stop} {
		r.agents["lab-1a"].mu.Lock()
		r.agents["lab-1a"].domains[in.ID] = "stopped" // the guest ran poweroff
		r.agents["lab-1a"].mu.Unlock()
		r.svc.observe(context.Background(), in.HostID, in.ID, "stopped", "shutdown by guest", seenByEvent)
	}
	want := map[string]string{term.ID: StateTerminated, stop.ID: StateStopped}
	deadline := time.Now().Add(5 * time.Second)
	for id, st := range want {
		for r.get(t, id).State != st && time.Now().Before(deadline) {
			time.Sleep(10 * time.Millisecond)
		}
		if got := r.get(t, id); got.State != st || got.StateReasonCode != "Client.InstanceInitiatedShutdown" {
			t.Errorf("%s after the guest's poweroff: %s (%s), want %s by the guest", id, got.State, got.StateReasonCode, st)
		}
	}
}
