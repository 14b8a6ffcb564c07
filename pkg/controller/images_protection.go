package controller

import (
	"context"
	"fmt"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Deregistration protection (EnableImageDeregistrationProtection): a
// protected image cannot be deregistered. Protection enabled with a
// cooldown keeps the image protected for ProtectionCooldown after it is
// disabled; DescribeImages then reads disabled-after-<time>.
const (
	ProtectionWithCooldown    = "enabled-with-cooldown"
	ProtectionWithoutCooldown = "enabled-without-cooldown"
	ProtectionDisabled        = "disabled"
	// ProtectionCooldown is how long a protection enabled with a cooldown
	// outlives its disabling.
	ProtectionCooldown = 24 * time.Hour
)

// protectionAt is img's deregistrationProtection at now: the setting when
// enabled, disabled-after-<end of cooldown> while a cooldown runs, else
// disabled.
func protectionAt(img Image, now time.Time) string {
	switch {
	case img.Protection != "":
		return img.Protection
	case now.Before(img.ProtectedUntil):
		return "disabled-after-" + img.ProtectedUntil.UTC().Format(LastLaunchedTimeFormat)
	}
	return ProtectionDisabled
}

// withProtection fills the computed DeregistrationProtection of img.
func (s *Service) withProtection(img Image) Image {
	img.DeregistrationProtection = protectionAt(img, s.now())
	return img
}

// EnableImageDeregistrationProtection protects the caller's image from
// DeregisterImage, with or without the 24-hour cooldown, and answers the
// new setting.
func (s *Service) EnableImageDeregistrationProtection(ctx context.Context, id string, withCooldown, dryRun bool) (string, error) {
	if _, err := s.ownedImage(ctx, id); err != nil {
		return "", err
	}
	if dryRun {
		return "", DryRun()
	}
	setting := ProtectionWithoutCooldown
	if withCooldown {
		setting = ProtectionWithCooldown
	}
	img, err := update(ctx, s.st, prefixImage+id, func(img *Image) error {
		if img.State == "deregistered" {
			return imageNotFound(id)
		}
		img.Protection, img.ProtectedUntil = setting, time.Time{}
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("enable deregistration protection of %s: %w", id, err)
	}
	s.log.Info("image deregistration protection enabled", "image", id, "setting", setting)
	return protectionAt(img, s.now()), nil
}

// DisableImageDeregistrationProtection lifts the protection of the
// caller's image: at once, or after the cooldown when it was enabled with
// one. It answers the new setting (disabled or disabled-after-<time>).
func (s *Service) DisableImageDeregistrationProtection(ctx context.Context, id string, dryRun bool) (string, error) {
	if _, err := s.ownedImage(ctx, id); err != nil {
		return "", err
	}
	if dryRun {
		return "", DryRun()
	}
	now := s.now()
	img, err := update(ctx, s.st, prefixImage+id, func(img *Image) error {
		if img.State == "deregistered" {
			return imageNotFound(id)
		}
		if img.Protection == ProtectionWithCooldown {
			img.ProtectedUntil = now.Add(ProtectionCooldown).UTC().Truncate(time.Second)
		}
		img.Protection = ""
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("disable deregistration protection of %s: %w", id, err)
	}
	s.log.Info("image deregistration protection disabled", "image", id, "until", img.ProtectedUntil)
	return protectionAt(img, now), nil
}

// checkDeregistrable refuses to deregister a protected image, or one
// whose protection's cooldown still runs. EC2 documents no code for it;
// ec2lab answers InvalidParameterValue.
func checkDeregistrable(img Image, now time.Time) error {
	switch p := protectionAt(img, now); p {
	case ProtectionDisabled:
		return nil
	case ProtectionWithCooldown, ProtectionWithoutCooldown:
		return ec2err.New(ec2err.InvalidParameterValue,
			"The image %s has deregistration protection enabled. Disable deregistration protection before deregistering it.", img.ID)
	default:
		return ec2err.New(ec2err.InvalidParameterValue,
			"The image %s cannot be deregistered before %s: its deregistration protection had a cooldown period.",
			img.ID, img.ProtectedUntil.UTC().Format(LastLaunchedTimeFormat))
	}
}
