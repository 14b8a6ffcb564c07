package controller

import (
	"context"
	"errors"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// CreditChange is one InstanceCreditSpecification of
// ModifyInstanceCreditSpecification: an instance and its new CPU credit
// mode (standard or unlimited).
type CreditChange struct {
	InstanceID, CPUCredits string
}

// CreditFailure is an instance whose credit mode did not change, with
// EC2's code: InvalidInstanceID.Malformed, InvalidInstanceID.NotFound,
// IncorrectInstanceState or InstanceCreditSpecification.NotSupported.
type CreditFailure struct {
	InstanceID, Code, Message string
}

// CreditResult answers each instance: changed, or not and why.
type CreditResult struct {
	Successful   []string
	Unsuccessful []CreditFailure
}

// ModifyInstanceCreditSpecification switches burstable instances between
// standard CPU credits (each vCPU held to the type's baseline) and
// unlimited, on running or stopped instances. The record changes first;
// then the instance's host changes the domain's definition (the next
// boot) and, when it runs, its CPU cap live. A host that cannot be told
// leaves the change to the next start, which defines the domain anew.
func (s *Service) ModifyInstanceCreditSpecification(ctx context.Context, changes []CreditChange, token string, dryRun bool) (CreditResult, error) {
	acct, err := account(ctx)
	if err != nil {
		return CreditResult{}, err
	}
	if err := checkCreditChanges(changes); err != nil {
		return CreditResult{}, err
	}
	hash := hashOf(changes)
	// A retry with the same token changes the same instances to the same
	// modes again: the answer is the same, unless their states changed.
	seen, err := s.tokenRecord(ctx, acct, "ModifyInstanceCreditSpecification", token, hash)
	if err != nil {
		return CreditResult{}, err
	}
	if dryRun {
		return CreditResult{}, DryRun()
	}
	var out CreditResult
	for _, c := range changes {
		if err := s.changeCredits(ctx, c); err != nil {
			f, err := creditFailure(c.InstanceID, err)
			if err != nil {
				return out, err
			}
			out.Unsuccessful = append(out.Unsuccessful, f)
			continue
		}
		out.Successful = append(out.Successful, c.InstanceID)
	}
	if token != "" && seen == nil {
		_, err := s.st.Txn(ctx, tokenOp(acct, "ModifyInstanceCreditSpecification", token, hash, out.Successful))
		if err != nil && !errors.Is(err, store.ErrConflict) { // a conflict: a concurrent retry recorded it
			return out, fmt.Errorf("record client token: %w", err)
		}
	}
	return out, nil
}

// checkCreditChanges refuses a request EC2 refuses whole: no instance, an
// instance without an ID, a credit mode that is neither.
func checkCreditChanges(changes []CreditChange) error {
	if len(changes) == 0 {
		return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceCreditSpecification")
	}
	for _, c := range changes {
		switch {
		case c.InstanceID == "":
			return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceCreditSpecification.InstanceId")
		case c.CPUCredits == "":
			return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceCreditSpecification.CpuCredits")
		case c.CPUCredits != CreditsStandard && c.CPUCredits != CreditsUnlimited:
			return ec2err.New(ec2err.InvalidParameterValue,
				"Value (%s) for parameter CpuCredits is invalid. Valid values: standard, unlimited", c.CPUCredits)
		}
	}
	return nil
}

// creditFailure is the unsuccessful item of an instance's EC2 error; any
// other error fails the call.
func creditFailure(id string, err error) (CreditFailure, error) {
	e, ok := ec2err.As(err)
	if !ok {
		return CreditFailure{}, err
	}
	return CreditFailure{InstanceID: id, Code: e.Code, Message: e.Message}, nil
}

// changeCredits records one instance's new mode and makes it take effect.
func (s *Service) changeCredits(ctx context.Context, c CreditChange) error {
	in, err := s.instance(ctx, c.InstanceID)
	if err != nil {
		return err
	}
	if err := s.checkCreditTarget(in); err != nil {
		return err
	}
	rec, err := update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error {
		if err := s.checkCreditTarget(*r); err != nil {
			return err
		}
		r.CPUCredits = c.CPUCredits
		return nil
	})
	if err != nil {
		var e *ec2err.Error
		if errors.As(err, &e) {
			return e
		}
		return fmt.Errorf("credit specification of %s: %w", in.ID, err)
	}
	s.log.Info("instance credit specification modified", "instance", in.ID, "cpu_credits", c.CPUCredits)
	s.creditsTakeEffect(ctx, rec)
	return nil
}

// checkCreditTarget accepts a burstable instance that is running or
// stopped, as EC2 does.
func (s *Service) checkCreditTarget(in Instance) error {
	if t, ok := s.types.Get(in.Type); !ok || !t.Burstable {
		return ec2err.New(ec2err.InstanceCreditSpecificationNotSupported,
			"The instance '%s' is of type %s, which is not a burstable performance instance type.", in.ID, in.Type)
	}
	if in.State != StateRunning && in.State != StateStopped {
		return ec2err.New(ec2err.IncorrectInstanceState,
			"The instance '%s' is not in the 'running' or 'stopped' state (state: %s).", in.ID, in.State)
	}
	return nil
}

// creditsTakeEffect tells the instance's host its new CPU cap. When the
// host cannot be told, the record asks the next start to define the
// domain anew (from the record).
func (s *Service) creditsTakeEffect(ctx context.Context, in Instance) {
	if in.HostID == "" {
		return
	}
	err := s.setCPUBaseline(ctx, in)
	if err == nil {
		return
	}
	s.log.Warn("credit specification not applied on the host: the next start applies it", "instance", in.ID,
		"host", in.HostID, "err", err)
	if _, uerr := update(ctx, s.st, prefixInstance+in.ID, func(r *Instance) error {
		r.Redefine = true
		return nil
	}); uerr != nil && !errors.Is(uerr, store.ErrNotFound) {
		s.log.Warn("mark the domain outdated", "instance", in.ID, "err", uerr)
	}
}

// setCPUBaseline tells the host in's cap: the type's baseline when its
// credits are standard, none when unlimited.
func (s *Service) setCPUBaseline(ctx context.Context, in Instance) error {
	ag, err := s.agent(in.HostID)
	if err != nil {
		return err
	}
	var pct int32
	if t, ok := s.types.Get(in.Type); ok && in.CPUCredits == CreditsStandard {
		pct = int32(t.BaselinePercent)
	}
	return ag.SetCPUBaseline(ctx, in.ID, pct)
}
