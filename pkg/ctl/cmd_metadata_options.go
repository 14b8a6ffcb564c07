package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// modify-instance-metadata-options and run-instances --metadata-options:
// an instance's metadata service options (IMDSv2 tokens, the endpoint).

func init() { commandGroups = append(commandGroups, addMetadataOptionsCommands) }

func addMetadataOptionsCommands(root *cobra.Command, a *app) {
	root.AddCommand(newModifyInstanceMetadataOptionsCmd(a))
}

// parseMetadataOptions reads --metadata-options (shorthand or JSON):
// HttpTokens=required,HttpEndpoint=enabled,HttpPutResponseHopLimit=2.
func parseMetadataOptions(raw string) (*pb.InstanceMetadataOptionsRequest, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("metadata-options", []string{raw})
	if err != nil || len(ms) != 1 {
		return nil, err
	}
	f := newFields("InstanceMetadataOptionsRequest", ms[0], "HttpTokens", "HttpPutResponseHopLimit", "HttpEndpoint")
	o := &pb.InstanceMetadataOptionsRequest{HttpTokens: f.str("HttpTokens"), HttpEndpoint: f.str("HttpEndpoint")}
	if _, ok := ms[0]["HttpPutResponseHopLimit"]; ok {
		n := f.int32("HttpPutResponseHopLimit")
		o.HttpPutResponseHopLimit = &n
	}
	return o, f.err
}

func newModifyInstanceMetadataOptionsCmd(a *app) *cobra.Command {
	var req pb.ModifyInstanceMetadataOptionsRequest
	var hops int32
	cmd := &cobra.Command{
		Use:   "modify-instance-metadata-options",
		Short: "Require IMDSv2 tokens or turn the metadata service off for an instance (ModifyInstanceMetadataOptions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.InstanceId == "" {
				return usageErrorf("the following arguments are required: --instance-id")
			}
			if cmd.Flags().Changed("http-put-response-hop-limit") {
				req.HttpPutResponseHopLimit = &hops
			}
			return a.call(cmd.Context(), "ModifyInstanceMetadataOptions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ModifyInstanceMetadataOptions(ctx, &req)
				return docModifyMetadataOptions(r), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.InstanceId, "instance-id", "", "the instance")
	f.StringVar(&req.HttpTokens, "http-tokens", "", "optional or required (IMDSv2 only)")
	f.StringVar(&req.HttpEndpoint, "http-endpoint", "", "enabled or disabled")
	f.Int32Var(&hops, "http-put-response-hop-limit", 0, "1-64 (stored, not enforced)")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	return cmd
}

// docMetadataOptions is EC2's InstanceMetadataOptionsResponse.
func docMetadataOptions(o *pb.InstanceMetadataOptions) any {
	return NewObject().Set("State", o.GetState()).Set("HttpTokens", o.GetHttpTokens()).
		Set("HttpPutResponseHopLimit", int64(o.GetHttpPutResponseHopLimit())).Set("HttpEndpoint", o.GetHttpEndpoint())
}

// docModifyMetadataOptions is ModifyInstanceMetadataOptions' output.
func docModifyMetadataOptions(r *pb.ModifyInstanceMetadataOptionsResponse) any {
	if r == nil {
		return nil
	}
	return NewObject().Set("InstanceId", r.GetInstanceId()).
		Set("InstanceMetadataOptions", docMetadataOptions(r.GetInstanceMetadataOptions()))
}
