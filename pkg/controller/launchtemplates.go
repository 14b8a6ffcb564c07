package controller

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Store key prefixes of launch templates.
const (
	prefixLaunchTemplate = "/launchtemplates/" // + ID → LaunchTemplate
	prefixLTName         = "/ltnames/"         // + account/name → template ID (uniqueness guard)
	prefixLTVersion      = "/ltversions/"      // + ID/number (19 digits) → LaunchTemplateVersion
)

// LaunchTemplate is the record of one account's launch template; its
// versions are records of their own (LaunchTemplateVersion).
type LaunchTemplate struct {
	ID             string    `json:"id"`
	Owner          string    `json:"owner"`
	Name           string    `json:"name"`
	CreateTime     time.Time `json:"create_time"`
	DefaultVersion int64     `json:"default_version"`
	// LatestVersion is the highest version number that exists.
	LatestVersion int64 `json:"latest_version"`
	// LastNumber is the last version number handed out: numbers are never
	// used twice, even after their version is deleted.
	LastNumber int64 `json:"last_number"`
	Tags       []Tag `json:"tags,omitempty"`
}

// CreatedBy is the ARN of the principal that created t (its account's root).
func (t LaunchTemplate) CreatedBy() string { return "arn:aws:iam::" + t.Owner + ":root" }

// LaunchTemplateVersion is one immutable version of a launch template.
type LaunchTemplateVersion struct {
	TemplateID  string             `json:"template_id"`
	Number      int64              `json:"number"`
	Description string             `json:"description,omitempty"`
	CreateTime  time.Time          `json:"create_time"`
	Data        LaunchTemplateData `json:"data"`
	// Template is the version's template as read with it (its name,
	// owner and default version); not stored with the version.
	Template LaunchTemplate `json:"-"`
}

// IsDefault reports whether v is its template's default version.
func (v LaunchTemplateVersion) IsDefault() bool { return v.Template.DefaultVersion == v.Number }

func ltNameKey(acct, name string) string { return prefixLTName + acct + "/" + name }

func ltVersionKey(id string, n int64) string {
	return fmt.Sprintf("%s%s/%019d", prefixLTVersion, id, n)
}

// CreateTemplateRequest is CreateLaunchTemplate's input.
type CreateTemplateRequest struct {
	Name, VersionDescription string
	Data                     LaunchTemplateData
	// TagSpecs tag the template (resource type launch-template).
	TagSpecs    []TemplateTagSpec
	ClientToken string
	DryRun      bool
}

// launchTemplateHooks registers the templates' tags.
func (s *Service) launchTemplateHooks(h *hooks) {
	h.tags(recordTags(s, ids.LaunchTemplate, "launch-template", prefixLaunchTemplate,
		func(r *LaunchTemplate) (string, string, *[]Tag) { return r.ID, r.Owner, &r.Tags }))
}

// CreateLaunchTemplate records a template and its version 1, the default.
// Resources the data names need not exist: what a launch would fail on is
// returned as warnings (EC2's ValidationWarning).
func (s *Service) CreateLaunchTemplate(ctx context.Context, req CreateTemplateRequest) (LaunchTemplate, []ValidationError, error) {
	acct, err := account(ctx)
	if err != nil {
		return LaunchTemplate{}, nil, err
	}
	if t, done, err := s.replayCreateTemplate(ctx, acct, req); done || err != nil {
		return t, nil, err
	}
	tags, err := s.checkNewTemplate(ctx, acct, req)
	if err != nil {
		return LaunchTemplate{}, nil, err
	}
	warnings := s.templateWarnings(ctx, acct, req.Data)
	if req.DryRun {
		return LaunchTemplate{}, nil, DryRun()
	}
	release, err := s.admit(ctx, acct, QuotaLaunchTemplates, "", 1, s.countLaunchTemplates(acct))
	if err != nil {
		return LaunchTemplate{}, nil, err
	}
	defer release()
	now := s.now().UTC()
	t := LaunchTemplate{ID: ids.New(ids.LaunchTemplate), Owner: acct, Name: req.Name, CreateTime: now,
		DefaultVersion: 1, LatestVersion: 1, LastNumber: 1, Tags: tags}
	v := LaunchTemplateVersion{TemplateID: t.ID, Number: 1, Description: req.VersionDescription, CreateTime: now, Data: req.Data}
	ops := make([]store.Op, 0, 4)
	for _, rec := range []struct {
		key string
		v   any
	}{{prefixLaunchTemplate + t.ID, t}, {ltNameKey(acct, t.Name), t.ID}, {ltVersionKey(t.ID, 1), v}} {
		op, err := store.PutJSON(rec.key, rec.v, store.MustNotExist)
		if err != nil {
			return LaunchTemplate{}, nil, err
		}
		ops = append(ops, op)
	}
	if req.ClientToken != "" {
		ops = append(ops, tokenOp(acct, "CreateLaunchTemplate", req.ClientToken, createTemplateHash(req), []string{t.ID}))
	}
	if _, err := s.st.Txn(ctx, ops...); errors.Is(err, store.ErrConflict) {
		return LaunchTemplate{}, nil, templateNameTaken()
	} else if err != nil {
		return LaunchTemplate{}, nil, fmt.Errorf("record launch template %s: %w", t.ID, err)
	}
	s.log.Info("launch template created", "template", t.ID, "name", t.Name, "account", acct)
	return t, warnings, nil
}

// checkNewTemplate checks a CreateLaunchTemplate and returns the
// template's tags.
func (s *Service) checkNewTemplate(ctx context.Context, acct string, req CreateTemplateRequest) ([]Tag, error) {
	if err := checkTemplateName(req.Name); err != nil {
		return nil, err
	}
	if err := checkVersionDescription(req.VersionDescription); err != nil {
		return nil, err
	}
	tags, err := launchTemplateTags(req.TagSpecs)
	if err != nil {
		return nil, err
	}
	if err := s.checkTemplateData(req.Data); err != nil {
		return nil, err
	}
	if _, err := s.st.Get(ctx, ltNameKey(acct, req.Name)); err == nil {
		return nil, templateNameTaken()
	}
	return tags, nil
}

var templateName = regexp.MustCompile(`^[a-zA-Z0-9().\-/_]{3,128}$`)

func checkTemplateName(name string) error {
	if name == "" {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter LaunchTemplateName")
	}
	if !templateName.MatchString(name) {
		return ec2err.New(ec2err.InvalidLaunchTemplateNameMalformed,
			"A launch template name must be between 3 and 128 characters, and may contain letters, numbers, and the following characters: - ( ) . / _.")
	}
	return nil
}

func checkVersionDescription(d string) error {
	if len(d) > 255 {
		return ec2err.New(ec2err.InvalidParameterValue, "A launch template version description is at most 255 characters (got %d)", len(d))
	}
	return nil
}

// launchTemplateTags are the tags CreateLaunchTemplate's TagSpecifications
// give the template itself.
func launchTemplateTags(specs []TemplateTagSpec) ([]Tag, error) {
	var tags []Tag
	for _, spec := range specs {
		if spec.ResourceType != "launch-template" {
			return nil, ec2err.New(ec2err.InvalidParameterValue,
				"'%s' is not a valid taggable resource type for this operation (launch-template).", spec.ResourceType)
		}
		for _, t := range spec.Tags {
			tags = setTag(tags, t)
		}
	}
	return tags, validateTags(tags)
}

func templateNameTaken() error {
	return ec2err.New(ec2err.InvalidLaunchTemplateNameAlreadyExists, "Launch template name already in use.")
}

func createTemplateHash(req CreateTemplateRequest) string {
	req.ClientToken, req.DryRun = "", false
	return hashOf(req)
}

// replayCreateTemplate answers a retried CreateLaunchTemplate with the
// same ClientToken with the template it made.
func (s *Service) replayCreateTemplate(ctx context.Context, acct string, req CreateTemplateRequest) (LaunchTemplate, bool, error) {
	rec, err := s.tokenRecord(ctx, acct, "CreateLaunchTemplate", req.ClientToken, createTemplateHash(req))
	if rec == nil || err != nil {
		return LaunchTemplate{}, err != nil, err
	}
	t, _, err := store.GetJSON[LaunchTemplate](ctx, s.st, prefixLaunchTemplate+rec.ResultIDs[0])
	if err != nil {
		return LaunchTemplate{}, true, templateIDNotFound(rec.ResultIDs[0])
	}
	return t, true, nil
}

// tokenRecord returns the record of an earlier call of op with token (nil
// when there was none, or no token), or IdempotentParameterMismatch when
// its parameters differed.
func (s *Service) tokenRecord(ctx context.Context, acct, op, token, hash string) (*idempotencyRecord, error) {
	if token == "" {
		return nil, nil
	}
	if len(token) > 64 {
		return nil, ec2err.New(ec2err.InvalidParameterValue, "ClientToken is longer than 64 characters")
	}
	rec, _, err := store.GetJSON[idempotencyRecord](ctx, s.st, tokenKey(acct, op, token))
	if err != nil {
		return nil, nil
	}
	if rec.ParamsHash != hash {
		return nil, ec2err.New(ec2err.IdempotentParameterMismatch,
			"Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
	}
	return &rec, nil
}

// ownTemplate finds the caller's template by ID or by name (one of them).
func (s *Service) ownTemplate(ctx context.Context, acct, id, name string) (LaunchTemplate, int64, error) {
	switch {
	case id == "" && name == "":
		return LaunchTemplate{}, 0, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter LaunchTemplateName or LaunchTemplateId")
	case id != "" && name != "":
		return LaunchTemplate{}, 0, ec2err.New(ec2err.InvalidParameterCombination,
			"You must specify either the launch template ID or the launch template name, but not both.")
	case id == "":
		found, _, err := store.GetJSON[string](ctx, s.st, ltNameKey(acct, name))
		if err != nil {
			return LaunchTemplate{}, 0, templateNameNotFound(name)
		}
		id = found
	case !ids.Valid(ids.LaunchTemplate, id):
		return LaunchTemplate{}, 0, ec2err.New(ec2err.InvalidLaunchTemplateIDMalformed,
			"The specified ID for the launch template, %s, is malformed (expecting \"lt-\" and 17 hexadecimal digits).", id)
	}
	t, rev, err := store.GetJSON[LaunchTemplate](ctx, s.st, prefixLaunchTemplate+id)
	if err != nil || t.Owner != acct {
		return LaunchTemplate{}, 0, templateIDNotFound(id)
	}
	return t, rev, nil
}

func templateIDNotFound(id string) error {
	return ec2err.New(ec2err.InvalidLaunchTemplateIDNotFound, "The specified launch template, with template ID %s, does not exist.", id)
}

func templateNameNotFound(name string) error {
	return ec2err.New(ec2err.InvalidLaunchTemplateNameNotFound, "The specified launch template, with template name %s, does not exist.", name)
}

// versionNumber resolves a version of t: a number, $Latest or $Default.
func versionNumber(t LaunchTemplate, v string) (int64, error) {
	switch strings.ToLower(v) {
	case "$latest":
		return t.LatestVersion, nil
	case "$default":
		return t.DefaultVersion, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n < 1 {
		return 0, ec2err.New(ec2err.InvalidParameterValue,
			"Invalid launch template version '%s': expecting a version number, $Latest or $Default.", v)
	}
	return n, nil
}

// templateVersion reads version v (a number, $Latest or $Default) of t.
func (s *Service) templateVersion(ctx context.Context, t LaunchTemplate, v string) (LaunchTemplateVersion, int64, error) {
	n, err := versionNumber(t, v)
	if err != nil {
		return LaunchTemplateVersion{}, 0, err
	}
	ver, rev, err := store.GetJSON[LaunchTemplateVersion](ctx, s.st, ltVersionKey(t.ID, n))
	if err != nil {
		return LaunchTemplateVersion{}, 0, versionNotFound(t.ID, v)
	}
	ver.Template = t
	return ver, rev, nil
}

func versionNotFound(id, v string) error {
	return ec2err.New(ec2err.InvalidLaunchTemplateIDVersionNotFound,
		"Could not find launch template version %s for the launch template with ID %s.", v, id)
}
