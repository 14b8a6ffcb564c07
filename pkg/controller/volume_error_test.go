package controller

import (
	"context"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
)

// TestVolumeCreateFailsToError: a volume whose host keeps failing the
// create is retried with backoff, then goes to state error (as on EC2)
// with the cause kept; it can be deleted. Transport failures (a host going
// away) are retried without counting.
func TestVolumeCreateFailsToError(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	base := time.Date(2026, 11, 27, 4, 0, 0, 0, time.UTC)
	now := base
	r.svc.now = func() time.Time { return now }
	v, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 1, Type: "gp3"})
	if err != nil {
		t.Fatal(err)
	}
	get := func() Volume { return r.volume(t, v.ID) }
	// what the agent connection answers when the host is away
	r.agents["lab-1a"].volumeErr = errgrpc.ToNative(status.Error(codes.Unavailable, "connection refused"))
	for i := 0; i < 2*maxVolumeAttempts; i++ {
		r.svc.createVolume(context.Background(), get())
	}
	if got := get(); got.State != "creating" || got.Attempts != 0 {
		t.Fatalf("after transport failures: state %s, attempts %d; want creating, none counted", got.State, got.Attempts)
	}
	r.agents["lab-1a"].volumeErr = errFake
	for i := 1; i <= maxVolumeAttempts; i++ {
		r.svc.createVolume(context.Background(), get())
		got := get()
		if got.Attempts != i || got.Failure == "" {
			t.Fatalf("after failure %d: attempts %d, failure %q", i, got.Attempts, got.Failure)
		}
		if want := map[bool]string{true: "error", false: "creating"}[i == maxVolumeAttempts]; got.State != want {
			t.Fatalf("after failure %d: state %s, want %s", i, got.State, want)
		}
		if i < maxVolumeAttempts && !got.NextAttempt.After(now) {
			t.Fatalf("after failure %d: next attempt %v, not after now %v", i, got.NextAttempt, now)
		}
		now = got.NextAttempt
	}
	if err := r.svc.DeleteVolume(ctx, v.ID, false); err != nil {
		t.Errorf("delete a volume in state error: %v", err)
	}
}
