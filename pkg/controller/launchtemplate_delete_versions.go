package controller

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// VersionDeletion is DeleteLaunchTemplateVersions' answer for one version:
// deleted, or the reason it was not (Code is one of EC2's
// LaunchTemplateErrorCode values).
type VersionDeletion struct {
	TemplateID, TemplateName string
	Number                   int64
	Code, Message            string // empty when deleted
}

// EC2's LaunchTemplateErrorCode values.
const (
	ltErrIDNotFound      = "launchTemplateIdDoesNotExist"
	ltErrIDMalformed     = "launchTemplateIdMalformed"
	ltErrNameNotFound    = "launchTemplateNameDoesNotExist"
	ltErrNameMalformed   = "launchTemplateNameMalformed"
	ltErrVersionNotFound = "launchTemplateVersionDoesNotExist"
	ltErrDefaultVersion  = "unexpectedError" // EC2's answer for the default version
)

// maxDeleteVersions is how many versions one call may delete.
const maxDeleteVersions = 200

// DeleteLaunchTemplateVersions deletes versions of a template, each on its
// own: a version that does not exist, or is the default, is answered in
// the unsuccessful list (as is every version when the template is not
// found) and the others are deleted.
func (s *Service) DeleteLaunchTemplateVersions(ctx context.Context, id, name string, versions []string, dryRun bool) (ok, failed []VersionDeletion, err error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, nil, err
	}
	nums, err := deletionNumbers(versions)
	if err != nil {
		return nil, nil, err
	}
	for attempt := 0; ; attempt++ {
		t, rev, err := s.ownTemplate(ctx, acct, id, name)
		if err != nil {
			failed, err := allFailed(id, name, nums, err)
			return nil, failed, err
		}
		ok, failed, ops, err := s.planDeletions(ctx, t, rev, nums)
		if err != nil || dryRun {
			return nil, nil, orDryRun(err, dryRun)
		}
		if len(ok) == 0 {
			return nil, failed, nil
		}
		_, err = s.st.Txn(ctx, ops...)
		if err == nil {
			s.log.Info("launch template versions deleted", "template", t.ID, "count", len(ok), "account", acct)
			return ok, failed, nil
		}
		if !errors.Is(err, store.ErrConflict) || attempt >= maxTxnRetries {
			return nil, nil, fmt.Errorf("delete versions of %s: %w", t.ID, err)
		}
	}
}

func orDryRun(err error, dryRun bool) error {
	if err == nil && dryRun {
		return DryRun()
	}
	return err
}

// deletionNumbers parses the version numbers to delete (numbers only, as
// EC2: no $Latest or $Default here).
func deletionNumbers(versions []string) ([]int64, error) {
	if len(versions) == 0 {
		return nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter LaunchTemplateVersion")
	}
	if len(versions) > maxDeleteVersions {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "You can delete up to %d launch template versions in a single request (got %d).",
			maxDeleteVersions, len(versions))
	}
	out := make([]int64, 0, len(versions))
	for _, v := range versions {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid launch template version '%s': expecting a version number.", v)
		}
		out = append(out, n)
	}
	return out, nil
}

// allFailed answers every version when the template itself was not found
// or its ID or name is malformed; any other error is the call's.
func allFailed(id, name string, nums []int64, cause error) ([]VersionDeletion, error) {
	var code string
	switch ec2err.Code(cause) {
	case ec2err.InvalidLaunchTemplateIDNotFound:
		code = ltErrIDNotFound
	case ec2err.InvalidLaunchTemplateIDMalformed:
		code = ltErrIDMalformed
	case ec2err.InvalidLaunchTemplateNameNotFound:
		code = ltErrNameNotFound
	case ec2err.InvalidLaunchTemplateNameMalformed:
		code = ltErrNameMalformed
	default:
		return nil, cause
	}
	msg := cause.Error()
	if e, ok := ec2err.As(cause); ok {
		msg = e.Message
	}
	out := make([]VersionDeletion, len(nums))
	for i, n := range nums {
		out[i] = VersionDeletion{TemplateID: id, TemplateName: name, Number: n, Code: code, Message: msg}
	}
	return out, nil
}

// planDeletions sorts nums into what can be deleted and what cannot, and
// returns the transaction deleting the former (the template record is
// rewritten with its rev, so that a concurrent change to it retries).
func (s *Service) planDeletions(ctx context.Context, t LaunchTemplate, rev int64, nums []int64) (ok, failed []VersionDeletion, ops []store.Op, err error) {
	gone := map[int64]bool{}
	for _, n := range nums {
		d := VersionDeletion{TemplateID: t.ID, TemplateName: t.Name, Number: n}
		_, getErr := s.st.Get(ctx, ltVersionKey(t.ID, n))
		switch {
		case n == t.DefaultVersion:
			d.Code, d.Message = ltErrDefaultVersion, "Cannot delete the default version of a launch template; make another version the default first, or delete the launch template."
		case getErr != nil || gone[n]:
			d.Code, d.Message = ltErrVersionNotFound, fmt.Sprintf("The launch template version %d does not exist.", n)
		default:
			gone[n] = true
			ok = append(ok, d)
			ops = append(ops, store.Op{Key: ltVersionKey(t.ID, n), Delete: true, ExpectRevision: store.AnyRevision})
			continue
		}
		failed = append(failed, d)
	}
	if t.LatestVersion, err = s.latestRemaining(ctx, t, gone); err != nil {
		return nil, nil, nil, err
	}
	top, err := store.PutJSON(prefixLaunchTemplate+t.ID, t, rev)
	return ok, failed, append(ops, top), err
}

// latestRemaining is the highest version number of t left once the
// versions in gone are deleted (the default always remains).
func (s *Service) latestRemaining(ctx context.Context, t LaunchTemplate, gone map[int64]bool) (int64, error) {
	vs, err := store.ListJSON[LaunchTemplateVersion](ctx, s.st, prefixLTVersion+t.ID+"/")
	if err != nil {
		return 0, err
	}
	latest := t.DefaultVersion
	for _, v := range vs {
		if !gone[v.Number] && v.Number > latest {
			latest = v.Number
		}
	}
	return latest, nil
}
