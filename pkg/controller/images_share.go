package controller

import (
	"context"
	"regexp"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// LaunchPermission lets one account (UserID) or everyone (Group "all")
// launch an image.
type LaunchPermission struct {
	UserID string
	Group  string
}

// ImageAttributeChange is a ModifyImageAttribute request in either of
// EC2's forms: Add/Remove lists, or the legacy Attribute + OperationType +
// UserIDs/UserGroups (and Attribute "description" + Value).
type ImageAttributeChange struct {
	ImageID, Attribute, OperationType, Value string
	Add, Remove                              []LaunchPermission
	UserIDs, UserGroups                      []string
	Description                              *string
	DryRun                                   bool
}

// imageEdit is a validated ImageAttributeChange.
type imageEdit struct {
	add, remove []LaunchPermission
	description *string
}

var accountIDPattern = regexp.MustCompile(`^[0-9]{12}$`)

// ValidAccountID reports a 12-digit account ID.
func ValidAccountID(s string) bool { return accountIDPattern.MatchString(s) }

// ModifyImageAttribute changes an image's launch permissions or
// description. Only the owner may; an image the caller cannot see is not
// found, one it can see but does not own is AuthFailure (EC2's answer).
func (s *Service) ModifyImageAttribute(ctx context.Context, req ImageAttributeChange) error {
	edit, err := req.validate()
	if err != nil {
		return err
	}
	if _, err := s.ownedImage(ctx, req.ImageID); err != nil {
		return err
	}
	if req.DryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixImage+req.ImageID, func(img *Image) error {
		if img.State == "deregistered" {
			return imageNotFound(req.ImageID)
		}
		edit.apply(img)
		return nil
	})
	if err == nil {
		s.log.Info("image attribute modified", "image", req.ImageID, "add", len(edit.add), "remove", len(edit.remove),
			"description", edit.description != nil)
	}
	return err
}

// ResetImageAttribute makes an image private: no public flag, no accounts.
func (s *Service) ResetImageAttribute(ctx context.Context, id, attribute string, dryRun bool) error {
	if attribute != "launchPermission" {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Only launchPermission can be reset", attribute)
	}
	if _, err := s.ownedImage(ctx, id); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	_, err := update(ctx, s.st, prefixImage+id, func(img *Image) error {
		if img.State == "deregistered" {
			return imageNotFound(id)
		}
		img.Public, img.LaunchAccounts = false, nil
		return nil
	})
	if err == nil {
		s.log.Info("image launch permissions reset", "image", id)
	}
	return err
}

// ownedImage returns the caller's live image id, or the error EC2 gives:
// Malformed, NotFound (absent, deregistered or invisible), AuthFailure
// (visible through a launch permission but owned by another account).
func (s *Service) ownedImage(ctx context.Context, id string) (Image, error) {
	acct, err := account(ctx)
	if err != nil {
		return Image{}, err
	}
	if !ids.Valid(ids.Image, id) {
		return Image{}, ec2err.New(ec2err.InvalidAMIIDMalformed, "Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || img.State == "deregistered" || !imageVisible(img, acct) {
		return Image{}, imageNotFound(id)
	}
	if img.Owner != acct {
		return Image{}, ec2err.New(ec2err.AuthFailure, "Not authorized for image:%s", id)
	}
	return img, nil
}

func imageNotFound(id string) error {
	return ec2err.New(ec2err.InvalidAMIIDNotFound, "The image id '[%s]' does not exist", id)
}

// validate turns either form of the request into one edit, or the error
// EC2 gives for it.
func (r ImageAttributeChange) validate() (imageEdit, error) {
	var e imageEdit
	switch r.Attribute {
	case "", "launchPermission":
	case "description":
		if r.Description == nil && r.Value == "" {
			return e, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter Value")
		}
		if r.Description == nil {
			v := r.Value
			e.description = &v
		}
	default:
		return e, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Supported attributes: description, launchPermission", r.Attribute)
	}
	if r.Description != nil {
		e.description = r.Description
	}
	e.add, e.remove = r.Add, r.Remove
	legacy := append(permissionsOf("UserId", r.UserIDs), permissionsOf("Group", r.UserGroups)...)
	switch {
	case r.OperationType == "add":
		e.add = append(e.add, legacy...)
	case r.OperationType == "remove":
		e.remove = append(e.remove, legacy...)
	case r.OperationType != "":
		return e, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter operationType is invalid. Use add or remove", r.OperationType)
	case len(legacy) > 0:
		return e, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter OperationType")
	}
	if r.OperationType != "" && len(legacy) == 0 {
		return e, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter UserId or UserGroup")
	}
	for _, p := range append(slices.Clone(e.add), e.remove...) {
		if err := p.validate(); err != nil {
			return e, err
		}
	}
	if len(e.add) == 0 && len(e.remove) == 0 && e.description == nil {
		return e, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter LaunchPermission, Description or Attribute")
	}
	return e, nil
}

func permissionsOf(kind string, vals []string) []LaunchPermission {
	out := make([]LaunchPermission, 0, len(vals))
	for _, v := range vals {
		if kind == "Group" {
			out = append(out, LaunchPermission{Group: v})
		} else {
			out = append(out, LaunchPermission{UserID: v})
		}
	}
	return out
}

func (p LaunchPermission) validate() error {
	if p.UserID == "" && p.Group == "" {
		return ec2err.New(ec2err.InvalidParameterValue, "A launch permission needs a UserId or a Group")
	}
	if p.UserID != "" && !accountIDPattern.MatchString(p.UserID) {
		return ec2err.New(ec2err.InvalidAMIAttributeItemValue, "Invalid attribute item value \"%s\" for userId item type.", p.UserID)
	}
	if p.Group != "" && p.Group != "all" {
		return ec2err.New(ec2err.InvalidAMIAttributeItemValue, "Invalid attribute item value \"%s\" for UserGroup item type.", p.Group)
	}
	return nil
}

// apply adds, then removes, then sets the description. Adding the owner
// (who may always launch) changes nothing; removing an absent grant
// neither. Accounts stay sorted.
func (e imageEdit) apply(img *Image) {
	for _, p := range e.add {
		if p.Group == "all" {
			img.Public = true
		}
		if p.UserID != "" && p.UserID != img.Owner && !slices.Contains(img.LaunchAccounts, p.UserID) {
			img.LaunchAccounts = append(img.LaunchAccounts, p.UserID)
		}
	}
	for _, p := range e.remove {
		if p.Group == "all" {
			img.Public = false
		}
		img.LaunchAccounts = slices.DeleteFunc(img.LaunchAccounts, func(a string) bool { return a == p.UserID })
	}
	slices.Sort(img.LaunchAccounts)
	if len(img.LaunchAccounts) == 0 {
		img.LaunchAccounts = nil
	}
	if e.description != nil {
		img.Description = *e.description
	}
}

// LaunchPermissions lists an image's grants as DescribeImageAttribute
// shows them to its owner: the public group first, then the accounts.
func LaunchPermissions(img Image) []LaunchPermission {
	var out []LaunchPermission
	if img.Public {
		out = append(out, LaunchPermission{Group: "all"})
	}
	for _, a := range img.LaunchAccounts {
		out = append(out, LaunchPermission{UserID: a})
	}
	return out
}
