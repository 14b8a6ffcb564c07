package controller

import (
	"context"
	"fmt"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// CancelImageLaunchPermission removes the caller's own launch permission
// from an image another account shared with it: the image then leaves the
// caller's DescribeImages and can no longer be launched by it (unless it
// is public). The owner's images and images not shared with the caller
// (public ones included) are refused.
func (s *Service) CancelImageLaunchPermission(ctx context.Context, id string, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if !ids.Valid(ids.Image, id) {
		return ec2err.New(ec2err.InvalidAMIIDMalformed, "Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || img.State == "deregistered" || !imageVisible(img, acct) {
		return imageNotFound(id)
	}
	if err := checkCancellable(img, acct); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixImage+id, func(r *Image) error {
		if r.State == "deregistered" {
			return imageNotFound(id)
		}
		if err := checkCancellable(*r, acct); err != nil {
			return err
		}
		r.LaunchAccounts = slices.DeleteFunc(r.LaunchAccounts, func(a string) bool { return a == acct })
		if len(r.LaunchAccounts) == 0 {
			r.LaunchAccounts = nil
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cancel launch permission of %s on %s: %w", acct, id, err)
	}
	s.log.Info("image launch permission cancelled", "image", id, "account", acct)
	return nil
}

// checkCancellable accepts an image of another account that names acct in
// its launch permissions.
func checkCancellable(img Image, acct string) error {
	if img.Owner == acct {
		return ec2err.New(ec2err.InvalidParameterValue,
			"The image %s is owned by your account: only images shared with your account can have their launch permission cancelled", img.ID)
	}
	if !slices.Contains(img.LaunchAccounts, acct) {
		return ec2err.New(ec2err.InvalidParameterValue,
			"The image %s is not shared with your account (%s) through a launch permission", img.ID, acct)
	}
	return nil
}
