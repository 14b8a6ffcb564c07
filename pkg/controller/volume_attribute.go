package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Volume attributes (EC2's VolumeAttributeName): autoEnableIO and
// productCodes.
//
// autoEnableIO is recorded and answered as set. On EC2 it says whether a
// volume's I/O, disabled after a possible data inconsistency, comes back
// on its own. ec2lab never disables a volume's I/O (see volume_status.go),
// so the attribute changes nothing here: every volume behaves as if it
// were true. productCodes: ec2lab has no Marketplace products, so none.

// VolumeAttributeValue is DescribeVolumeAttribute's answer: AutoEnableIO
// for autoEnableIO (productCodes has no value: the list is empty).
type VolumeAttributeValue struct {
	VolumeID, Attribute string
	AutoEnableIO        bool
}

func checkVolumeAttribute(name string) error {
	if name != "autoEnableIO" && name != "productCodes" {
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%s) for parameter attribute is invalid. Expecting autoEnableIO or productCodes.", name)
	}
	return nil
}

// DescribeVolumeAttribute answers one attribute of the caller's volume.
func (s *Service) DescribeVolumeAttribute(ctx context.Context, id, attribute string, dryRun bool) (VolumeAttributeValue, error) {
	acct, err := account(ctx)
	if err != nil {
		return VolumeAttributeValue{}, err
	}
	if err := checkVolumeAttribute(attribute); err != nil {
		return VolumeAttributeValue{}, err
	}
	v, err := s.ownedVolume(ctx, acct, id)
	if err != nil {
		return VolumeAttributeValue{}, err
	}
	if dryRun {
		return VolumeAttributeValue{}, DryRun()
	}
	return VolumeAttributeValue{VolumeID: v.ID, Attribute: attribute, AutoEnableIO: v.AutoEnableIO}, nil
}

// ModifyVolumeAttribute sets the caller's volume's autoEnableIO (nil: the
// request named no attribute, which EC2 refuses).
func (s *Service) ModifyVolumeAttribute(ctx context.Context, id string, autoEnableIO *bool, dryRun bool) error {
	acct, err := account(ctx)
	if err != nil {
		return err
	}
	if _, err := s.ownedVolume(ctx, acct, id); err != nil {
		return err
	}
	if autoEnableIO == nil {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter AutoEnableIO")
	}
	if dryRun {
		return DryRun()
	}
	_, err = update(ctx, s.st, prefixVolume+id, func(v *Volume) error {
		v.AutoEnableIO = *autoEnableIO
		return nil
	})
	if err == nil {
		s.log.Info("volume attribute modified", "volume", id, "auto_enable_io", *autoEnableIO)
	}
	return err
}
