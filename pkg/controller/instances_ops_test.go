package controller

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// TestTransitions checks which lifecycle calls each state accepts, where
// they lead, and that refusals name IncorrectInstanceState.
func TestTransitions(t *testing.T) {
	cases := []struct {
		from, call, want, code string
		protect                bool
	}{
		{from: StateRunning, call: "stop", want: StateStopping},
		{from: StatePending, call: "stop", want: StateStopping},
		{from: StateStopped, call: "stop", want: StateStopped},
		{from: StateStopping, call: "stop", want: StateStopping},
		{from: StateTerminated, call: "stop", code: ec2err.IncorrectInstanceState},
		{from: StateShuttingDown, call: "stop", code: ec2err.IncorrectInstanceState},
		{from: StateStopped, call: "start", want: StatePending},
		{from: StateRunning, call: "start", want: StateRunning},
		{from: StatePending, call: "start", want: StatePending},
		{from: StateStopping, call: "start", code: ec2err.IncorrectInstanceState},
		{from: StateTerminated, call: "start", code: ec2err.IncorrectInstanceState},
		{from: StateRunning, call: "terminate", want: StateShuttingDown},
		{from: StateStopped, call: "terminate", want: StateShuttingDown},
		{from: StatePending, call: "terminate", want: StateShuttingDown},
		{from: StateShuttingDown, call: "terminate", want: StateShuttingDown},
		{from: StateTerminated, call: "terminate", want: StateTerminated},
		{from: StateRunning, call: "terminate", protect: true, code: "OperationNotPermitted"},
		{from: StateStopped, call: "reboot", code: ec2err.IncorrectInstanceState},
		{from: StatePending, call: "reboot", code: ec2err.IncorrectInstanceState},
		{from: StateRunning, call: "reboot", want: StateRunning},
	}
	r := newRig(t, 64, hostSpec{vcpus: 32, mem: 32768})
	ctx := ctxFor(acct1)
	for _, c := range cases {
		t.Run(c.call+"-from-"+c.from, func(t *testing.T) {
			id := r.run(t, 1, "lab-1a")[0]
			r.setState(t, id, c.from)
			if c.protect {
				_, _ = update(context.Background(), r.svc.st, prefixInstance+id, func(in *Instance) error {
					in.DisableAPITermination = true
					return nil
				})
			}
			var err error
			switch c.call {
			case "stop":
				_, err = r.svc.StopInstances(ctx, []string{id}, false, false)
			case "start":
				_, err = r.svc.StartInstances(ctx, []string{id}, false)
			case "terminate":
				_, err = r.svc.TerminateInstances(ctx, []string{id}, false)
			case "reboot":
				err = r.svc.RebootInstances(ctx, []string{id}, false)
			}
			if got := errCode(err); got != c.code {
				t.Fatalf("%s from %s: error %q (%v), want %q", c.call, c.from, got, err, c.code)
			}
			want := c.want
			if c.code != "" {
				want = c.from
			}
			if got := r.get(t, id).State; got != want {
				t.Errorf("%s from %s: state %s, want %s", c.call, c.from, got, want)
			}
		})
	}
}

// TestBadIDChangesNothing: one unknown, malformed or wrong-state ID in a
// batch fails the whole call and no instance moves.
func TestBadIDChangesNothing(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	ok := r.run(t, 2, "lab-1a")
	r.setState(t, ok[0], StateRunning)
	r.setState(t, ok[1], StateRunning)
	done := r.run(t, 1, "lab-1a")[0]
	r.setState(t, done, StateTerminated)
	cases := []struct {
		name string
		ids  []string
		code string
	}{
		{"unknown", append([]string{ids.New(ids.Instance)}, ok...), "InvalidInstanceID.NotFound"},
		{"malformed", append(append([]string{}, ok...), "i-nothex!"), "InvalidInstanceID.Malformed"},
		{"terminated-among-running", append(append([]string{}, ok...), done), ec2err.IncorrectInstanceState},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := r.svc.StopInstances(ctx, c.ids, false, false)
			if got := errCode(err); got != c.code {
				t.Fatalf("stop: %q (%v), want %q", got, err, c.code)
			}
			for _, id := range ok {
				if s := r.get(t, id).State; s != StateRunning {
					t.Errorf("%s moved to %s although the call failed", id, s)
				}
			}
		})
	}
	t.Run("dry-run", func(t *testing.T) {
		_, err := r.svc.TerminateInstances(ctx, ok, true)
		if errCode(err) != ec2err.DryRunOperation {
			t.Fatalf("dry run: %v", err)
		}
		if s := r.get(t, ok[0]).State; s != StateRunning {
			t.Errorf("dry run moved %s to %s", ok[0], s)
		}
	})
}

// TestLaunchAndTerminateDriven runs the reconciler's work against the
// fake agent: pending → running (volume made, domain created), a launch
// retried after the controller died half-way, a launch that keeps failing
// ends terminated with a reason, and terminate removes domain and volume.
func TestLaunchAndTerminateDriven(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	ag := r.agents["lab-1a"]
	id := r.run(t, 1, "lab-1a")[0]
	r.drive(id)
	in := r.get(t, id)
	if in.State != StateRunning || ag.domains[id] != "running" || len(ag.volumes) != 1 {
		t.Fatalf("after launch: state %s, domains %v, volumes %v", in.State, ag.domains, ag.volumes)
	}

	// Crash after the domain was made but before the record said running:
	// the retry adopts the domain instead of making a second one.
	again := r.run(t, 1, "lab-1a")[0]
	r.drive(again)
	r.setState(t, again, StatePending)
	before := ag.creates
	r.drive(again)
	if s := r.get(t, again).State; s != StateRunning || ag.creates != before {
		t.Errorf("resumed launch: state %s, %d new domains", s, ag.creates-before)
	}

	doomed := r.run(t, 1, "lab-1a")[0]
	ag.failNext = maxLaunchAttempts
	for i := 0; i < maxLaunchAttempts && r.get(t, doomed).State == StatePending; i++ {
		r.drive(doomed)
	}
	r.drive(doomed) // shutting-down → terminated
	d := r.get(t, doomed)
	if d.State != StateTerminated || d.StateReasonCode != "Server.InternalError" {
		t.Errorf("launch failing %d times: state %s reason %q", maxLaunchAttempts, d.State, d.StateReasonMessage)
	}

	if _, err := r.svc.TerminateInstances(ctx, []string{id}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(id)
	if s := r.get(t, id).State; s != StateTerminated {
		t.Fatalf("terminate: state %s", s)
	}
	if _, ok := ag.domains[id]; ok {
		t.Errorf("domain of terminated %s still exists", id)
	}
	if vols, _, _ := r.svc.DescribeVolumes(ctx, nil, []Filter{{Name: "attachment.instance-id", Values: []string{id}}}, Page{}); len(vols) != 0 {
		t.Errorf("root volume of terminated %s (DeleteOnTermination) still listed: %v", id, vols)
	}
	ch, err := r.svc.TerminateInstances(ctx, []string{id}, false)
	if err != nil || ch[0].State != StateTerminated || ch[0].Previous != StateTerminated {
		t.Errorf("terminate again: %v %v", ch, err)
	}
}

// TestDeadHostImpairs: a host that stops heartbeating turns its zone
// impaired and its instances impaired (shown in the transition reason);
// a heartbeat restores both.
func TestDeadHostImpairs(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	id := r.run(t, 1, "lab-1b")[0]
	r.drive(id)
	base := time.Now()
	r.svc.now = func() time.Time { return base.Add(time.Minute) }
	// lab-1a keeps reporting; lab-1b's agent went silent.
	if err := r.svc.Heartbeat(context.Background(), "h-lab-1a", nil, nil); err != nil {
		t.Fatal(err)
	}
	r.svc.checkHostHealth(context.Background())
	zs, _ := r.svc.Zones(ctx, nil, nil)
	if len(zs) != 2 || zs[0].State != "available" || zs[1].State != "impaired" {
		t.Fatalf("zones %+v, want lab-1a available, lab-1b impaired", zs)
	}
	in := r.get(t, id)
	if !in.Impaired || in.State != StateRunning || in.TransitionReason[:len(impairedPrefix)] != impairedPrefix {
		t.Fatalf("instance on dead host: impaired=%t state=%s reason=%q", in.Impaired, in.State, in.TransitionReason)
	}
	if _, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1b"}); errCode(err) != ec2err.InsufficientInstanceCapacity {
		t.Errorf("launch into impaired zone: %v", err)
	}
	if err := r.svc.Heartbeat(context.Background(), "h-lab-1b", nil, nil); err != nil {
		t.Fatal(err)
	}
	r.svc.checkHostHealth(context.Background())
	if in := r.get(t, id); in.Impaired || in.TransitionReason != "" {
		t.Errorf("after heartbeat: impaired=%t reason=%q", in.Impaired, in.TransitionReason)
	}
	if err := r.svc.Heartbeat(context.Background(), "h-unknown", nil, nil); err == nil {
		t.Error("heartbeat of a host never registered here was accepted")
	}
}
