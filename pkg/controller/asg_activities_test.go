package controller

import (
	"context"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// TestASGPrunesActivities: a group keeps its newest 1000 finished
// activities of the last six weeks, and every activity in progress.
func TestASGPrunesActivities(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 0, 5, 0)
	g, _, err := r.svc.ownASG(context.Background(), acct1, "web")
	if err != nil {
		t.Fatal(err)
	}
	put := func(a ScalingActivity) {
		if err := putActivity(r.svc.st, a); err != nil {
			t.Fatal(err)
		}
	}
	now := r.clock
	stale := r.svc.newActivity(g, "stale", "failed long ago", "")
	stale.StartTime, stale.StatusCode = now.Add(-7*7*24*time.Hour), ActivityFailed
	put(stale)
	running := r.svc.newActivity(g, "running", "still going", "")
	running.StartTime = now.Add(-8 * 7 * 24 * time.Hour)
	put(running)
	for i := range maxActivitiesPerGroup + 5 {
		a := r.svc.newActivity(g, "failed launch", "quota", "")
		a.StartTime, a.StatusCode = now.Add(time.Duration(i-2000)*time.Minute), ActivityFailed
		put(a)
	}
	r.svc.pruneActivities(context.Background(), []AutoScalingGroup{g})
	acts, err := store.ListJSON[ScalingActivity](context.Background(), r.svc.st, activityPrefix(acct1, "web"))
	if err != nil {
		t.Fatal(err)
	}
	kept := map[string]int{}
	var oldestFailed time.Time
	for _, a := range acts {
		kept[a.Description]++
		if a.Description == "failed launch" && (oldestFailed.IsZero() || a.StartTime.Before(oldestFailed)) {
			oldestFailed = a.StartTime
		}
	}
	if kept["stale"] != 0 || kept["running"] != 1 || kept["failed launch"] != maxActivitiesPerGroup {
		t.Errorf("kept %v, want no stale, the running one and the newest %d failed launches", kept, maxActivitiesPerGroup)
	}
	if want := now.Add(time.Duration(5-2000) * time.Minute); !oldestFailed.Equal(want) {
		t.Errorf("oldest failed launch kept from %s, want %s (the newest kept)", oldestFailed, want)
	}
}

func putActivity(st store.Store, a ScalingActivity) error {
	op, err := store.PutJSON(activityKey(a), a, store.AnyRevision)
	if err != nil {
		return err
	}
	_, err = st.Txn(context.Background(), op)
	return err
}
