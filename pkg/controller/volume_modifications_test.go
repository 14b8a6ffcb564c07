package controller

import (
	"context"
	"slices"
	"testing"
	"time"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/host/hostgrpc"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// resizer is a fake agent whose ResizeVolume succeeds, or fails with err.
type resizer struct {
	*fakeAgent
	err error
}

func (f *resizer) ResizeVolume(_ context.Context, in *agentv1.ResizeVolumeRequest, _ ...grpc.CallOption) (*agentv1.VolumeInfo, error) {
	if f.err != nil {
		return nil, f.err
	}
	return &agentv1.VolumeInfo{VolumeId: in.GetVolumeId(), VirtualSize: in.GetSizeBytes()}, nil
}

// useResizer puts a resizer in place of the lab-1a host's agent.
func (r *rig) useResizer() *resizer {
	rs := &resizer{fakeAgent: r.agents["lab-1a"]}
	r.svc.mu.Lock()
	r.svc.agents["h-lab-1a"] = hostgrpc.New(rs)
	r.svc.mu.Unlock()
	return rs
}

// availableVolume creates and makes an available volume of acct in lab-1a.
func (r *rig) availableVolume(t *testing.T, acct string, req VolumeRequest) Volume {
	t.Helper()
	req.AZ = "lab-1a"
	v, err := r.svc.CreateVolume(ctxFor(acct), req)
	if err != nil {
		t.Fatal(err)
	}
	r.svc.driveVolume(context.Background(), v.ID, r.svc.createVolume)
	got, err := r.svc.ownedVolume(ctxFor(acct), acct, v.ID)
	if err != nil || got.State != "available" {
		t.Fatalf("volume %s: %+v %v, want available", v.ID, got, err)
	}
	return got
}

// TestDescribeVolumesModifications: each ModifyVolume is remembered (the
// latest per volume) as completed, with what it changed and when, or as
// failed with why, leaving the volume as it was; the caller sees its own
// volumes' only, filtered and paged.
func TestDescribeVolumesModifications(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	start := time.Date(2026, 12, 1, 9, 30, 0, 0, time.UTC)
	r.svc.now = func() time.Time { return start }
	rs := r.useResizer()
	grown := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 10, Type: "gp3"})
	retyped := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 10, Type: "gp2"})
	broken := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 10, Type: "gp3"})
	untouched := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 10})
	foreign := r.availableVolume(t, acct2, VolumeRequest{SizeGiB: 10})

	if _, err := r.svc.ModifyVolume(ctx, grown.ID, 20, "", 0, 0, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ModifyVolume(ctx, grown.ID, 0, "", 6000, 250, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ModifyVolume(ctx, retyped.ID, 0, "io1", 400, 0, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ModifyVolume(ctxFor(acct2), foreign.ID, 20, "", 0, 0, false); err != nil {
		t.Fatal(err)
	}
	rs.err = errFake
	if _, err := r.svc.ModifyVolume(ctx, broken.ID, 30, "", 0, 0, false); err == nil {
		t.Fatal("ModifyVolume with a failing host succeeded")
	}
	if got := r.volume(t, broken.ID); got.SizeGiB != 10 {
		t.Errorf("volume of a failed modification: %d GiB, want 10 (unchanged)", got.SizeGiB)
	}
	if _, err := r.svc.ModifyVolume(ctx, untouched.ID, 5, "", 0, 0, false); errCode(err) != ec2err.InvalidParameterValue {
		t.Fatalf("shrink: %v, want InvalidParameterValue", err)
	}

	all, next, err := r.svc.DescribeVolumesModifications(ctx, nil, nil, Page{}, false)
	if err != nil || next != "" || len(all) != 3 {
		t.Fatalf("all: %+v %q %v, want 3 (the caller's modified volumes)", all, next, err)
	}
	byID := map[string]Modification{}
	for _, m := range all {
		byID[m.VolumeID] = m
	}
	want := map[string]Modification{
		grown.ID: {VolumeID: grown.ID, State: "completed", OrigSize: 20, TargetSize: 20, OrigType: "gp3", TargetType: "gp3",
			OrigIOPS: 3000, TargetIOPS: 6000, OrigThroughput: 125, TargetThroughput: 250, Progress: 100, StartTime: start, EndTime: start},
		retyped.ID: {VolumeID: retyped.ID, State: "completed", OrigSize: 10, TargetSize: 10, OrigType: "gp2", TargetType: "io1",
			OrigIOPS: 100, TargetIOPS: 400, OrigThroughput: 250, TargetThroughput: 1000, Progress: 100, StartTime: start, EndTime: start},
	}
	for id, w := range want {
		if byID[id] != w {
			t.Errorf("modification of %s:\n got %+v\nwant %+v", id, byID[id], w)
		}
	}
	if f := byID[broken.ID]; f.State != "failed" || f.Message == "" || f.TargetSize != 30 || f.OrigSize != 10 || f.Progress != 0 {
		t.Errorf("failed modification: %+v, want failed 10→30 GiB with a message", f)
	}

	tests := []struct {
		name    string
		ids     []string
		filters []Filter
		want    []string
		code    string
	}{
		{name: "by id", ids: []string{retyped.ID}, want: []string{retyped.ID}},
		{name: "state", filters: []Filter{{Name: "modification-state", Values: []string{"failed"}}}, want: []string{broken.ID}},
		{name: "target type", filters: []Filter{{Name: "target-volume-type", Values: []string{"io1"}}}, want: []string{retyped.ID}},
		{name: "original size", filters: []Filter{{Name: "original-size", Values: []string{"10"}}}, want: inOrder(retyped.ID, broken.ID)},
		{name: "target size", filters: []Filter{{Name: "target-size", Values: []string{"20", "30"}}}, want: inOrder(grown.ID, broken.ID)},
		{name: "start time", filters: []Filter{{Name: "start-time", Values: []string{"2026-12-01T*"}}}, want: inOrder(grown.ID, retyped.ID, broken.ID)},
		{name: "no multi-attach", filters: []Filter{{Name: "target-multi-attach-enabled", Values: []string{"true"}}}},
		{name: "unknown filter", filters: []Filter{{Name: "size"}}, code: ec2err.InvalidParameterValue},
		{name: "never modified", ids: []string{untouched.ID}, code: ec2err.InvalidVolumeModificationNotFound},
		{name: "another account's", ids: []string{foreign.ID}, code: ec2err.InvalidVolumeNotFound},
		{name: "malformed", ids: []string{"vol-x"}, code: ec2err.InvalidVolumeIDMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := r.svc.DescribeVolumesModifications(ctx, tt.ids, tt.filters, Page{}, false)
			if errCode(err) != tt.code {
				t.Fatalf("error %v, want %q", err, tt.code)
			}
			var ids []string
			for _, m := range got {
				ids = append(ids, m.VolumeID)
			}
			if tt.code == "" && !slices.Equal(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}

	first, next, err := r.svc.DescribeVolumesModifications(ctx, nil, nil, Page{MaxResults: 2}, false)
	if err != nil || len(first) != 2 || next == "" {
		t.Fatalf("page 1: %d %q %v", len(first), next, err)
	}
	rest, next, err := r.svc.DescribeVolumesModifications(ctx, nil, nil, Page{MaxResults: 2, NextToken: next}, false)
	if err != nil || len(rest) != 1 || next != "" || rest[0].VolumeID == first[1].VolumeID {
		t.Fatalf("page 2: %+v %q %v", rest, next, err)
	}
	if _, _, err := r.svc.DescribeVolumesModifications(ctx, nil, nil, Page{}, true); errCode(err) != ec2err.DryRunOperation {
		t.Errorf("dry run: %v", err)
	}
}

// TestModifyVolumeStates: only an available or in-use volume is modified;
// a dry run records nothing.
func TestModifyVolumeStates(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	r.useResizer()
	creating, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.ModifyVolume(ctx, creating.ID, 2, "", 0, 0, false); errCode(err) != ec2err.IncorrectState {
		t.Errorf("creating volume: %v, want IncorrectState", err)
	}
	v := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 1})
	if _, err := r.svc.ModifyVolume(ctx, v.ID, 2, "", 0, 0, true); errCode(err) != ec2err.DryRunOperation {
		t.Fatalf("dry run: %v", err)
	}
	if got := r.volume(t, v.ID); got.Modification != nil || got.SizeGiB != 1 {
		t.Errorf("after a dry run: %+v, want no modification and 1 GiB", got)
	}
}

// inOrder is ids sorted, as Describe calls list them.
func inOrder(ids ...string) []string { return sortedCopy(ids) }
