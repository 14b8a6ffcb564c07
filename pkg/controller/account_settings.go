package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Account settings of the region (EC2 keeps them per account and Region):
// serial console access, the defaults of new instances' metadata options
// and the default credit option of each burstable family. One record per
// account; an absent record is every default.

// prefixAccountSettings + account → accountSettings.
const prefixAccountSettings = "/accountsettings/"

// accountSettings is one account's settings.
type accountSettings struct {
	// SerialConsoleOff turns the account's serial console access off. EC2
	// starts an account with access disabled; ec2lab starts it enabled, as
	// a lab's first debugging tool (README: Account settings).
	SerialConsoleOff bool `json:"serial_console_off,omitempty"`
	// Metadata are the defaults of new instances' metadata options.
	Metadata MetadataDefaults `json:"metadata,omitempty"`
	// Credits is the default CPU credit option by burstable family.
	Credits map[string]string `json:"credits,omitempty"`
}

// settings reads acct's settings (zero when none were set).
func (s *Service) settings(ctx context.Context, acct string) (accountSettings, error) {
	st, _, err := store.GetJSON[accountSettings](ctx, s.st, prefixAccountSettings+acct)
	if errors.Is(err, store.ErrNotFound) {
		return accountSettings{}, nil
	}
	if err != nil {
		return accountSettings{}, fmt.Errorf("settings of %s: %w", acct, err)
	}
	return st, nil
}

// changeSettings applies edit to the caller's settings and writes them
// (unless dryRun, which answers DryRunOperation once edit accepted).
func (s *Service) changeSettings(ctx context.Context, dryRun bool, edit func(*accountSettings) error) (accountSettings, error) {
	acct, err := account(ctx)
	if err != nil {
		return accountSettings{}, err
	}
	return upsert(ctx, s.st, prefixAccountSettings+acct, func(st *accountSettings) error {
		if err := edit(st); err != nil {
			return err
		}
		if dryRun {
			return DryRun()
		}
		return nil
	})
}

// callerSettings reads the caller's settings (Get* actions).
func (s *Service) callerSettings(ctx context.Context, dryRun bool) (accountSettings, error) {
	acct, err := account(ctx)
	if err != nil {
		return accountSettings{}, err
	}
	if dryRun {
		return accountSettings{}, DryRun()
	}
	st, err := s.settings(ctx, acct)
	return st, err
}

// SerialConsoleAccess answers whether the caller's account may open
// instances' serial consoles.
func (s *Service) SerialConsoleAccess(ctx context.Context, dryRun bool) (bool, error) {
	st, err := s.callerSettings(ctx, dryRun)
	return !st.SerialConsoleOff, err
}

// SetSerialConsoleAccess turns the caller's serial console access on or
// off and answers it. Off, OpenConsole refuses every instance of the
// account; sessions already open stay (as EC2's).
func (s *Service) SetSerialConsoleAccess(ctx context.Context, on, dryRun bool) (bool, error) {
	st, err := s.changeSettings(ctx, dryRun, func(st *accountSettings) error {
		st.SerialConsoleOff = !on
		return nil
	})
	if err != nil {
		return false, err
	}
	s.log.Info("serial console access set", "enabled", !st.SerialConsoleOff)
	return !st.SerialConsoleOff, nil
}

// checkSerialConsoleAccess refuses acct's console sessions while its
// access is off.
func (s *Service) checkSerialConsoleAccess(ctx context.Context, acct string) error {
	st, err := s.settings(ctx, acct)
	if err != nil {
		return err
	}
	if st.SerialConsoleOff {
		return ec2err.New(ec2err.SerialConsoleAccessDisabled, "Your account is not authorized to use the EC2 Serial Console. "+
			"To authorize your account, run the EnableSerialConsoleAccess API.")
	}
	return nil
}
