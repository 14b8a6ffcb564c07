package controller

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// volumeStatusOf is the one volume's status.
func (r *clockRig) volumeStatusOf(t *testing.T, id string) VolumeStatus {
	t.Helper()
	list, _, err := r.svc.DescribeVolumeStatus(ctxFor(acct1), VolumeStatusQuery{IDs: []string{id}})
	if err != nil || len(list) != 1 {
		t.Fatalf("DescribeVolumeStatus %s: %v %v", id, list, err)
	}
	return list[0]
}

func checkVolume(t *testing.T, what string, got VolumeStatus, status, io, perf string) {
	t.Helper()
	if got.Status != status || got.IOEnabled != io || got.IOPerformance != perf {
		t.Errorf("%s: %s io-enabled=%s io-performance=%q, want %s %s %q", what, got.Status, got.IOEnabled, got.IOPerformance,
			status, io, perf)
	}
}

// TestVolumeStatusChecks: a volume's checks follow what ec2lab knows of
// it: its state, and for one in use, whether its instance's host reports
// the domain running.
func TestVolumeStatusChecks(t *testing.T) {
	r := newClockRig(t)
	in := r.launched(t, RunRequest{})
	root := in.BlockDevices[0].VolumeID
	plain := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 1, Type: "gp2"})
	fast := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 4, Type: "io2", IOPS: 200})
	creating, err := r.svc.CreateVolume(ctxFor(acct1), VolumeRequest{AZ: "lab-1a", SizeGiB: 1, Type: "standard"})
	if err != nil {
		t.Fatal(err)
	}
	broken := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 1, Type: "gp2"})
	if _, err := update(context.Background(), r.svc.st, prefixVolume+broken.ID, func(v *Volume) error {
		v.State = "error"
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	checkVolume(t, "available gp2", r.volumeStatusOf(t, plain.ID), StatusOK, CheckPassed, "")
	checkVolume(t, "available io2", r.volumeStatusOf(t, fast.ID), StatusOK, CheckPassed, StatusNotApplicable)
	checkVolume(t, "creating", r.volumeStatusOf(t, creating.ID), StatusInsufficientData, StatusInsufficientData, "")
	checkVolume(t, "error", r.volumeStatusOf(t, broken.ID), StatusImpaired, CheckFailed, "")
	st := r.volumeStatusOf(t, root)
	checkVolume(t, "root before a heartbeat", st, StatusInsufficientData, StatusInsufficientData, StatusInsufficientData)
	if st.InstanceID != in.ID || st.AZ != "lab-1a" {
		t.Errorf("root volume's status names %q in %q, want %s in lab-1a", st.InstanceID, st.AZ, in.ID)
	}

	r.beat(t, in.HostID, map[string]string{in.ID: "running"})
	checkVolume(t, "root, domain running", r.volumeStatusOf(t, root), StatusOK, CheckPassed, StatusInsufficientData)
	r.beat(t, in.HostID, map[string]string{in.ID: "paused"})
	checkVolume(t, "root, domain paused", r.volumeStatusOf(t, root), StatusInsufficientData, StatusInsufficientData, StatusInsufficientData)

	r.beat(t, in.HostID, map[string]string{in.ID: "running"})
	r.now = r.now.Add(r.svc.cfg.HeartbeatTimeout.Duration + time.Second)
	r.svc.checkHostHealth(context.Background())
	checkVolume(t, "root, host silent", r.volumeStatusOf(t, root), StatusInsufficientData, StatusInsufficientData, StatusInsufficientData)

	r.beat(t, in.HostID, map[string]string{in.ID: "running"})
	r.stopped(t, in.ID)
	checkVolume(t, "root of a stopped instance", r.volumeStatusOf(t, root), StatusOK, CheckPassed, StatusNotApplicable)
}

// TestDescribeVolumeStatusSelection: the caller's volumes only, by ID,
// with EC2's filters (the event and action ones match nothing) and pages.
func TestDescribeVolumeStatusSelection(t *testing.T) {
	r := newClockRig(t)
	ctx := ctxFor(acct1)
	a := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 1, Type: "gp2"})
	b := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 1, Type: "gp3"})
	c := r.availableVolume(t, acct1, VolumeRequest{SizeGiB: 4, Type: "io1", IOPS: 100})
	foreign := r.availableVolume(t, acct2, VolumeRequest{SizeGiB: 1})
	tests := []struct {
		name string
		q    VolumeStatusQuery
		want []string
		code string
	}{
		{name: "all of the caller's", want: inOrder(a.ID, b.ID, c.ID)},
		{name: "by id", q: VolumeStatusQuery{IDs: []string{b.ID}}, want: []string{b.ID}},
		{name: "status", q: VolumeStatusQuery{Filters: []Filter{{Name: "volume-status.status", Values: []string{"ok"}}}}, want: inOrder(a.ID, b.ID, c.ID)},
		{name: "details name", q: VolumeStatusQuery{Filters: []Filter{{Name: "volume-status.details-name", Values: []string{"io-performance"}}}},
			want: inOrder(b.ID, c.ID)},
		{name: "details status", q: VolumeStatusQuery{Filters: []Filter{{Name: "volume-status.details-status", Values: []string{"not-applicable"}}}},
			want: inOrder(b.ID, c.ID)},
		{name: "zone", q: VolumeStatusQuery{Filters: []Filter{{Name: "availability-zone", Values: []string{"lab-1b"}}}}},
		{name: "events", q: VolumeStatusQuery{Filters: []Filter{{Name: "event.event-type", Values: []string{"*"}}}}},
		{name: "actions", q: VolumeStatusQuery{Filters: []Filter{{Name: "action.code", Values: []string{"enable-volume-io"}}}}},
		{name: "page", q: VolumeStatusQuery{Page: Page{MaxResults: 5}}, want: inOrder(a.ID, b.ID, c.ID)},
		{name: "unknown filter", q: VolumeStatusQuery{Filters: []Filter{{Name: "status"}}}, code: ec2err.InvalidParameterValue},
		{name: "another account's", q: VolumeStatusQuery{IDs: []string{foreign.ID}}, code: ec2err.InvalidVolumeNotFound},
		{name: "malformed", q: VolumeStatusQuery{IDs: []string{"vol-?"}}, code: ec2err.InvalidVolumeIDMalformed},
		{name: "ids and max results", q: VolumeStatusQuery{IDs: []string{a.ID}, Page: Page{MaxResults: 5}}, code: ec2err.InvalidParameterCombination},
		{name: "max results too small", q: VolumeStatusQuery{Page: Page{MaxResults: 4}}, code: ec2err.InvalidParameterValue},
		{name: "dry run", q: VolumeStatusQuery{DryRun: true}, code: ec2err.DryRunOperation},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, _, err := r.svc.DescribeVolumeStatus(ctx, tt.q)
			if errCode(err) != tt.code {
				t.Fatalf("error %v, want %q", err, tt.code)
			}
			var ids []string
			for _, st := range got {
				ids = append(ids, st.VolumeID)
			}
			if tt.code == "" && !slices.Equal(ids, tt.want) {
				t.Errorf("got %v, want %v", ids, tt.want)
			}
		})
	}
}
