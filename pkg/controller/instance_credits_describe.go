package controller

import (
	"context"
	"sort"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// CreditSpecification is an instance's CPU credit mode.
type CreditSpecification struct {
	InstanceID, CPUCredits string
}

// InstanceCreditSpecifications answers DescribeInstanceCreditSpecifications
// as EC2 does: the mode of each instance asked for (one that has none, not
// being burstable, is an error), or without IDs every instance of the
// caller whose credits are unlimited; filters: instance-id. Sorted by ID.
func (s *Service) InstanceCreditSpecifications(ctx context.Context, idList []string, filters []Filter, p Page, dryRun bool) ([]CreditSpecification, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	for _, f := range filters {
		if f.Name != "instance-id" {
			return nil, "", ec2err.New(ec2err.InvalidParameterValue, "The filter '%s' is invalid", f.Name)
		}
	}
	insts, err := s.ownedInstances(ctx, acct, idList)
	if err != nil {
		return nil, "", err
	}
	if dryRun {
		return nil, "", DryRun()
	}
	byID := map[string]CreditSpecification{}
	for _, in := range insts {
		switch {
		case len(idList) > 0 && in.CPUCredits == "":
			return nil, "", ec2err.New(ec2err.InvalidParameterValue,
				"The instance ID '%s' is not valid. The specified instance is not a burstable performance instance.", in.ID)
		case len(idList) == 0 && in.CPUCredits != CreditsUnlimited:
			continue
		}
		if ok, _ := matches(filters, func(string) ([]string, bool) { return []string{in.ID}, true }); ok {
			byID[in.ID] = CreditSpecification{InstanceID: in.ID, CPUCredits: in.CPUCredits}
		}
	}
	sorted := make([]string, 0, len(byID))
	for id := range byID {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	page, next, err := paginate(sorted, p)
	if err != nil {
		return nil, "", err
	}
	out := make([]CreditSpecification, len(page))
	for i, id := range page {
		out[i] = byID[id]
	}
	return out, next, nil
}
