package controller

import (
	"context"
	"encoding/base64"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// launched runs one instance for acct1 in lab-1a with req's extras and
// drives it to running.
func (r *rig) launched(t *testing.T, req RunRequest) Instance {
	t.Helper()
	req.ImageID, req.MinCount, req.MaxCount, req.AZ = r.ami, 1, 1, "lab-1a"
	if req.InstanceType == "" {
		req.InstanceType = "lab.tiny"
	}
	res, err := r.svc.RunInstances(ctxFor(acct1), req)
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	id := res.Instances[0].ID
	r.drive(id)
	if in := r.get(t, id); in.State != StateRunning {
		t.Fatalf("state %s after launch", in.State)
	}
	return r.get(t, id)
}

// stopped stops a running instance and drives the stop.
func (r *rig) stopped(t *testing.T, id string) {
	t.Helper()
	if _, err := r.svc.StopInstances(ctxFor(acct1), []string{id}, false, false); err != nil {
		t.Fatalf("StopInstances: %v", err)
	}
	r.drive(id)
	if st := r.get(t, id).State; st != StateStopped {
		t.Fatalf("state %s after stop", st)
	}
}

// TestDescribeInstanceAttributeEveryAttribute: each of EC2's attributes is
// answered from the instance's record, in the member EC2 uses.
func TestDescribeInstanceAttributeEveryAttribute(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	in := r.launched(t, RunRequest{UserData: []byte("#!/bin/sh\necho hi\n"), DisableAPITermination: true,
		ShutdownBehavior: ShutdownTerminate})
	def := r.group(t, DefaultGroupName)
	tests := []struct {
		attr  string
		value string // "" with want nil Value
		flag  *bool
	}{
		{"instanceType", "lab.tiny", nil},
		{"userData", base64.StdEncoding.EncodeToString([]byte("#!/bin/sh\necho hi\n")), nil},
		{"disableApiTermination", "", new(true)},
		{"disableApiStop", "", new(false)},
		{"instanceInitiatedShutdownBehavior", "terminate", nil},
		{"rootDeviceName", "/dev/xvda", nil},
		{"kernel", "", nil},
		{"ramdisk", "", nil},
		{"sourceDestCheck", "", new(true)},
		{"ebsOptimized", "", new(false)},
		{"enaSupport", "", new(false)},
		{"enclaveOptions", "", new(false)},
		{"sriovNetSupport", "", nil},
		{"productCodes", "", nil},
		{"groupSet", "", nil},
		{"blockDeviceMapping", "", nil},
	}
	if len(tests) != len(InstanceAttributeNames) {
		t.Fatalf("table covers %d attributes, EC2 has %d", len(tests), len(InstanceAttributeNames))
	}
	for _, tt := range tests {
		t.Run(tt.attr, func(t *testing.T) {
			got, err := r.svc.DescribeInstanceAttribute(ctxFor(acct1), in.ID, tt.attr, false)
			if err != nil {
				t.Fatal(err)
			}
			if got.InstanceID != in.ID || got.Name != tt.attr {
				t.Errorf("answer names %s/%s", got.InstanceID, got.Name)
			}
			if (got.Value == nil) != (tt.value == "") || got.Value != nil && *got.Value != tt.value {
				t.Errorf("value %v, want %q", got.Value, tt.value)
			}
			if (got.Bool == nil) != (tt.flag == nil) || got.Bool != nil && *got.Bool != *tt.flag {
				t.Errorf("bool %v, want %v", got.Bool, tt.flag)
			}
		})
	}
	groups, _ := r.svc.DescribeInstanceAttribute(ctxFor(acct1), in.ID, "groupSet", false)
	if len(groups.Groups) != 1 || groups.Groups[0].ID != def.ID || groups.Groups[0].Name != DefaultGroupName {
		t.Errorf("groupSet %v, want the default group %s", groups.Groups, def.ID)
	}
	bdm, _ := r.svc.DescribeInstanceAttribute(ctxFor(acct1), in.ID, "blockDeviceMapping", false)
	if len(bdm.BlockDevices) != 1 || bdm.BlockDevices[0].DeviceName != "/dev/xvda" || !bdm.BlockDevices[0].DeleteOnTermination ||
		bdm.BlockDevices[0].VolumeID != in.BlockDevices[0].VolumeID {
		t.Errorf("blockDeviceMapping %+v", bdm.BlockDevices)
	}
	for _, c := range []struct{ id, attr, code string }{
		{in.ID, "bogus", "InvalidParameterValue"},
		{"i-0000000000000dead", "userData", "InvalidInstanceID.NotFound"},
		{"x-1", "userData", "InvalidInstanceID.Malformed"},
	} {
		if _, err := r.svc.DescribeInstanceAttribute(ctxFor(acct1), c.id, c.attr, false); errCode(err) != c.code {
			t.Errorf("%s %s: %v, want %s", c.id, c.attr, err, c.code)
		}
	}
	if _, err := r.svc.DescribeInstanceAttribute(ctxFor(acct2), in.ID, "userData", false); errCode(err) != "InvalidInstanceID.NotFound" {
		t.Errorf("another account's instance: %v", err)
	}
	if _, err := r.svc.DescribeInstanceAttribute(ctxFor(acct1), in.ID, "userData", true); errCode(err) != "DryRunOperation" {
		t.Errorf("dry run: %v", err)
	}
}

// TestRunInstancesShutdownBehavior: RunInstances records the behaviour and
// refuses values EC2 does not have.
func TestRunInstancesShutdownBehavior(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	_, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1,
		ShutdownBehavior: "hibernate"})
	if errCode(err) != "InvalidParameterValue" {
		t.Errorf("ShutdownBehavior hibernate: %v", err)
	}
	in := r.launched(t, RunRequest{})
	got, _ := r.svc.DescribeInstanceAttribute(ctxFor(acct1), in.ID, "instanceInitiatedShutdownBehavior", false)
	if got.Value == nil || *got.Value != "stop" {
		t.Errorf("default behaviour %v, want stop", got.Value)
	}
}

// TestAttributesSurviveRestart: a modified attribute is in the store, so a
// controller started over it answers the same.
func TestAttributesSurviveRestart(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	in := r.launched(t, RunRequest{})
	if err := r.svc.ModifyInstanceAttribute(ctxFor(acct1), InstanceAttributeChange{InstanceID: in.ID,
		ShutdownBehavior: new("terminate")}); err != nil {
		t.Fatal(err)
	}
	again, err := New(r.svc.cfg, r.svc.cache.Store, r.svc.log) // a fresh cache over the same database
	if err != nil {
		t.Fatal(err)
	}
	got, err := again.DescribeInstanceAttribute(ctxFor(acct1), in.ID, "instanceInitiatedShutdownBehavior", false)
	if err != nil || got.Value == nil || *got.Value != "terminate" {
		t.Errorf("after a restart: %v %v, want terminate", got.Value, err)
	}
	rec, _, _ := store.GetJSON[Instance](context.Background(), r.svc.st, prefixInstance+in.ID)
	if rec.ShutdownBehavior != ShutdownTerminate {
		t.Errorf("stored behaviour %q", rec.ShutdownBehavior)
	}
}
