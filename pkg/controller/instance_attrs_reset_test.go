package controller

import "testing"

// TestResetInstanceAttribute: EC2's rules (kernel and ramdisk only while
// stopped, sourceDestCheck running or stopped, three attributes only), and
// afterwards the attribute reads its default.
func TestResetInstanceAttribute(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	running := r.launched(t, RunRequest{})
	stopped := r.launched(t, RunRequest{})
	r.stopped(t, stopped.ID)
	tests := []struct {
		name, id, attr string
		dry            bool
		code           string
	}{
		{"kernel of a stopped instance", stopped.ID, "kernel", false, ""},
		{"ramdisk of a stopped instance", stopped.ID, "ramdisk", false, ""},
		{"source/dest check of a running instance", running.ID, "sourceDestCheck", false, ""},
		{"source/dest check of a stopped instance", stopped.ID, "sourceDestCheck", false, ""},
		{"kernel of a running instance", running.ID, "kernel", false, "IncorrectInstanceState"},
		{"ramdisk of a running instance", running.ID, "ramdisk", false, "IncorrectInstanceState"},
		{"instance type", stopped.ID, "instanceType", false, "InvalidParameterValue"},
		{"unknown attribute", stopped.ID, "color", false, "InvalidParameterValue"},
		{"no attribute", stopped.ID, "", false, "MissingParameter"},
		{"missing instance", "i-0000000000000dead", "kernel", false, "InvalidInstanceID.NotFound"},
		{"malformed instance", "i-zz", "kernel", false, "InvalidInstanceID.Malformed"},
		{"dry run", stopped.ID, "kernel", true, "DryRunOperation"},
		{"dry run of a refused reset", running.ID, "kernel", true, "IncorrectInstanceState"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := r.svc.ResetInstanceAttribute(ctx, tt.id, tt.attr, tt.dry); errCode(err) != tt.code {
				t.Fatalf("error %v, want %q", err, tt.code)
			}
			if tt.code != "" {
				return
			}
			a, err := r.svc.DescribeInstanceAttribute(ctx, tt.id, tt.attr, false)
			switch {
			case err != nil:
				t.Fatal(err)
			case tt.attr == "sourceDestCheck" && (a.Bool == nil || !*a.Bool):
				t.Errorf("sourceDestCheck after the reset: %v, want true", a.Bool)
			case tt.attr != "sourceDestCheck" && a.Value != nil:
				t.Errorf("%s after the reset: %q, want the image's (none)", tt.attr, *a.Value)
			}
		})
	}
	r.setState(t, stopped.ID, StateTerminated)
	if err := r.svc.ResetInstanceAttribute(ctx, stopped.ID, "sourceDestCheck", false); errCode(err) != "IncorrectInstanceState" {
		t.Errorf("terminated: %v, want IncorrectInstanceState", err)
	}
}
