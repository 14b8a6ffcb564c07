package controller

import (
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// TestReportInstanceStatus: a report about the caller's instances is
// recorded for each and changes no status; bad reports, and reports about
// another account's instance, record nothing.
func TestReportInstanceStatus(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	a, b := r.launched(t, RunRequest{}), r.launched(t, RunRequest{})
	start := time.Date(2026, 12, 7, 20, 0, 0, 0, time.UTC)
	ok := ReportRequest{InstanceIDs: []string{a.ID, b.ID}, Status: "impaired", Reasons: []string{"unresponsive", "performance-network"},
		Description: "ssh hangs", Start: start}
	for _, c := range []struct {
		name string
		edit func(*ReportRequest)
		code string
	}{
		{"no instance", func(r *ReportRequest) { r.InstanceIDs = nil }, ec2err.MissingParameter},
		{"bad status", func(r *ReportRequest) { r.Status = "sad" }, ec2err.InvalidParameterValue},
		{"no reason", func(r *ReportRequest) { r.Reasons = nil }, ec2err.MissingParameter},
		{"bad reason", func(r *ReportRequest) { r.Reasons = []string{"gremlins"} }, ec2err.InvalidParameterValue},
		{"end before start", func(r *ReportRequest) { r.End = start.Add(-time.Hour) }, ec2err.InvalidParameterValue},
		{"unknown instance", func(r *ReportRequest) { r.InstanceIDs = []string{a.ID, "i-0000000000000dead"} }, ec2err.InvalidInstanceIDNotFound},
		{"dry run", func(r *ReportRequest) { r.DryRun = true }, ec2err.DryRunOperation},
	} {
		req := ok
		c.edit(&req)
		if err := r.svc.ReportInstanceStatus(ctx, req); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
	}
	if err := r.svc.ReportInstanceStatus(ctxFor(acct2), ReportRequest{InstanceIDs: []string{a.ID}, Status: "ok",
		Reasons: []string{"other"}}); errCode(err) != ec2err.InvalidInstanceIDNotFound {
		t.Errorf("another account's instance: %v", err)
	}
	if got, _ := r.svc.InstanceReports(ctx, a.ID); len(got) != 0 {
		t.Fatalf("refused reports recorded %v", got)
	}
	if err := r.svc.ReportInstanceStatus(ctx, ok); err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{a.ID, b.ID} {
		got, err := r.svc.InstanceReports(ctx, id)
		if err != nil || len(got) != 1 || got[0].Status != "impaired" || got[0].Owner != acct1 || got[0].Description != "ssh hangs" ||
			!got[0].Start.Equal(start) || len(got[0].Reasons) != 2 {
			t.Errorf("reports of %s: %+v %v", id, got, err)
		}
	}
	dup := ReportRequest{InstanceIDs: []string{b.ID, b.ID}, Status: "ok", Reasons: []string{"other"}}
	for range reportsKept + 5 {
		if err := r.svc.ReportInstanceStatus(ctx, dup); err != nil {
			t.Fatalf("a report naming %s twice: %v", b.ID, err)
		}
	}
	if got, _ := r.svc.InstanceReports(ctx, b.ID); len(got) != reportsKept || got[len(got)-1].Status != "ok" {
		t.Errorf("after %d more reports %s keeps %d (want the newest %d)", reportsKept+5, b.ID, len(got), reportsKept)
	}
	if in := r.get(t, a.ID); in.State != StateRunning {
		t.Errorf("a report changed the instance: %s", in.State)
	}
}
