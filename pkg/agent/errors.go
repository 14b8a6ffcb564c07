package agent

import (
	"errors"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/storage"
)

func instanceNotFound(id string) error {
	return ec2err.New(ec2err.InvalidInstanceIDNotFound, "the instance ID '%s' does not exist on this host", id)
}

func volumeNotFound(id string) error {
	return ec2err.New(ec2err.InvalidVolumeNotFound, "the volume '%s' does not exist", id)
}

func capacity(format string, args ...any) error {
	return ec2err.New(ec2err.InsufficientInstanceCapacity, format, args...)
}

func missing(what string) error {
	return ec2err.New(ec2err.MissingParameter, "the request must contain the parameter %s", what)
}

func isInstanceNotFound(err error) bool {
	e, ok := ec2err.As(err)
	return errors.Is(err, hypervisor.ErrNotFound) || ok && e.Code == ec2err.InvalidInstanceIDNotFound
}

// orInstanceNotFound turns a hypervisor ErrNotFound into the EC2 error.
func orInstanceNotFound(id string, err error) error {
	if errors.Is(err, hypervisor.ErrNotFound) {
		return instanceNotFound(id)
	}
	return err
}

// orVolumeNotFound turns a storage ErrNotFound into the EC2 error.
func orVolumeNotFound(id string, err error) error {
	if errors.Is(err, storage.ErrNotFound) {
		return volumeNotFound(id)
	}
	if errors.Is(err, storage.ErrInvalidName) {
		return ec2err.New(ec2err.InvalidParameterValue, "invalid volume file name %q", id)
	}
	return err
}
