package controller

import (
	"context"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Snapshot sharing: a snapshot's createVolumePermission lets everyone
// (group "all": a public snapshot) or named accounts create volumes from
// it, copy it and use it in RunInstances' block device mappings, as on
// EC2. The design mirrors image launch permissions (images_share.go).
// Encrypted snapshots are shared with accounts (the region's key opens
// them for any account of the region) but never made public, as on EC2.

// VolumePermission lets one account (UserID) or everyone (Group "all")
// create volumes from a snapshot (EC2's CreateVolumePermission).
type VolumePermission struct {
	UserID string
	Group  string
}

// SnapshotAttributeChange is a ModifySnapshotAttribute request in either
// of EC2's forms: Add/Remove lists, or the legacy Attribute +
// OperationType + UserIDs/Groups.
type SnapshotAttributeChange struct {
	SnapshotID, Attribute, OperationType string
	Add, Remove                          []VolumePermission
	UserIDs, Groups                      []string
	DryRun                               bool
}

// snapshotEdit is a validated SnapshotAttributeChange.
type snapshotEdit struct {
	add, remove []VolumePermission
}

// ModifySnapshotAttribute changes who may create volumes from the caller's
// snapshot. Another account's snapshot is NotFound when the caller cannot
// see it, AuthFailure when it is shared with the caller.
func (s *Service) ModifySnapshotAttribute(ctx context.Context, req SnapshotAttributeChange) error {
	edit, err := req.validate()
	if err != nil {
		return err
	}
	sn, err := s.ownedSnapshot(ctx, req.SnapshotID)
	if err != nil {
		return err
	}
	if err := edit.check(sn); err != nil {
		return err
	}
	if req.DryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixSnapshot+sn.ID, func(r *Snapshot) error {
		edit.apply(r)
		return nil
	})
	if err == nil {
		s.log.Info("snapshot permissions modified", "snapshot", sn.ID, "add", len(edit.add), "remove", len(edit.remove))
	}
	return err
}

// ResetSnapshotAttribute makes the caller's snapshot private: no public
// flag, no accounts.
func (s *Service) ResetSnapshotAttribute(ctx context.Context, id, attribute string, dryRun bool) error {
	if attribute != "createVolumePermission" {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Only createVolumePermission can be reset", attribute)
	}
	if _, err := s.ownedSnapshot(ctx, id); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	_, err := update(ctx, s.st, prefixSnapshot+id, func(r *Snapshot) error {
		r.Public, r.VolumeAccounts = false, nil
		return nil
	})
	if err == nil {
		s.log.Info("snapshot permissions reset", "snapshot", id)
	}
	return err
}

// SnapshotAttributeValue is DescribeSnapshotAttribute's answer: the
// permissions for createVolumePermission (productCodes has none).
type SnapshotAttributeValue struct {
	SnapshotID, Attribute string
	Permissions           []VolumePermission
}

// DescribeSnapshotAttribute answers one attribute of the caller's snapshot.
func (s *Service) DescribeSnapshotAttribute(ctx context.Context, id, attribute string, dryRun bool) (SnapshotAttributeValue, error) {
	if attribute != "createVolumePermission" && attribute != "productCodes" {
		return SnapshotAttributeValue{}, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Expecting createVolumePermission or productCodes.", attribute)
	}
	sn, err := s.ownedSnapshot(ctx, id)
	if err != nil {
		return SnapshotAttributeValue{}, err
	}
	if dryRun {
		return SnapshotAttributeValue{}, DryRun()
	}
	out := SnapshotAttributeValue{SnapshotID: sn.ID, Attribute: attribute}
	if attribute == "createVolumePermission" {
		out.Permissions = VolumePermissions(sn)
	}
	return out, nil
}

// ownedSnapshot returns the caller's snapshot id, or the error EC2 gives:
// Malformed, NotFound (absent or invisible), AuthFailure (visible through a
// permission but owned by another account).
func (s *Service) ownedSnapshot(ctx context.Context, id string) (Snapshot, error) {
	acct, err := account(ctx)
	if err != nil {
		return Snapshot{}, err
	}
	sn, err := s.visibleSnapshot(ctx, acct, id)
	if err != nil {
		return Snapshot{}, err
	}
	if sn.Owner != acct {
		return Snapshot{}, ec2err.New(ec2err.AuthFailure, "Not authorized for snapshot:%s", id)
	}
	return sn, nil
}

// visibleSnapshot returns a snapshot the caller may use: its own, a public
// one, or one shared with it.
func (s *Service) visibleSnapshot(ctx context.Context, acct, id string) (Snapshot, error) {
	if !ids.Valid(ids.Snapshot, id) {
		return Snapshot{}, ec2err.New(ec2err.InvalidSnapshotIDMalformed, "Invalid id: \"%s\" (expecting \"snap-...\")", id)
	}
	sn, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+id)
	if err != nil || !snapshotVisible(sn, acct) {
		return Snapshot{}, ec2err.New(ec2err.InvalidSnapshotNotFound, "The snapshot '%s' does not exist.", id)
	}
	return sn, nil
}

// validate turns either form of the request into one edit, or the error
// EC2 gives for it.
func (r SnapshotAttributeChange) validate() (snapshotEdit, error) {
	var e snapshotEdit
	switch r.Attribute {
	case "", "createVolumePermission":
	case "productCodes":
		return e, ec2err.New(ec2err.InvalidParameterValue, "The attribute productCodes cannot be modified: only createVolumePermission")
	default:
		return e, ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Expecting createVolumePermission.", r.Attribute)
	}
	e.add, e.remove = r.Add, r.Remove
	legacy := append(volumePermissionsOf(r.UserIDs, false), volumePermissionsOf(r.Groups, true)...)
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
	if len(e.add) == 0 && len(e.remove) == 0 {
		return e, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter CreateVolumePermission")
	}
	return e, nil
}

func volumePermissionsOf(vals []string, group bool) []VolumePermission {
	out := make([]VolumePermission, 0, len(vals))
	for _, v := range vals {
		if group {
			out = append(out, VolumePermission{Group: v})
		} else {
			out = append(out, VolumePermission{UserID: v})
		}
	}
	return out
}

func (p VolumePermission) validate() error {
	switch {
	case p.UserID == "" && p.Group == "":
		return ec2err.New(ec2err.InvalidParameterValue, "A create volume permission needs a UserId or a Group")
	case p.UserID != "" && p.Group != "":
		return ec2err.New(ec2err.InvalidParameterCombination, "A create volume permission takes a UserId or a Group, not both")
	case p.UserID != "" && !ValidAccountID(p.UserID):
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter userId is invalid: expecting a 12-digit account ID", p.UserID)
	case p.Group != "" && p.Group != "all":
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter group is invalid: expecting all", p.Group)
	}
	return nil
}

// check refuses what EC2 refuses for this snapshot: making an encrypted
// snapshot public.
func (e snapshotEdit) check(sn Snapshot) error {
	for _, p := range e.add {
		if p.Group == "all" && sn.Encrypted {
			return ec2err.New(ec2err.UnsupportedOperation, "Encrypted snapshots can't be shared publicly. Specify another snapshot.")
		}
	}
	return nil
}

// apply adds, then removes. Adding the owner (who may always create
// volumes) changes nothing; removing an absent grant neither. Accounts
// stay sorted.
func (e snapshotEdit) apply(sn *Snapshot) {
	for _, p := range e.add {
		if p.Group == "all" {
			sn.Public = true
		}
		if p.UserID != "" && p.UserID != sn.Owner && !slices.Contains(sn.VolumeAccounts, p.UserID) {
			sn.VolumeAccounts = append(sn.VolumeAccounts, p.UserID)
		}
	}
	for _, p := range e.remove {
		if p.Group == "all" {
			sn.Public = false
		}
		sn.VolumeAccounts = slices.DeleteFunc(sn.VolumeAccounts, func(a string) bool { return a == p.UserID })
	}
	slices.Sort(sn.VolumeAccounts)
	if len(sn.VolumeAccounts) == 0 {
		sn.VolumeAccounts = nil
	}
}

// VolumePermissions lists a snapshot's grants as DescribeSnapshotAttribute
// shows them to its owner: the public group first, then the accounts.
func VolumePermissions(sn Snapshot) []VolumePermission {
	var out []VolumePermission
	if sn.Public {
		out = append(out, VolumePermission{Group: "all"})
	}
	for _, a := range sn.VolumeAccounts {
		out = append(out, VolumePermission{UserID: a})
	}
	return out
}
