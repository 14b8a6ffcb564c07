package controller

import (
	"fmt"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

func (r *rig) count(t *testing.T) int {
	t.Helper()
	all, err := store.ListJSON[Instance](ctxFor(acct1), r.svc.st, prefixInstance)
	if err != nil {
		t.Fatal(err)
	}
	return len(all)
}

// TestClientToken: a retried RunInstances with the same token and
// parameters returns the same instances and launches none; changed
// parameters are refused; tokens are per account.
func TestClientToken(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	req := RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 2, MaxCount: 2, ClientToken: "tok-1"}
	first, err := r.svc.RunInstances(ctxFor(acct1), req)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		mut    func(*RunRequest)
		code   string
		sameAs bool
	}{
		{name: "same", mut: func(*RunRequest) {}, sameAs: true},
		{name: "other-count", mut: func(q *RunRequest) { q.MaxCount = 3 }, code: ec2err.IdempotentParameterMismatch},
		{name: "other-type", mut: func(q *RunRequest) { q.InstanceType = "t3.nano" }, code: ec2err.IdempotentParameterMismatch},
		{name: "other-zone", mut: func(q *RunRequest) { q.AZ = "lab-1b" }, code: ec2err.IdempotentParameterMismatch},
		{name: "too-long", mut: func(q *RunRequest) { q.ClientToken = fmt.Sprintf("%065d", 0) }, code: ec2err.InvalidParameterValue},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			q := req
			c.mut(&q)
			n := r.count(t)
			res, err := r.svc.RunInstances(ctxFor(acct1), q)
			if got := errCode(err); got != c.code {
				t.Fatalf("error %q (%v), want %q", got, err, c.code)
			}
			if c.sameAs && (fmt.Sprint(instanceIDs(res.Instances)) != fmt.Sprint(instanceIDs(first.Instances)) ||
				res.ReservationID != first.ReservationID) {
				t.Errorf("replay gave %v/%s, want %v/%s", instanceIDs(res.Instances), res.ReservationID,
					instanceIDs(first.Instances), first.ReservationID)
			}
			if r.count(t) != n {
				t.Errorf("retry launched %d more instances", r.count(t)-n)
			}
		})
	}
	t.Run("other-account-same-token", func(t *testing.T) {
		pub(t, r)
		res, err := r.svc.RunInstances(ctxFor(acct2), req)
		if err != nil || len(res.Instances) != 2 || res.Instances[0].ID == first.Instances[0].ID {
			t.Fatalf("another account's token collided: %v %v", instanceIDs(res.Instances), err)
		}
	})
}

// pub makes the rig's image public so a second account may launch it.
func pub(t *testing.T, r *rig) {
	t.Helper()
	if _, err := update(ctxFor(acct1), r.svc.st, prefixImage+r.ami, func(i *Image) error { i.Public = true; return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestQuotaAndPartialPlacement: the vCPU quota trims MaxCount and refuses
// below MinCount; capacity does the same with InsufficientInstanceCapacity;
// a refused request records nothing.
func TestQuotaAndPartialPlacement(t *testing.T) {
	cases := []struct {
		name     string
		quota    int
		host     hostSpec
		used     int // lab.tiny instances already running
		min, max int
		want     int
		code     string
		typ      string
	}{
		{name: "fits", quota: 8, host: hostSpec{4, 4096}, min: 1, max: 4, want: 4},
		{name: "quota-trims", quota: 5, host: hostSpec{8, 8192}, used: 2, min: 1, max: 10, want: 3},
		{name: "quota-refuses", quota: 5, host: hostSpec{8, 8192}, used: 2, min: 4, max: 4, code: ec2err.VcpuLimitExceeded},
		{name: "quota-counts-vcpus", quota: 5, host: hostSpec{8, 8192}, used: 2, min: 2, max: 2, typ: "t3.nano", code: ec2err.VcpuLimitExceeded},
		{name: "capacity-trims", quota: 64, host: hostSpec{2, 8192}, min: 1, max: 10, want: 4},
		{name: "capacity-refuses", quota: 64, host: hostSpec{2, 8192}, min: 5, max: 10, code: ec2err.InsufficientInstanceCapacity},
		{name: "memory-bounds", quota: 64, host: hostSpec{16, 512}, min: 1, max: 10, want: 4},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := newRig(t, c.quota, c.host)
			if c.used > 0 {
				for _, id := range r.run(t, c.used, "") {
					r.setState(t, id, StateRunning)
				}
			}
			typ := c.typ
			if typ == "" {
				typ = "lab.tiny"
			}
			n := r.count(t)
			res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: typ, MinCount: c.min, MaxCount: c.max})
			if got := errCode(err); got != c.code {
				t.Fatalf("error %q (%v), want %q", got, err, c.code)
			}
			if len(res.Instances) != c.want || r.count(t)-n != c.want {
				t.Errorf("launched %d (recorded %d), want %d", len(res.Instances), r.count(t)-n, c.want)
			}
		})
	}
	t.Run("terminated-frees-quota", func(t *testing.T) {
		r := newRig(t, 2, hostSpec{8, 8192})
		ids := r.run(t, 2, "")
		if _, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1}); errCode(err) != ec2err.VcpuLimitExceeded {
			t.Fatalf("over quota: %v", err)
		}
		r.setState(t, ids[0], StateTerminated)
		r.setState(t, ids[1], StateStopped)
		if got := len(r.run(t, 2, "")); got != 2 {
			t.Errorf("after terminate+stop: launched %d, want 2", got)
		}
	})
}

// TestSpreadOverZones: without a zone, instances alternate over the zones.
func TestSpreadOverZones(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 6, MaxCount: 6})
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	for _, in := range res.Instances {
		per[in.AZ]++
	}
	if per["lab-1a"] != 3 || per["lab-1b"] != 3 {
		t.Errorf("per zone %v, want 3 and 3", per)
	}
}

// TestAccountIsolation: another account sees, touches and launches
// nothing of the first account's.
func TestAccountIsolation(t *testing.T) {
	r := newRig(t, 64, hostSpec{8, 8192})
	id := r.run(t, 1, "")[0]
	other := ctxFor(acct2)
	if got, _, err := r.svc.DescribeInstances(other, nil, nil, Page{}); err != nil || len(got) != 0 {
		t.Errorf("describe as other account: %d instances, %v", len(got), err)
	}
	checks := []struct {
		name string
		call func() error
		code string
	}{
		{"describe-by-id", func() error { _, _, err := r.svc.DescribeInstances(other, []string{id}, nil, Page{}); return err }, "InvalidInstanceID.NotFound"},
		{"terminate", func() error { _, err := r.svc.TerminateInstances(other, []string{id}, false); return err }, "InvalidInstanceID.NotFound"},
		{"stop", func() error { _, err := r.svc.StopInstances(other, []string{id}, false, false); return err }, "InvalidInstanceID.NotFound"},
		{"reboot", func() error { return r.svc.RebootInstances(other, []string{id}, false) }, "InvalidInstanceID.NotFound"},
		{"console", func() error { _, _, err := r.svc.ConsoleOutput(other, id); return err }, "InvalidInstanceID.NotFound"},
		{"launch-private-image", func() error {
			_, err := r.svc.RunInstances(other, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1})
			return err
		}, "InvalidAMIID.NotFound"},
	}
	for _, c := range checks {
		t.Run(c.name, func(t *testing.T) {
			if got := errCode(c.call()); got != c.code {
				t.Errorf("%s: %q, want %q", c.name, got, c.code)
			}
		})
	}
	if s := r.get(t, id).State; s != StatePending {
		t.Errorf("instance moved to %s by another account's calls", s)
	}
	if _, _, err := r.svc.DescribeInstances(ctxFor(""), nil, nil, Page{}); errCode(err) != ec2err.AuthFailure {
		t.Errorf("unauthenticated describe: %v", err)
	}
}

// TestRunDefaultInstanceType: without InstanceType, RunInstances launches
// the catalog's smallest general-purpose type (the rig's lab.tiny), as EC2
// falls back to a small type, and says so in its answer.
func TestRunDefaultInstanceType(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: r.ami, MinCount: 1, MaxCount: 1})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Instances[0].Type; got != "lab.tiny" {
		t.Errorf("default instance type %q, want lab.tiny", got)
	}
}
