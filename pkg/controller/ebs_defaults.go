package controller

import (
	"context"
	"errors"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// EBS encryption by default: an account's setting in this region (the
// store is the region's). While it is on, every new volume of the account
// is encrypted (CreateVolume, RunInstances' volumes, volumes of
// unencrypted snapshots) and so is every snapshot copy it makes, as on
// EC2. Volumes and snapshots made before keep their encryption.
//
// ec2lab encrypts with a key per volume sealed by the region's master key,
// which stands for EC2's AWS managed key: GetEbsDefaultKmsKeyId answers
// its alias, alias/aws/ebs. There is no KMS to name another key, so
// ModifyEbsDefaultKmsKeyId and ResetEbsDefaultKmsKeyId are refused.

// prefixEBSDefaults + account → ebsDefaults.
const prefixEBSDefaults = "/ebsdefaults/"

// DefaultEBSKeyAlias is EC2's alias of the AWS managed key for EBS.
const DefaultEBSKeyAlias = "alias/aws/ebs"

// ebsDefaults is one account's EBS settings.
type ebsDefaults struct {
	EncryptByDefault bool `json:"encrypt_by_default"`
}

// encryptByDefault reports whether acct's new volumes are encrypted.
func (s *Service) encryptByDefault(ctx context.Context, acct string) (bool, error) {
	d, _, err := store.GetJSON[ebsDefaults](ctx, s.st, prefixEBSDefaults+acct)
	if errors.Is(err, store.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return d.EncryptByDefault, nil
}

// GetEbsEncryptionByDefault answers the caller's setting.
func (s *Service) GetEbsEncryptionByDefault(ctx context.Context, dryRun bool) (bool, error) {
	acct, err := account(ctx)
	if err != nil {
		return false, err
	}
	if dryRun {
		return false, DryRun()
	}
	return s.encryptByDefault(ctx, acct)
}

// SetEbsEncryptionByDefault turns the caller's setting on or off and
// answers it. A region without a master key cannot encrypt, so it refuses
// to turn it on.
func (s *Service) SetEbsEncryptionByDefault(ctx context.Context, on, dryRun bool) (bool, error) {
	acct, err := account(ctx)
	if err != nil {
		return false, err
	}
	if on {
		if _, err := s.master(); err != nil {
			return false, err
		}
	}
	if dryRun {
		return false, DryRun()
	}
	if err := put(ctx, s.st, prefixEBSDefaults+acct, ebsDefaults{EncryptByDefault: on}); err != nil {
		return false, err
	}
	s.log.Info("EBS encryption by default set", "account", acct, "enabled", on)
	return on, nil
}

// GetEbsDefaultKMSKeyID answers the key new encrypted volumes get: the
// region's master key, under EC2's alias of the AWS managed key.
func (s *Service) GetEbsDefaultKMSKeyID(ctx context.Context, dryRun bool) (string, error) {
	if _, err := account(ctx); err != nil {
		return "", err
	}
	if _, err := s.master(); err != nil {
		return "", err
	}
	if dryRun {
		return "", DryRun()
	}
	return DefaultEBSKeyAlias, nil
}

// ModifyEbsDefaultKMSKeyID is refused: ec2lab has no KMS keys to choose.
func (s *Service) ModifyEbsDefaultKMSKeyID(ctx context.Context) (string, error) {
	if _, err := account(ctx); err != nil {
		return "", err
	}
	return "", ec2err.New(ec2err.UnsupportedOperation,
		"The default KMS key cannot be changed: ec2lab has no KMS; volumes are encrypted with the region's own key (%s)", DefaultEBSKeyAlias)
}

// ResetEbsDefaultKMSKeyID is refused as ModifyEbsDefaultKMSKeyID is.
func (s *Service) ResetEbsDefaultKMSKeyID(ctx context.Context) (string, error) {
	if _, err := account(ctx); err != nil {
		return "", err
	}
	return "", ec2err.New(ec2err.UnsupportedOperation,
		"The default KMS key cannot be reset: ec2lab has no KMS; volumes are always encrypted with the region's own key (%s)", DefaultEBSKeyAlias)
}
