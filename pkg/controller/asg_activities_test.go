package controller

import (
	"context"
	"slices"
	"strings"
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

// TestASGScaleInAfterTemplateSwitch: once a group launches from another
// template, scale-in takes the members of the old one first, even when
// their version number is the new template's (versions count per
// template).
func TestASGScaleInAfterTemplateSwitch(t *testing.T) {
	oldT, newT := LaunchTemplateSpec{ID: "lt-old", Version: "$Latest"}, LaunchTemplateSpec{ID: "lt-new", Version: "$Latest"}
	at := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	g := AutoScalingGroup{LaunchTemplate: newT, Instances: []GroupMember{
		{ID: "i-old1", AZ: "lab-1a", LaunchTemplate: oldT, TemplateVersion: 1, LifecycleState: LifecycleInService, LaunchTime: at},
		{ID: "i-old2", AZ: "lab-1a", LaunchTemplate: oldT, TemplateVersion: 1, LifecycleState: LifecycleInService, LaunchTime: at.Add(time.Minute)},
		{ID: "i-new", AZ: "lab-1a", LaunchTemplate: newT, TemplateVersion: 1, LifecycleState: LifecycleInService, LaunchTime: at.Add(time.Hour)},
	}}
	if got := victims(g, 2); len(got) != 2 || got[0] != "i-old2" || got[1] != "i-old1" {
		t.Errorf("victims %v, want the old template's members, newest first: [i-old2 i-old1]", got)
	}
}

// TestDeleteAllTagsKeepsAWSTags: DeleteTags without tags removes a group
// member's own tags and keeps aws:autoscaling:groupName, as EC2 keeps
// every aws: tag.
func TestDeleteAllTagsKeepsAWSTags(t *testing.T) {
	r := newASGRig(t)
	r.create(t, "web", 0, 5, 1, GroupTag{Key: "team", Value: "lab", PropagateAtLaunch: true})
	g := r.reconcile(t, "web")
	id := g.Instances[0].ID
	before := r.get(t, id).Tags
	var want []Tag // the aws: tags (the group's name, the launch template's ID and version)
	for _, tg := range before {
		if strings.HasPrefix(tg.Key, "aws:") {
			want = append(want, tg)
		}
	}
	if len(want) == 0 || len(want) == len(before) {
		t.Fatalf("member tags %v, want team and aws: tags", before)
	}
	if err := r.svc.DeleteTags(ctxFor(acct1), []string{id}, nil, false); err != nil {
		t.Fatal(err)
	}
	if tags := r.get(t, id).Tags; !slices.Equal(tags, want) {
		t.Errorf("tags after deleting all: %v, want the aws: ones %v", tags, want)
	}
}
