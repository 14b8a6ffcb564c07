package ctl

import (
	"context"
	"strings"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// describe-instance-attribute and modify-instance-attribute: one attribute
// of an instance, in the aws CLI's flags and output.

func init() { commandGroups = append(commandGroups, addInstanceAttributeCommands) }

func addInstanceAttributeCommands(root *cobra.Command, a *app) {
	root.AddCommand(newDescribeInstanceAttributeCmd(a), newModifyInstanceAttributeCmd(a))
}

// instanceAttributeNames are EC2's attribute names (the --attribute values).
var instanceAttributeNames = []string{"instanceType", "kernel", "ramdisk", "userData", "disableApiTermination",
	"instanceInitiatedShutdownBehavior", "rootDeviceName", "blockDeviceMapping", "productCodes",
	"sourceDestCheck", "groupSet", "ebsOptimized", "sriovNetSupport", "enaSupport", "enclaveOptions", "disableApiStop"}

func newDescribeInstanceAttributeCmd(a *app) *cobra.Command {
	var req pb.DescribeInstanceAttributeRequest
	cmd := &cobra.Command{
		Use:   "describe-instance-attribute",
		Short: "Describe one attribute of an instance (DescribeInstanceAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.InstanceId == "" || req.Attribute == "" {
				return usageErrorf("the following arguments are required: --instance-id, --attribute")
			}
			return a.call(cmd.Context(), "DescribeInstanceAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DescribeInstanceAttribute(ctx, &req)
				return docInstanceAttribute(r), err
			})
		},
	}
	cmd.Flags().StringVar(&req.InstanceId, "instance-id", "", "the instance")
	cmd.Flags().StringVar(&req.Attribute, "attribute", "", strings.Join(instanceAttributeNames, ", "))
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	_ = cmd.RegisterFlagCompletionFunc("attribute", cobra.FixedCompletions(instanceAttributeNames, cobra.ShellCompDirectiveNoFileComp))
	return cmd
}

// docInstanceAttribute is an EC2 InstanceAttribute: the members the answer
// carries, in the model's order (the order the AWS CLI prints); a text
// attribute without a value prints as {}.
func docInstanceAttribute(r *pb.InstanceAttribute) any {
	if r == nil {
		return nil
	}
	o := NewObject()
	if r.GetAttribute() == "blockDeviceMapping" {
		o.Set("BlockDeviceMappings", list(r.GetBlockDeviceMappings(), docInstanceBDM))
	}
	setBool(o, "DisableApiTermination", r.GetDisableApiTermination())
	setBool(o, "EnaSupport", r.GetEnaSupport())
	if e := r.GetEnclaveOptions(); e != nil {
		o.Set("EnclaveOptions", NewObject().Set("Enabled", e.GetEnabled()))
	}
	setBool(o, "EbsOptimized", r.GetEbsOptimized())
	o.Set("InstanceId", r.GetInstanceId())
	setText(o, "InstanceInitiatedShutdownBehavior", r.GetInstanceInitiatedShutdownBehavior())
	setText(o, "InstanceType", r.GetInstanceType())
	setText(o, "KernelId", r.GetKernelId())
	if r.GetAttribute() == "productCodes" {
		o.Set("ProductCodes", []any{})
	}
	setText(o, "RamdiskId", r.GetRamdiskId())
	setText(o, "RootDeviceName", r.GetRootDeviceName())
	setBool(o, "SourceDestCheck", r.GetSourceDestCheck())
	setText(o, "SriovNetSupport", r.GetSriovNetSupport())
	setText(o, "UserData", r.GetUserData())
	setBool(o, "DisableApiStop", r.GetDisableApiStop())
	if r.GetAttribute() == "groupSet" {
		o.Set("Groups", list(r.GetGroups(), docGroupIdentifier))
	}
	return o
}

func setBool(o *Object, key string, v *pb.AttributeBooleanValue) {
	if v != nil {
		o.Set(key, NewObject().Set("Value", v.GetValue()))
	}
}

func setText(o *Object, key string, v *pb.AttributeValue) {
	if v != nil {
		o.Set(key, NewObject().Str("Value", v.GetValue()))
	}
}

func newModifyInstanceAttributeCmd(a *app) *cobra.Command {
	fl := &modifyInstanceAttrFlags{}
	cmd := &cobra.Command{
		Use:   "modify-instance-attribute",
		Short: "Change one attribute of an instance (ModifyInstanceAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := fl.request(cmd)
			if err != nil {
				return err
			}
			return a.call(cmd.Context(), "ModifyInstanceAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ModifyInstanceAttribute(ctx, req)
				return nil, err
			})
		},
	}
	fl.register(cmd)
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	return cmd
}
