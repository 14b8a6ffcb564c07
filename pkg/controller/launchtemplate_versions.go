package controller

import (
	"context"
	"errors"
	"fmt"
	"strconv"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// CreateVersionRequest is CreateLaunchTemplateVersion's input.
type CreateVersionRequest struct {
	TemplateID, TemplateName string
	// SourceVersion (a number, $Latest or $Default) is the version whose
	// data the new one starts from; Data's members replace its members.
	SourceVersion, VersionDescription string
	Data                              LaunchTemplateData
	ClientToken                       string
	DryRun                            bool
}

// maxTxnRetries bounds the retries of a transaction that lost a race on
// a template record.
const maxTxnRetries = 50

// CreateLaunchTemplateVersion adds a version to a template, numbered after
// the last one ever made; it is not made the default.
func (s *Service) CreateLaunchTemplateVersion(ctx context.Context, req CreateVersionRequest) (LaunchTemplateVersion, []ValidationError, error) {
	acct, err := account(ctx)
	if err != nil {
		return LaunchTemplateVersion{}, nil, err
	}
	if v, done, err := s.replayCreateVersion(ctx, acct, req); done || err != nil {
		return v, nil, err
	}
	t, _, err := s.ownTemplate(ctx, acct, req.TemplateID, req.TemplateName)
	if err != nil {
		return LaunchTemplateVersion{}, nil, err
	}
	if err := checkVersionDescription(req.VersionDescription); err != nil {
		return LaunchTemplateVersion{}, nil, err
	}
	data := req.Data
	if req.SourceVersion != "" {
		src, _, err := s.templateVersion(ctx, t, req.SourceVersion)
		if err != nil {
			return LaunchTemplateVersion{}, nil, err
		}
		data = req.Data.overlay(src.Data)
	}
	if err := s.checkTemplateData(data); err != nil {
		return LaunchTemplateVersion{}, nil, err
	}
	warnings := s.templateWarnings(ctx, acct, data)
	if req.DryRun {
		return LaunchTemplateVersion{}, nil, DryRun()
	}
	v, err := s.addVersion(ctx, acct, t.ID, req, data)
	if err != nil {
		return LaunchTemplateVersion{}, nil, err
	}
	s.log.Info("launch template version created", "template", t.ID, "version", v.Number, "account", acct)
	return v, warnings, nil
}

// addVersion records the next version of template id, retrying when the
// template changed under it.
func (s *Service) addVersion(ctx context.Context, acct, id string, req CreateVersionRequest, data LaunchTemplateData) (LaunchTemplateVersion, error) {
	for attempt := 0; ; attempt++ {
		t, rev, err := store.GetJSON[LaunchTemplate](ctx, s.st, prefixLaunchTemplate+id)
		if err != nil {
			return LaunchTemplateVersion{}, templateIDNotFound(id)
		}
		t.LastNumber++
		t.LatestVersion = t.LastNumber
		v := LaunchTemplateVersion{TemplateID: id, Number: t.LastNumber, Description: req.VersionDescription,
			CreateTime: s.now().UTC(), Data: data, Template: t}
		top, _ := store.PutJSON(prefixLaunchTemplate+id, t, rev)
		vop, err := store.PutJSON(ltVersionKey(id, v.Number), v, store.MustNotExist)
		if err != nil {
			return LaunchTemplateVersion{}, err
		}
		ops := []store.Op{top, vop}
		if req.ClientToken != "" {
			ops = append(ops, tokenOp(acct, "CreateLaunchTemplateVersion", req.ClientToken, createVersionHash(req),
				[]string{id, strconv.FormatInt(v.Number, 10)}))
		}
		_, err = s.st.Txn(ctx, ops...)
		if err == nil {
			return v, nil
		}
		if !errors.Is(err, store.ErrConflict) || attempt >= maxTxnRetries {
			return LaunchTemplateVersion{}, fmt.Errorf("record version of %s: %w", id, err)
		}
	}
}

func createVersionHash(req CreateVersionRequest) string {
	req.ClientToken, req.DryRun = "", false
	return hashOf(req)
}

// replayCreateVersion answers a retried CreateLaunchTemplateVersion with
// the same ClientToken with the version it made.
func (s *Service) replayCreateVersion(ctx context.Context, acct string, req CreateVersionRequest) (LaunchTemplateVersion, bool, error) {
	rec, err := s.tokenRecord(ctx, acct, "CreateLaunchTemplateVersion", req.ClientToken, createVersionHash(req))
	if rec == nil || err != nil {
		return LaunchTemplateVersion{}, err != nil, err
	}
	t, _, err := store.GetJSON[LaunchTemplate](ctx, s.st, prefixLaunchTemplate+rec.ResultIDs[0])
	if err != nil {
		return LaunchTemplateVersion{}, true, templateIDNotFound(rec.ResultIDs[0])
	}
	v, _, err := s.templateVersion(ctx, t, rec.ResultIDs[1])
	return v, true, err
}

// ModifyLaunchTemplate makes an existing version the template's default
// (no version: the template is returned unchanged).
func (s *Service) ModifyLaunchTemplate(ctx context.Context, id, name, defaultVersion string, dryRun bool) (LaunchTemplate, error) {
	acct, err := account(ctx)
	if err != nil {
		return LaunchTemplate{}, err
	}
	for attempt := 0; ; attempt++ {
		t, rev, err := s.ownTemplate(ctx, acct, id, name)
		if err != nil {
			return LaunchTemplate{}, err
		}
		if defaultVersion == "" {
			if dryRun {
				return LaunchTemplate{}, DryRun()
			}
			return t, nil
		}
		v, _, err := s.templateVersion(ctx, t, defaultVersion)
		if err != nil {
			return LaunchTemplate{}, err
		}
		if dryRun {
			return LaunchTemplate{}, DryRun()
		}
		t.DefaultVersion = v.Number
		op, _ := store.PutJSON(prefixLaunchTemplate+t.ID, t, rev) // a version deletion changes rev
		_, err = s.st.Txn(ctx, op)
		if err == nil {
			s.log.Info("launch template default version set", "template", t.ID, "version", v.Number, "account", acct)
			return t, nil
		}
		if !errors.Is(err, store.ErrConflict) || attempt >= maxTxnRetries {
			return LaunchTemplate{}, fmt.Errorf("set default version of %s: %w", t.ID, err)
		}
	}
}

// DeleteLaunchTemplate deletes a template and every version of it.
func (s *Service) DeleteLaunchTemplate(ctx context.Context, id, name string, dryRun bool) (LaunchTemplate, error) {
	acct, err := account(ctx)
	if err != nil {
		return LaunchTemplate{}, err
	}
	t, rev, err := s.ownTemplate(ctx, acct, id, name)
	if err != nil {
		return LaunchTemplate{}, err
	}
	if dryRun {
		return LaunchTemplate{}, DryRun()
	}
	kvs, err := s.st.List(ctx, prefixLTVersion+t.ID+"/")
	if err != nil {
		return LaunchTemplate{}, err
	}
	ops := []store.Op{{Key: prefixLaunchTemplate + t.ID, Delete: true, ExpectRevision: rev},
		{Key: ltNameKey(acct, t.Name), Delete: true, ExpectRevision: store.AnyRevision}}
	for _, kv := range kvs {
		ops = append(ops, store.Op{Key: kv.Key, Delete: true, ExpectRevision: store.AnyRevision})
	}
	if _, err := s.st.Txn(ctx, ops...); err != nil {
		return LaunchTemplate{}, fmt.Errorf("delete launch template %s: %w", t.ID, err)
	}
	s.log.Info("launch template deleted", "template", t.ID, "versions", len(kvs), "account", acct)
	return t, nil
}
