package controller

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	"github.com/ec2lab/ec2lab/pkg/store"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// snapHost is the rig's fake host of a zone that also freezes volume
// heads (the fake agent does not implement SnapshotVolume).
type snapHost struct{ host.Host }

func (snapHost) SnapshotVolume(_ context.Context, r host.VolumeSnapshot) (host.SnapshotResult, error) {
	return host.SnapshotResult{Layer: r.SnapshotID + ".qcow2", Head: r.Name + ".next", StoredBytes: 4096}, nil
}

// clock makes the rig's service read a time the test moves.
func (r *rig) clock(start time.Time) *time.Time {
	now := start
	r.svc.now = func() time.Time { return now }
	return &now
}

// TestSnapshotCompletionTime: a snapshot records when it became completed
// (EC2's completionTime): none while pending, the freeze's time once the
// reconciler completes it; a copy within the region shares the source's
// layers and is complete when it starts.
func TestSnapshotCompletionTime(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ag := hostgrpc.New(r.agents["lab-1a"])
	inv := &agentv1.Inventory{HostId: "h-lab-1a", AvailabilityZone: "lab-1a", Vcpus: 8, MemoryMib: 8192, DomainType: "qemu"}
	if _, err := r.svc.AddHost(context.Background(), hostgrpc.InventoryFrom(inv), "fake", snapHost{ag}); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	now := r.clock(t0)
	ctx := ctxFor(acct1)
	vol := availableVolume(t, r, acct1)
	sn, err := r.svc.CreateSnapshot(ctx, vol, "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	if sn.State != "pending" || !sn.CompletionTime.IsZero() {
		t.Fatalf("new snapshot: state %s, completion time %v; want pending without one", sn.State, sn.CompletionTime)
	}
	*now = t0.Add(90 * time.Second)
	r.svc.takeSnapshot(context.Background(), sn.ID)
	got, _, err := r.svc.DescribeSnapshots(ctx, SnapshotQuery{IDs: []string{sn.ID}})
	if err != nil || len(got) != 1 {
		t.Fatalf("describe: %+v %v", got, err)
	}
	if got[0].State != "completed" || !got[0].StartTime.Equal(t0) || !got[0].CompletionTime.Equal(*now) {
		t.Fatalf("completed snapshot: state %s start %v completion %v; want completed, %v, %v",
			got[0].State, got[0].StartTime, got[0].CompletionTime, t0, *now)
	}

	*now = t0.Add(time.Hour)
	cp, err := r.svc.CopySnapshot(ctx, CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotID: sn.ID})
	if err != nil {
		t.Fatal(err)
	}
	rec, _, err := store.GetJSON[Snapshot](ctx, r.svc.st, prefixSnapshot+cp.ID)
	if err != nil || rec.State != "completed" || !rec.StartTime.Equal(*now) || !rec.CompletionTime.Equal(*now) {
		t.Fatalf("local copy: %+v %v; want completed at its start %v", rec, err, *now)
	}
}

// TestImageSourceInstanceAndLastLaunched: CreateImage records the instance
// the image is made from (sourceInstanceId); RunInstances records when the
// image last launched an instance (lastLaunchedTime), which only its owner
// sees, in DescribeImages as in DescribeImageAttribute; a copy of the
// image has neither.
func TestImageSourceInstanceAndLastLaunched(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	t0 := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	now := r.clock(t0)
	ctx := ctxFor(acct1)
	if got := r.image(t, r.ami); !got.LastLaunchedTime.IsZero() || got.SourceInstanceID != "" {
		t.Fatalf("registered image: last launched %v, source instance %q; want neither", got.LastLaunchedTime, got.SourceInstanceID)
	}
	attr, err := r.svc.DescribeImageAttribute(ctx, r.ami, "lastLaunchedTime", false)
	if err != nil || attr.Value != "" {
		t.Fatalf("lastLaunchedTime of an image never launched: %q %v", attr.Value, err)
	}

	*now = t0.Add(2 * time.Minute)
	id := r.run(t, 1, "")[0]
	if got := r.image(t, r.ami); !got.LastLaunchedTime.Equal(*now) {
		t.Fatalf("last launched %v, want %v", got.LastLaunchedTime, *now)
	}
	attr, err = r.svc.DescribeImageAttribute(ctx, r.ami, "lastLaunchedTime", false)
	if want := "2026-03-01T10:02:00Z"; err != nil || attr.Value != want {
		t.Fatalf("lastLaunchedTime attribute %q %v, want %q", attr.Value, err, want)
	}
	if attr, err := r.svc.DescribeImageAttribute(ctx, r.ami, "deregistrationProtection", false); err != nil || attr.Value != "disabled" {
		t.Fatalf("deregistrationProtection attribute %q %v", attr.Value, err)
	}
	if err := r.modify(t, acct1, ImageAttributeChange{Add: []LaunchPermission{{Group: "all"}}}); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		acct string
		want time.Time
	}{{acct1, *now}, {acct2, time.Time{}}} {
		imgs, _, err := r.svc.DescribeImages(ctxFor(tt.acct), []string{r.ami}, nil, nil, nil, Page{})
		if err != nil || len(imgs) != 1 || !imgs[0].LastLaunchedTime.Equal(tt.want) {
			t.Fatalf("DescribeImages by %s: %+v %v; want last launched %v", tt.acct, imgs, err, tt.want)
		}
	}

	r.setState(t, id, StateStopped)
	img, err := r.svc.CreateImage(ctx, CreateImageRequest{InstanceID: id, Name: "from-instance"})
	if err != nil {
		t.Fatal(err)
	}
	if got := r.image(t, img.ID); img.SourceInstanceID != id || got.SourceInstanceID != id || !got.LastLaunchedTime.IsZero() {
		t.Fatalf("CreateImage: source instance %q (recorded %q), last launched %v; want %s, never",
			img.SourceInstanceID, got.SourceInstanceID, got.LastLaunchedTime, id)
	}

	// A later launch moves the time on; an earlier one (a clock step back) does not.
	*now = t0.Add(time.Hour)
	r.run(t, 1, "")
	*now = t0.Add(30 * time.Minute)
	r.run(t, 1, "")
	if got := r.image(t, r.ami); !got.LastLaunchedTime.Equal(t0.Add(time.Hour)) {
		t.Fatalf("last launched %v, want %v", got.LastLaunchedTime, t0.Add(time.Hour))
	}
}

// TestGroupARNs: security groups and placement groups carry EC2's ARNs
// (the group ID, the placement group's name), computed on read and never
// stored.
func TestGroupARNs(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	g, err := r.svc.CreateSecurityGroup(ctx, "web", "web servers", "", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	wantSG := "arn:aws:ec2:lab-1:" + acct1 + ":security-group/" + g.ID
	if g.ARN != wantSG {
		t.Fatalf("CreateSecurityGroup ARN %q, want %q", g.ARN, wantSG)
	}
	gs, _, err := r.svc.DescribeSecurityGroups(ctx, []string{g.ID}, nil, nil, Page{})
	if err != nil || len(gs) != 1 || gs[0].ARN != wantSG {
		t.Fatalf("DescribeSecurityGroups: %+v %v, want ARN %s", gs, err, wantSG)
	}
	pg, err := r.svc.CreatePlacementGroup(ctx, "rack-1", "spread", 0, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	wantPG := "arn:aws:ec2:lab-1:" + acct1 + ":placement-group/rack-1"
	if pg.ARN != wantPG {
		t.Fatalf("CreatePlacementGroup ARN %q, want %q", pg.ARN, wantPG)
	}
	pgs, err := r.svc.DescribePlacementGroups(ctx, nil, []string{pg.ID}, nil)
	if err != nil || len(pgs) != 1 || pgs[0].ARN != wantPG {
		t.Fatalf("DescribePlacementGroups: %+v %v, want ARN %s", pgs, err, wantPG)
	}
	raw, err := r.svc.st.Get(ctx, placementGroupKey(acct1, "rack-1"))
	if err != nil || strings.Contains(string(raw.Value), "arn:") {
		t.Fatalf("stored placement group %s (%v): the ARN is computed, not stored", raw.Value, err)
	}
}
