package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// ModifyInstanceCreditSpecification changes burstable instances' credit
// modes, answering each instance.
func (c *Compute) ModifyInstanceCreditSpecification(ctx context.Context, r *v1.ModifyInstanceCreditSpecificationRequest) (*v1.ModifyInstanceCreditSpecificationResponse, error) {
	changes := make([]controller.CreditChange, 0, len(r.GetInstanceCreditSpecifications()))
	for _, s := range r.GetInstanceCreditSpecifications() {
		changes = append(changes, controller.CreditChange{InstanceID: s.GetInstanceId(), CPUCredits: s.GetCpuCredits()})
	}
	res, err := c.svc.ModifyInstanceCreditSpecification(ctx, changes, r.GetClientToken(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.ModifyInstanceCreditSpecificationResponse{}
	for _, id := range res.Successful {
		out.SuccessfulInstanceCreditSpecifications = append(out.SuccessfulInstanceCreditSpecifications,
			&v1.SuccessfulInstanceCreditSpecification{InstanceId: id})
	}
	for _, f := range res.Unsuccessful {
		out.UnsuccessfulInstanceCreditSpecifications = append(out.UnsuccessfulInstanceCreditSpecifications,
			&v1.UnsuccessfulInstanceCreditSpecification{InstanceId: f.InstanceID,
				Error: &v1.ValidationError{Code: f.Code, Message: f.Message}})
	}
	return out, nil
}

// DescribeInstanceCreditSpecifications answers instances' credit modes.
func (c *Compute) DescribeInstanceCreditSpecifications(ctx context.Context, r *v1.DescribeInstanceCreditSpecificationsRequest) (*v1.DescribeInstanceCreditSpecificationsResponse, error) {
	list, next, err := c.svc.InstanceCreditSpecifications(ctx, r.GetInstanceIds(), filtersIn(r.GetFilters()),
		page(r.GetMaxResults(), r.GetNextToken()), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeInstanceCreditSpecificationsResponse{NextToken: next}
	for _, s := range list {
		out.InstanceCreditSpecifications = append(out.InstanceCreditSpecifications,
			&v1.InstanceCreditSpecification{InstanceId: s.InstanceID, CpuCredits: s.CPUCredits})
	}
	return out, nil
}
