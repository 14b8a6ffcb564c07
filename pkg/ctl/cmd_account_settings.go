package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// The account settings of the region: get-/enable-/disable-serial-console-
// access(-status), get-/modify-instance-metadata-defaults,
// get-/modify-default-credit-specification; and the ID format verbs
// describe-id-format, describe-identity-id-format and
// describe-aggregate-id-format.

func init() { commandGroups = append(commandGroups, addAccountSettingsCommands) }

func addAccountSettingsCommands(root *cobra.Command, a *app) {
	serial := []struct {
		use, short, action string
		call               func(context.Context, pb.ComputeClient, *pb.SerialConsoleAccessRequest) (*pb.SerialConsoleAccessStatus, error)
	}{
		{"get-serial-console-access-status", "Say whether your account may open serial consoles (GetSerialConsoleAccessStatus)",
			"GetSerialConsoleAccessStatus", func(ctx context.Context, c pb.ComputeClient, r *pb.SerialConsoleAccessRequest) (*pb.SerialConsoleAccessStatus, error) {
				return c.GetSerialConsoleAccessStatus(ctx, r)
			}},
		{"enable-serial-console-access", "Let your account open instances' serial consoles (EnableSerialConsoleAccess)",
			"EnableSerialConsoleAccess", func(ctx context.Context, c pb.ComputeClient, r *pb.SerialConsoleAccessRequest) (*pb.SerialConsoleAccessStatus, error) {
				return c.EnableSerialConsoleAccess(ctx, r)
			}},
		{"disable-serial-console-access", "Refuse your account's new serial console sessions (DisableSerialConsoleAccess)",
			"DisableSerialConsoleAccess", func(ctx context.Context, c pb.ComputeClient, r *pb.SerialConsoleAccessRequest) (*pb.SerialConsoleAccessStatus, error) {
				return c.DisableSerialConsoleAccess(ctx, r)
			}},
	}
	for _, s := range serial {
		root.AddCommand(newNoParamCmd(a, s.use, s.short, s.action, func(ctx context.Context, c pb.ComputeClient, dry bool) (any, error) {
			r, err := s.call(ctx, c, &pb.SerialConsoleAccessRequest{DryRun: dry})
			if err != nil {
				return nil, err
			}
			out := NewObject().Set("SerialConsoleAccessEnabled", r.GetSerialConsoleAccessEnabled())
			if r.GetManagedBy() != "" {
				out.Set("ManagedBy", r.GetManagedBy())
			}
			return out, nil
		}))
	}
	root.AddCommand(
		newNoParamCmd(a, "get-instance-metadata-defaults", "Show your account's defaults for new instances' metadata options (GetInstanceMetadataDefaults)",
			"GetInstanceMetadataDefaults", func(ctx context.Context, c pb.ComputeClient, dry bool) (any, error) {
				r, err := c.GetInstanceMetadataDefaults(ctx, &pb.GetInstanceMetadataDefaultsRequest{DryRun: dry})
				if err != nil {
					return nil, err
				}
				return NewObject().Set("AccountLevel", docMetadataDefaults(r.GetAccountLevel())), nil
			}),
		newModifyInstanceMetadataDefaultsCmd(a),
		newDefaultCreditCmd(a, "get-default-credit-specification", "GetDefaultCreditSpecification",
			"Show your default credit option of a burstable family (GetDefaultCreditSpecification)"),
		newDefaultCreditCmd(a, "modify-default-credit-specification", "ModifyDefaultCreditSpecification",
			"Set your default credit option of a burstable family (ModifyDefaultCreditSpecification)"),
		newIDFormatCmd(a, "describe-id-format", "DescribeIdFormat", "Show the ID format of resource types: all long (DescribeIdFormat)"),
		newIDFormatCmd(a, "describe-identity-id-format", "DescribeIdentityIdFormat",
			"Show the ID formats a principal sees: all long (DescribeIdentityIdFormat)"),
		newNoParamCmd(a, "describe-aggregate-id-format", "Show every resource type's ID format: all long (DescribeAggregateIdFormat)",
			"DescribeAggregateIdFormat", func(ctx context.Context, c pb.ComputeClient, dry bool) (any, error) {
				r, err := c.DescribeAggregateIdFormat(ctx, &pb.DescribeAggregateIdFormatRequest{DryRun: dry})
				if err != nil {
					return nil, err
				}
				return NewObject().Set("UseLongIdsAggregated", r.GetUseLongIdsAggregated()).Set("Statuses", docIDFormats(r)), nil
			}))
}

// docMetadataDefaults is EC2's InstanceMetadataDefaultsResponse (no
// preference: absent).
func docMetadataDefaults(d *pb.InstanceMetadataDefaults) any {
	out := NewObject()
	for _, f := range []struct{ k, v string }{{"HttpTokens", d.GetHttpTokens()}, {"HttpEndpoint", d.GetHttpEndpoint()},
		{"InstanceMetadataTags", d.GetInstanceMetadataTags()}, {"ManagedBy", d.GetManagedBy()}} {
		if f.v != "" {
			out.Set(f.k, f.v)
		}
	}
	if d.GetHttpPutResponseHopLimit() > 0 {
		out.Set("HttpPutResponseHopLimit", int64(d.GetHttpPutResponseHopLimit()))
	}
	return out
}

func newModifyInstanceMetadataDefaultsCmd(a *app) *cobra.Command {
	var req pb.ModifyInstanceMetadataDefaultsRequest
	var hops int32
	cmd := &cobra.Command{
		Use:   "modify-instance-metadata-defaults",
		Short: "Set your account's defaults for new instances' metadata options (ModifyInstanceMetadataDefaults)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if cmd.Flags().Changed("http-put-response-hop-limit") {
				req.HttpPutResponseHopLimit = &hops
			}
			return a.call(cmd.Context(), "ModifyInstanceMetadataDefaults", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ModifyInstanceMetadataDefaults(ctx, &req)
				if err != nil {
					return nil, err
				}
				return NewObject().Set("Return", r.GetReturn()), nil
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.HttpTokens, "http-tokens", "", "optional, required or no-preference")
	f.StringVar(&req.HttpEndpoint, "http-endpoint", "", "enabled, disabled or no-preference")
	f.StringVar(&req.InstanceMetadataTags, "instance-metadata-tags", "", "disabled or no-preference")
	f.StringVar(&req.HttpTokensEnforced, "http-tokens-enforced", "", "disabled or no-preference")
	f.Int32Var(&hops, "http-put-response-hop-limit", 0, "1-64, or -1 for no preference")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newDefaultCreditCmd(a *app, use, action, short string) *cobra.Command {
	var req pb.DefaultCreditSpecificationRequest
	modify := action == "ModifyDefaultCreditSpecification"
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.InstanceFamily == "" || (modify && req.CpuCredits == "") {
				missing := "--instance-family"
				if modify {
					missing += ", --cpu-credits"
				}
				return usageErrorf("the following arguments are required: %s", missing)
			}
			return a.call(cmd.Context(), action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				var r *pb.DefaultCreditSpecificationResponse
				var err error
				if modify {
					r, err = c.ModifyDefaultCreditSpecification(ctx, &req)
				} else {
					r, err = c.GetDefaultCreditSpecification(ctx, &pb.GetDefaultCreditSpecificationRequest{
						InstanceFamily: req.InstanceFamily, DryRun: req.DryRun})
				}
				if err != nil {
					return nil, err
				}
				return NewObject().Set("InstanceFamilyCreditSpecification",
					NewObject().Set("InstanceFamily", r.GetInstanceFamily()).Set("CpuCredits", r.GetCpuCredits())), nil
			})
		},
	}
	cmd.Flags().StringVar(&req.InstanceFamily, "instance-family", "", "t2, t3, t3a or t4g")
	if modify {
		cmd.Flags().StringVar(&req.CpuCredits, "cpu-credits", "", "standard or unlimited")
	}
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newIDFormatCmd(a *app, use, action, short string) *cobra.Command {
	var resource, principal string
	identity := action == "DescribeIdentityIdFormat"
	cmd := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if identity && principal == "" {
				return usageErrorf("the following arguments are required: --principal-arn")
			}
			return a.call(cmd.Context(), action, func(ctx context.Context, c pb.ComputeClient) (any, error) {
				var r *pb.IdFormatResponse
				var err error
				if identity {
					r, err = c.DescribeIdentityIdFormat(ctx, &pb.DescribeIdentityIdFormatRequest{Resource: resource, PrincipalArn: principal})
				} else {
					r, err = c.DescribeIdFormat(ctx, &pb.DescribeIdFormatRequest{Resource: resource})
				}
				if err != nil {
					return nil, err
				}
				return NewObject().Set("Statuses", docIDFormats(r)), nil
			})
		},
	}
	cmd.Flags().StringVar(&resource, "resource", "", "a resource type (instance, volume, …); all when absent")
	if identity {
		cmd.Flags().StringVar(&principal, "principal-arn", "", "the ARN of your account's root, or of an IAM user or role in it")
	}
	return cmd
}

func docIDFormats(r *pb.IdFormatResponse) []any {
	out := []any{}
	for _, s := range r.GetStatuses() {
		out = append(out, NewObject().Set("Resource", s.GetResource()).Set("UseLongIds", s.GetUseLongIds()))
	}
	return out
}
