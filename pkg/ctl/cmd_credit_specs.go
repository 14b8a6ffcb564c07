package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// modify-instance-credit-specification and
// describe-instance-credit-specifications: burstable instances' CPU
// credit modes.

func init() { commandGroups = append(commandGroups, addCreditSpecCommands) }

func addCreditSpecCommands(root *cobra.Command, a *app) {
	root.AddCommand(newModifyInstanceCreditSpecificationCmd(a), newDescribeInstanceCreditSpecificationsCmd(a))
}

func newModifyInstanceCreditSpecificationCmd(a *app) *cobra.Command {
	var req pb.ModifyInstanceCreditSpecificationRequest
	var specs []string
	cmd := &cobra.Command{
		Use:   "modify-instance-credit-specification",
		Short: "Switch burstable instances between standard and unlimited CPU credits (ModifyInstanceCreditSpecification)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := requireFlags(cmd, "instance-credit-specifications"); err != nil {
				return err
			}
			list, err := parseCreditSpecs(specs)
			if err != nil {
				return &usageError{err}
			}
			req.InstanceCreditSpecifications = list
			return a.call(cmd.Context(), "ModifyInstanceCreditSpecification", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ModifyInstanceCreditSpecification(ctx, &req)
				return docModifyCreditSpecs(r), err
			})
		},
	}
	cmd.Flags().StringArrayVar(&specs, "instance-credit-specifications", nil, "InstanceId=i-...,CpuCredits=standard|unlimited (repeatable)")
	cmd.Flags().StringVar(&req.ClientToken, "client-token", "", "idempotency token")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "instance-credit-specifications")
	return cmd
}

// parseCreditSpecs reads --instance-credit-specifications of
// InstanceCreditSpecificationRequest (shorthand or JSON).
func parseCreditSpecs(raws []string) ([]*pb.InstanceCreditSpecificationRequest, error) {
	ms, err := structList("instance-credit-specifications", raws)
	if err != nil {
		return nil, err
	}
	out := make([]*pb.InstanceCreditSpecificationRequest, 0, len(ms))
	for _, m := range ms {
		f := newFields("InstanceCreditSpecificationRequest", m, "InstanceId", "CpuCredits")
		out = append(out, &pb.InstanceCreditSpecificationRequest{InstanceId: f.str("InstanceId"), CpuCredits: f.str("CpuCredits")})
		if f.err != nil {
			return nil, f.err
		}
	}
	return out, nil
}

// docModifyCreditSpecs is EC2's ModifyInstanceCreditSpecificationResult.
func docModifyCreditSpecs(r *pb.ModifyInstanceCreditSpecificationResponse) any {
	if r == nil {
		return nil
	}
	ok := list(r.GetSuccessfulInstanceCreditSpecifications(), func(s *pb.SuccessfulInstanceCreditSpecification) any {
		return NewObject().Set("InstanceId", s.GetInstanceId())
	})
	failed := list(r.GetUnsuccessfulInstanceCreditSpecifications(), func(u *pb.UnsuccessfulInstanceCreditSpecification) any {
		return NewObject().Set("InstanceId", u.GetInstanceId()).
			Set("Error", NewObject().Set("Code", u.GetError().GetCode()).Set("Message", u.GetError().GetMessage()))
	})
	return NewObject().Set("SuccessfulInstanceCreditSpecifications", ok).Set("UnsuccessfulInstanceCreditSpecifications", failed)
}

func newDescribeInstanceCreditSpecificationsCmd(a *app) *cobra.Command {
	var req pb.DescribeInstanceCreditSpecificationsRequest
	var filters []string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "describe-instance-credit-specifications",
		Short: "Describe burstable instances' CPU credit modes (DescribeInstanceCreditSpecifications)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			req.Filters = flt
			return a.call(cmd.Context(), "DescribeInstanceCreditSpecifications", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, page, func(ctx context.Context, token string, max int32) ([]*pb.InstanceCreditSpecification, string, error) {
					req.MaxResults, req.NextToken = max, token
					r, err := c.DescribeInstanceCreditSpecifications(ctx, &req)
					return r.GetInstanceCreditSpecifications(), r.GetNextToken(), err
				})
				return NewObject().Set("InstanceCreditSpecifications", list(items, docCreditSpec)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&req.InstanceIds, "instance-ids", nil, "instances (default: every one with unlimited credits)")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=instance-id,Values=... (repeatable)")
	addDryRun(cmd, &req.DryRun)
	page.register(cmd)
	markList(cmd, "instance-ids", "filters")
	completeFlag(cmd, "instance-ids", a, completeInstanceIDs)
	return cmd
}

// docCreditSpec is EC2's InstanceCreditSpecification.
func docCreditSpec(s *pb.InstanceCreditSpecification) any {
	return NewObject().Set("InstanceId", s.GetInstanceId()).Set("CpuCredits", s.GetCpuCredits())
}
