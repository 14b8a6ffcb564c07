package controller

import (
	"context"
	"encoding/base64"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
	"github.com/ec2lab/ec2lab/pkg/uefivars"
)

// GetInstanceUefiData answers the UEFI variable store of one of the
// caller's instances in EC2's format (base64 of an AMZNUEFI store): the
// non-volatile variables of the NVRAM file its domain's firmware keeps on
// its host, read through the agent; before the first boot made that file,
// a store of no variables. An instance that boots otherwise (its image's
// boot mode legacy-bios or a direct kernel) has no variable store:
// UnsupportedOperation (EC2 does not document its answer).
func (s *Service) GetInstanceUefiData(ctx context.Context, id string, dryRun bool) (string, error) {
	in, err := s.instance(ctx, id)
	if err != nil {
		return "", err
	}
	if in.State == StateTerminated || in.State == StateShuttingDown {
		return "", ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is %s: its UEFI variable store is gone.", in.ID, in.State)
	}
	if img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+in.ImageID); err == nil && img.BootMode != "uefi" {
		return "", notUEFI(in.ID)
	}
	if dryRun {
		return "", DryRun()
	}
	vars, err := s.instanceUefiVars(ctx, in)
	if err != nil {
		return "", err
	}
	b, err := uefivars.EncodeAWS(vars)
	if err != nil {
		return "", fmt.Errorf("uefi data of %s: %w", in.ID, err)
	}
	return base64.StdEncoding.EncodeToString(b), nil
}

// instanceUefiVars reads the instance's variables from its host (none
// while it has no host or its first boot has not made them).
func (s *Service) instanceUefiVars(ctx context.Context, in Instance) ([]uefivars.Var, error) {
	if in.HostID == "" {
		return nil, nil
	}
	ag, err := s.agent(in.HostID)
	if err != nil {
		return nil, fmt.Errorf("uefi data of %s: %w", in.ID, err)
	}
	uv, err := ag.UefiVars(ctx, in.ID)
	if err != nil {
		return nil, fmt.Errorf("uefi data of %s: %w", in.ID, err)
	}
	if !uv.UEFI {
		return nil, notUEFI(in.ID)
	}
	if len(uv.NVRAM) == 0 {
		return nil, nil
	}
	vars, err := uefivars.ParseEDK2(uv.NVRAM)
	if err != nil {
		return nil, fmt.Errorf("uefi data of %s: %w", in.ID, err)
	}
	return vars, nil
}

func notUEFI(id string) error {
	return ec2err.New(ec2err.UnsupportedOperation,
		"The instance '%s' does not boot with UEFI: it has no UEFI variable store.", id)
}
