package controller

import (
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store/etcdtest"
)

// within polls cond every 10 ms until it holds or d has passed, and
// returns how long it took; the test fails after d.
func within(t *testing.T, d time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > d {
			t.Fatalf("%s: not within %v", what, d)
		}
		time.Sleep(10 * time.Millisecond)
	}
	return time.Since(start)
}

// TestCacheFollowsOtherReplica: two Services (two ec2d replicas) on one
// etcd; what one commits reaches the other's record cache through the
// watch within a second: launches, terminations and the vCPU usage its
// quota check counts, in both directions.
func TestCacheFollowsOtherReplica(t *testing.T) {
	eps := etcdtest.Start(t, 1).Endpoints()
	a := newRigOn(t, openEtcdStore(t, eps), 4, hostSpec{8, 8192})
	b := newRigOn(t, openEtcdStore(t, eps), 4, hostSpec{8, 8192})

	ids := a.run(t, 3, "lab-1a")
	took := within(t, time.Second, "B describes A's 3 instances", func() bool {
		got, _, err := b.svc.DescribeInstances(ctxFor(acct1), ids, nil, Page{})
		return err == nil && len(got) == 3
	})
	t.Logf("B saw A's launch after %v", took)
	// DescribeInstances by ID reads the store; the quota check reads B's
	// cache, which the watch may bring A's commit to a moment later.
	within(t, time.Second, "B's cache counts A's instances", func() bool {
		u, err := b.svc.accountUsage(ctxFor(acct1), acct1)
		return err == nil && u.VCPUs == 3
	})

	// B's quota counts A's 3 vCPUs of 4.
	_, err := b.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: b.ami, InstanceType: "lab.tiny", MinCount: 2, MaxCount: 2, AZ: "lab-1a"})
	if errCode(err) != ec2err.VcpuLimitExceeded {
		t.Fatalf("B launching 2 more: %v, want %s", err, ec2err.VcpuLimitExceeded)
	}
	b.run(t, 1, "lab-1a")
	// ...and A's counts B's.
	within(t, time.Second, "A counts B's instance", func() bool {
		u, err := a.svc.accountUsage(ctxFor(acct1), acct1)
		return err == nil && u.VCPUs == 4
	})
	_, err = a.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: a.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1a"})
	if errCode(err) != ec2err.VcpuLimitExceeded {
		t.Fatalf("A launching a 5th: %v, want %s", err, ec2err.VcpuLimitExceeded)
	}

	// Terminated through A: B sees it, and its capacity freed.
	if _, err := a.svc.TerminateInstances(ctxFor(acct1), ids[:1], false); err != nil {
		t.Fatal(err)
	}
	a.drive(ids[0])
	if st := a.get(t, ids[0]).State; st != StateTerminated {
		t.Fatalf("A: %s %s after driving, want terminated", ids[0], st)
	}
	took = within(t, time.Second, "B sees the termination", func() bool {
		got, _, err := b.svc.DescribeInstances(ctxFor(acct1), ids[:1], nil, Page{})
		return err == nil && len(got) == 1 && got[0].State == StateTerminated
	})
	t.Logf("B saw A's termination after %v", took)
	u, err := a.svc.accountUsage(ctxFor(acct1), acct1)
	if err != nil || u.VCPUs != 3 || u.Instances != 3 {
		t.Errorf("A: usage %+v (%v), want 3 vCPUs in 3 instances (own commits counted once)", u, err)
	}
	within(t, time.Second, "B's cache frees the terminated instance's vCPU", func() bool { // as above: the store first, the cache a moment later
		u, err := b.svc.accountUsage(ctxFor(acct1), acct1)
		return err == nil && u.VCPUs == 3 && u.Instances == 3
	})
	time.Sleep(50 * time.Millisecond) // the commits' echoes arrive; still counted once
	for name, r := range map[string]*rig{"A": a, "B": b} {
		u, err := r.svc.accountUsage(ctxFor(acct1), acct1)
		if err != nil || u.VCPUs != 3 || u.Instances != 3 {
			t.Errorf("%s: usage %+v (%v), want 3 vCPUs in 3 instances (own commits counted once)", name, u, err)
		}
	}
	b.run(t, 1, "lab-1b") // the freed vCPU is B's to use
}
