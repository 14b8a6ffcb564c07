package controller

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Instance status reports (ReportInstanceStatus): a user's feedback that
// an instance's health differs from what DescribeInstanceStatus says. As
// on EC2, a report changes no status: ec2lab keeps it for the operator
// (the store, and a log line each) and answers nothing more.

// prefixInstanceReport + instance ID + "/" + time → InstanceReport.
const prefixInstanceReport = "/instancereports/"

// reportsKept is how many reports an instance keeps (the newest), so that
// a user repeating reports cannot grow the store.
const reportsKept = 20

// Report statuses and reason codes EC2 accepts.
var (
	reportStatuses = []string{"ok", "impaired"}
	reportReasons  = []string{"instance-stuck-in-state", "unresponsive", "not-accepting-credentials", "password-not-available",
		"performance-network", "performance-instance-store", "performance-ebs-volume", "performance-other", "other"}
)

// InstanceReport is one reported experience of one instance.
type InstanceReport struct {
	InstanceID  string    `json:"instance_id"`
	Owner       string    `json:"owner"`
	Status      string    `json:"status"`
	Reasons     []string  `json:"reasons"`
	Description string    `json:"description,omitempty"`
	Start       time.Time `json:"start,omitempty"`
	End         time.Time `json:"end,omitempty"`
	Reported    time.Time `json:"reported"`
}

// ReportRequest is ReportInstanceStatus' input.
type ReportRequest struct {
	InstanceIDs []string
	Status      string
	Reasons     []string
	Description string
	Start, End  time.Time
	DryRun      bool
}

// ReportInstanceStatus records the caller's report about each of its
// instances (all must exist); statuses do not change.
func (s *Service) ReportInstanceStatus(ctx context.Context, req ReportRequest) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if err := req.validate(); err != nil {
		return err
	}
	idList := slices.Clone(req.InstanceIDs)
	slices.Sort(idList)
	insts, err := s.ownedInstances(ctx, acct, slices.Compact(idList)) // each instance once
	if err != nil {
		return err
	}
	if req.DryRun {
		return DryRun()
	}
	now := s.now().UTC()
	var ops []store.Op
	for _, in := range insts {
		r := InstanceReport{InstanceID: in.ID, Owner: acct, Status: req.Status, Reasons: req.Reasons,
			Description: req.Description, Start: req.Start, End: req.End, Reported: now}
		op, err := store.PutJSON(fmt.Sprintf("%s%s/%019d", prefixInstanceReport, in.ID, now.UnixNano()), r, store.AnyRevision)
		if err != nil {
			return err
		}
		old, err := s.st.List(ctx, prefixInstanceReport+in.ID+"/")
		if err != nil {
			return fmt.Errorf("reports of %s: %w", in.ID, err)
		}
		for i := 0; i+reportsKept <= len(old); i++ { // the oldest go: at most reportsKept stay
			ops = append(ops, store.Op{Key: old[i].Key, Delete: true, ExpectRevision: store.AnyRevision})
		}
		ops = append(ops, op)
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return fmt.Errorf("record status reports: %w", err)
	}
	for _, in := range insts {
		s.log.Info("instance status reported", "instance", in.ID, "account", acct, "status", req.Status,
			"reasons", req.Reasons, "host", in.HostID)
	}
	return nil
}

// validate checks a report as EC2 does.
func (r ReportRequest) validate() error {
	switch {
	case len(r.InstanceIDs) == 0:
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceId")
	case r.Status == "":
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Status")
	case !slices.Contains(reportStatuses, r.Status):
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter Status is invalid. Valid values: ok, impaired", r.Status)
	case len(r.Reasons) == 0:
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ReasonCode")
	case len(r.Description) > 255:
		return ec2err.New(ec2err.InvalidParameterValue, "Description is longer than 255 characters")
	case !r.Start.IsZero() && !r.End.IsZero() && r.End.Before(r.Start):
		return ec2err.New(ec2err.InvalidParameterValue, "EndTime is before StartTime")
	}
	for _, c := range r.Reasons {
		if !slices.Contains(reportReasons, c) {
			return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter ReasonCode is invalid.", c)
		}
	}
	return nil
}

// InstanceReports lists the reports recorded about an instance, oldest
// first (for operators and tests).
func (s *Service) InstanceReports(ctx context.Context, instanceID string) ([]InstanceReport, error) {
	return store.ListJSON[InstanceReport](ctx, s.st, prefixInstanceReport+instanceID+"/")
}
