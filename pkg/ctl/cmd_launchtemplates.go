package ctl

import (
	"context"
	"fmt"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addLaunchTemplateCommands) }

func addLaunchTemplateCommands(root *cobra.Command, a *app) {
	root.AddCommand(newCreateLaunchTemplateCmd(a), newCreateLaunchTemplateVersionCmd(a),
		newDescribeLaunchTemplatesCmd(a), newDescribeLaunchTemplateVersionsCmd(a), newModifyLaunchTemplateCmd(a),
		newDeleteLaunchTemplateCmd(a), newDeleteLaunchTemplateVersionsCmd(a), newGetLaunchTemplateDataCmd(a))
}

const launchTemplateDataHelp = `template data as JSON or shorthand (file:// too), with the AWS CLI's member names: ` +
	`'{"ImageId":"ami-...","InstanceType":"t3.micro","UserData":"<base64>"}'`

// templateFlags name one template by ID or name.
type templateFlags struct{ id, name string }

func (t *templateFlags) register(cmd *cobra.Command) {
	cmd.Flags().StringVar(&t.id, "launch-template-id", "", "ID of the launch template")
	cmd.Flags().StringVar(&t.name, "launch-template-name", "", "name of the launch template")
}

// parseLaunchTemplateData reads --launch-template-data.
func parseLaunchTemplateData(raw string) (*pb.LaunchTemplateData, error) {
	if raw == "" {
		return nil, nil
	}
	ms, err := structList("launch-template-data", []string{raw})
	if err != nil {
		return nil, err
	}
	if len(ms) != 1 {
		return nil, fmt.Errorf("--launch-template-data takes one structure, not a list")
	}
	d := &pb.LaunchTemplateData{}
	return d, toMessage(ms[0], d.ProtoReflect())
}

func newCreateLaunchTemplateCmd(a *app) *cobra.Command {
	var req pb.CreateLaunchTemplateRequest
	var data string
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "create-launch-template",
		Short: "Create a launch template and its version 1 (CreateLaunchTemplate)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.LaunchTemplateData, err = parseLaunchTemplateData(data); err != nil {
				return &usageError{err}
			}
			if req.TagSpecifications, err = parseTagSpecs(tagSpecs); err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CreateLaunchTemplate", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateLaunchTemplate(ctx, &req)
				o := NewObject().Set("LaunchTemplate", docLaunchTemplate(r.GetLaunchTemplate()))
				return withWarning(o, r.GetWarning()), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.LaunchTemplateName, "launch-template-name", "", "name of the launch template (3-128 characters)")
	f.StringVar(&req.VersionDescription, "version-description", "", "description of version 1")
	f.StringVar(&data, "launch-template-data", "", launchTemplateDataHelp)
	f.StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=launch-template,Tags=[{Key=k,Value=v}]")
	f.StringVar(&req.ClientToken, "client-token", "", "idempotency token")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	return cmd
}

func newCreateLaunchTemplateVersionCmd(a *app) *cobra.Command {
	var req pb.CreateLaunchTemplateVersionRequest
	var tf templateFlags
	var data string
	cmd := &cobra.Command{
		Use:   "create-launch-template-version",
		Short: "Add a version to a launch template (CreateLaunchTemplateVersion)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.LaunchTemplateData, err = parseLaunchTemplateData(data); err != nil {
				return &usageError{err}
			}
			req.LaunchTemplateId, req.LaunchTemplateName = tf.id, tf.name
			return a.call(cmd.Context(), "CreateLaunchTemplateVersion", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CreateLaunchTemplateVersion(ctx, &req)
				o := NewObject().Set("LaunchTemplateVersion", docLaunchTemplateVersion(r.GetLaunchTemplateVersion()))
				return withWarning(o, r.GetWarning()), err
			})
		},
	}
	tf.register(cmd)
	f := cmd.Flags()
	f.StringVar(&req.SourceVersion, "source-version", "", "version to start from (a number, $Latest or $Default)")
	f.StringVar(&req.VersionDescription, "version-description", "", "description of the new version")
	f.StringVar(&data, "launch-template-data", "", launchTemplateDataHelp)
	f.StringVar(&req.ClientToken, "client-token", "", "idempotency token")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newDescribeLaunchTemplatesCmd(a *app) *cobra.Command {
	var ids, names, filters []string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "describe-launch-templates",
		Short: "Describe launch templates (DescribeLaunchTemplates)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			flt, err := parseFilters(filters)
			if err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "DescribeLaunchTemplates", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, page, func(ctx context.Context, token string, max int32) ([]*pb.LaunchTemplate, string, error) {
					r, err := c.DescribeLaunchTemplates(ctx, &pb.DescribeLaunchTemplatesRequest{LaunchTemplateIds: ids,
						LaunchTemplateNames: names, Filters: flt, MaxResults: max, NextToken: token})
					return r.GetLaunchTemplates(), r.GetNextToken(), err
				})
				return NewObject().Set("LaunchTemplates", list(items, docLaunchTemplate)).Str("NextToken", next), err
			})
		},
	}
	cmd.Flags().StringSliceVar(&ids, "launch-template-ids", nil, "launch template IDs")
	cmd.Flags().StringSliceVar(&names, "launch-template-names", nil, "launch template names")
	cmd.Flags().StringArrayVar(&filters, "filters", nil, "Name=launch-template-name,Values=web-* (repeatable)")
	page.register(cmd)
	markList(cmd, "launch-template-ids", "launch-template-names", "filters")
	return cmd
}

func newDescribeLaunchTemplateVersionsCmd(a *app) *cobra.Command {
	var req pb.DescribeLaunchTemplateVersionsRequest
	var tf templateFlags
	var filters []string
	var page pageFlags
	cmd := &cobra.Command{
		Use:   "describe-launch-template-versions",
		Short: "Describe launch template versions (DescribeLaunchTemplateVersions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.Filters, err = parseFilters(filters); err != nil {
				return &usageError{err}
			}
			req.LaunchTemplateId, req.LaunchTemplateName = tf.id, tf.name
			return a.call(cmd.Context(), "DescribeLaunchTemplateVersions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				items, next, err := paginate(ctx, page, func(ctx context.Context, token string, max int32) ([]*pb.LaunchTemplateVersion, string, error) {
					q := &pb.DescribeLaunchTemplateVersionsRequest{LaunchTemplateId: req.LaunchTemplateId, LaunchTemplateName: req.LaunchTemplateName,
						Versions: req.Versions, MinVersion: req.MinVersion, MaxVersion: req.MaxVersion, Filters: req.Filters,
						MaxResults: max, NextToken: token}
					r, err := c.DescribeLaunchTemplateVersions(ctx, q)
					return r.GetLaunchTemplateVersions(), r.GetNextToken(), err
				})
				return NewObject().Set("LaunchTemplateVersions", list(items, docLaunchTemplateVersion)).Str("NextToken", next), err
			})
		},
	}
	tf.register(cmd)
	f := cmd.Flags()
	f.StringSliceVar(&req.Versions, "versions", nil, "version numbers, $Latest, $Default")
	f.StringVar(&req.MinVersion, "min-version", "", "lowest version number to describe")
	f.StringVar(&req.MaxVersion, "max-version", "", "highest version number to describe")
	f.StringArrayVar(&filters, "filters", nil, "Name=is-default-version,Values=true (repeatable)")
	page.register(cmd)
	markList(cmd, "versions", "filters")
	return cmd
}

func newModifyLaunchTemplateCmd(a *app) *cobra.Command {
	var req pb.ModifyLaunchTemplateRequest
	var tf templateFlags
	cmd := &cobra.Command{
		Use:   "modify-launch-template",
		Short: "Set a launch template's default version (ModifyLaunchTemplate)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req.LaunchTemplateId, req.LaunchTemplateName = tf.id, tf.name
			return a.call(cmd.Context(), "ModifyLaunchTemplate", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ModifyLaunchTemplate(ctx, &req)
				return NewObject().Set("LaunchTemplate", docLaunchTemplate(r.GetLaunchTemplate())), err
			})
		},
	}
	tf.register(cmd)
	cmd.Flags().StringVar(&req.DefaultVersion, "default-version", "", "version number to make the default")
	cmd.Flags().StringVar(&req.ClientToken, "client-token", "", "idempotency token")
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newDeleteLaunchTemplateCmd(a *app) *cobra.Command {
	var req pb.DeleteLaunchTemplateRequest
	var tf templateFlags
	cmd := &cobra.Command{
		Use:   "delete-launch-template",
		Short: "Delete a launch template and all its versions (DeleteLaunchTemplate)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req.LaunchTemplateId, req.LaunchTemplateName = tf.id, tf.name
			return a.call(cmd.Context(), "DeleteLaunchTemplate", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DeleteLaunchTemplate(ctx, &req)
				return NewObject().Set("LaunchTemplate", docLaunchTemplate(r.GetLaunchTemplate())), err
			})
		},
	}
	tf.register(cmd)
	addDryRun(cmd, &req.DryRun)
	return cmd
}

func newDeleteLaunchTemplateVersionsCmd(a *app) *cobra.Command {
	var req pb.DeleteLaunchTemplateVersionsRequest
	var tf templateFlags
	cmd := &cobra.Command{
		Use:   "delete-launch-template-versions",
		Short: "Delete versions of a launch template, not its default one (DeleteLaunchTemplateVersions)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req.LaunchTemplateId, req.LaunchTemplateName = tf.id, tf.name
			return a.call(cmd.Context(), "DeleteLaunchTemplateVersions", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.DeleteLaunchTemplateVersions(ctx, &req)
				return docVersionDeletions(r), err
			})
		},
	}
	tf.register(cmd)
	cmd.Flags().StringSliceVar(&req.Versions, "versions", nil, "version numbers to delete")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "versions")
	return cmd
}

func newGetLaunchTemplateDataCmd(a *app) *cobra.Command {
	var req pb.GetLaunchTemplateDataRequest
	cmd := &cobra.Command{
		Use:   "get-launch-template-data",
		Short: "Describe an instance as launch template data (GetLaunchTemplateData)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return a.call(cmd.Context(), "GetLaunchTemplateData", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.GetLaunchTemplateData(ctx, &req)
				return NewObject().Set("LaunchTemplateData", docLaunchTemplateData(r.GetLaunchTemplateData())), err
			})
		},
	}
	cmd.Flags().StringVar(&req.InstanceId, "instance-id", "", "the instance to describe")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	return cmd
}
