package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Image deprecation (EnableImageDeprecation): from its DeprecationTime an
// image is deprecated. DescribeImages then hides it from every account
// but its owner, unless the caller names it or asks for deprecated images
// (IncludeDeprecated); it can still be launched.

// Deprecation time bounds, as EC2 documents them: at most ten years
// ahead, and for a public image at most two years after its creation.
const (
	maxDeprecationAhead       = 10 * 365 * 24 * time.Hour
	maxPublicDeprecationAfter = 2 * 365 * 24 * time.Hour
)

// deprecatedAt reports whether img is deprecated at now.
func deprecatedAt(img Image, now time.Time) bool {
	return !img.DeprecationTime.IsZero() && !now.Before(img.DeprecationTime)
}

// EnableImageDeprecation deprecates the caller's image at at, rounded to
// the nearest minute as EC2 rounds it.
func (s *Service) EnableImageDeprecation(ctx context.Context, id string, at time.Time, dryRun bool) error {
	if at.IsZero() {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter DeprecateAt")
	}
	img, err := s.ownedImage(ctx, id)
	if err != nil {
		return err
	}
	at = at.UTC().Round(time.Minute)
	if err := checkDeprecationTime(img, at, s.now()); err != nil {
		return err
	}
	if dryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixImage+id, func(img *Image) error {
		if img.State == "deregistered" {
			return imageNotFound(id)
		}
		img.DeprecationTime = at
		return nil
	})
	if err != nil {
		return fmt.Errorf("deprecate %s: %w", id, err)
	}
	s.log.Info("image deprecation enabled", "image", id, "at", at)
	return nil
}

// checkDeprecationTime refuses a time in the past, more than ten years
// ahead, or, for a public image, more than two years after its creation.
func checkDeprecationTime(img Image, at, now time.Time) error {
	switch {
	case at.Before(now.Truncate(time.Minute)):
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter DeprecateAt is invalid. The deprecation time cannot be in the past.", at.Format(time.RFC3339))
	case at.After(now.Add(maxDeprecationAhead)):
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter DeprecateAt is invalid. The deprecation time cannot be more than 10 years from now.", at.Format(time.RFC3339))
	case img.Public && at.After(img.CreationDate.Add(maxPublicDeprecationAfter)):
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter DeprecateAt is invalid. A public image's deprecation time cannot be more than 2 years after its creation date.",
			at.Format(time.RFC3339))
	}
	return nil
}

// DisableImageDeprecation cancels the deprecation of the caller's image.
func (s *Service) DisableImageDeprecation(ctx context.Context, id string, dryRun bool) error {
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
		img.DeprecationTime = time.Time{}
		return nil
	})
	if err != nil {
		return fmt.Errorf("cancel the deprecation of %s: %w", id, err)
	}
	s.log.Info("image deprecation disabled", "image", id)
	return nil
}
