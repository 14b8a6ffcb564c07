package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateLaunchTemplate creates a launch template and its version 1.
func (c *Compute) CreateLaunchTemplate(ctx context.Context, r *v1.CreateLaunchTemplateRequest) (*v1.CreateLaunchTemplateResponse, error) {
	t, warnings, err := c.svc.CreateLaunchTemplate(ctx, controller.CreateTemplateRequest{Name: r.GetLaunchTemplateName(),
		VersionDescription: r.GetVersionDescription(), Data: templateDataIn(r.GetLaunchTemplateData()),
		TagSpecs: tagSpecsIn(r.GetTagSpecifications()), ClientToken: r.GetClientToken(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.CreateLaunchTemplateResponse{LaunchTemplate: launchTemplateOut(t), Warning: warningOut(warnings)}, nil
}

// CreateLaunchTemplateVersion adds a version to a launch template.
func (c *Compute) CreateLaunchTemplateVersion(ctx context.Context, r *v1.CreateLaunchTemplateVersionRequest) (*v1.CreateLaunchTemplateVersionResponse, error) {
	v, warnings, err := c.svc.CreateLaunchTemplateVersion(ctx, controller.CreateVersionRequest{TemplateID: r.GetLaunchTemplateId(),
		TemplateName: r.GetLaunchTemplateName(), SourceVersion: r.GetSourceVersion(), VersionDescription: r.GetVersionDescription(),
		Data: templateDataIn(r.GetLaunchTemplateData()), ClientToken: r.GetClientToken(), DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.CreateLaunchTemplateVersionResponse{LaunchTemplateVersion: templateVersionOut(v), Warning: warningOut(warnings)}, nil
}

// DescribeLaunchTemplates lists launch templates.
func (c *Compute) DescribeLaunchTemplates(ctx context.Context, r *v1.DescribeLaunchTemplatesRequest) (*v1.DescribeLaunchTemplatesResponse, error) {
	ts, next, err := c.svc.DescribeLaunchTemplates(ctx, r.GetLaunchTemplateIds(), r.GetLaunchTemplateNames(),
		filtersIn(r.GetFilters()), page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeLaunchTemplatesResponse{NextToken: next}
	for _, t := range ts {
		out.LaunchTemplates = append(out.LaunchTemplates, launchTemplateOut(t))
	}
	return out, nil
}

// DescribeLaunchTemplateVersions lists launch template versions.
func (c *Compute) DescribeLaunchTemplateVersions(ctx context.Context, r *v1.DescribeLaunchTemplateVersionsRequest) (*v1.DescribeLaunchTemplateVersionsResponse, error) {
	vs, next, err := c.svc.DescribeLaunchTemplateVersions(ctx, controller.DescribeVersionsRequest{TemplateID: r.GetLaunchTemplateId(),
		TemplateName: r.GetLaunchTemplateName(), Versions: r.GetVersions(), MinVersion: r.GetMinVersion(), MaxVersion: r.GetMaxVersion(),
		Filters: filtersIn(r.GetFilters()), Page: page(r.GetMaxResults(), r.GetNextToken())})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeLaunchTemplateVersionsResponse{NextToken: next}
	for _, v := range vs {
		out.LaunchTemplateVersions = append(out.LaunchTemplateVersions, templateVersionOut(v))
	}
	return out, nil
}

// ModifyLaunchTemplate sets a launch template's default version.
func (c *Compute) ModifyLaunchTemplate(ctx context.Context, r *v1.ModifyLaunchTemplateRequest) (*v1.ModifyLaunchTemplateResponse, error) {
	// The ClientToken is accepted: setting a default version is idempotent.
	t, err := c.svc.ModifyLaunchTemplate(ctx, r.GetLaunchTemplateId(), r.GetLaunchTemplateName(), r.GetDefaultVersion(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ModifyLaunchTemplateResponse{LaunchTemplate: launchTemplateOut(t)}, nil
}

// DeleteLaunchTemplate deletes a launch template and its versions.
func (c *Compute) DeleteLaunchTemplate(ctx context.Context, r *v1.DeleteLaunchTemplateRequest) (*v1.DeleteLaunchTemplateResponse, error) {
	t, err := c.svc.DeleteLaunchTemplate(ctx, r.GetLaunchTemplateId(), r.GetLaunchTemplateName(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.DeleteLaunchTemplateResponse{LaunchTemplate: launchTemplateOut(t)}, nil
}

// DeleteLaunchTemplateVersions deletes versions of a launch template.
func (c *Compute) DeleteLaunchTemplateVersions(ctx context.Context, r *v1.DeleteLaunchTemplateVersionsRequest) (*v1.DeleteLaunchTemplateVersionsResponse, error) {
	ok, failed, err := c.svc.DeleteLaunchTemplateVersions(ctx, r.GetLaunchTemplateId(), r.GetLaunchTemplateName(), r.GetVersions(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := &v1.DeleteLaunchTemplateVersionsResponse{}
	for _, d := range ok {
		out.SuccessfullyDeletedLaunchTemplateVersions = append(out.SuccessfullyDeletedLaunchTemplateVersions, deletionOut(d))
	}
	for _, d := range failed {
		out.UnsuccessfullyDeletedLaunchTemplateVersions = append(out.UnsuccessfullyDeletedLaunchTemplateVersions, deletionOut(d))
	}
	return out, nil
}

// GetLaunchTemplateData describes an instance as launch template data.
func (c *Compute) GetLaunchTemplateData(ctx context.Context, r *v1.GetLaunchTemplateDataRequest) (*v1.GetLaunchTemplateDataResponse, error) {
	d, err := c.svc.GetLaunchTemplateData(ctx, r.GetInstanceId(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.GetLaunchTemplateDataResponse{LaunchTemplateData: templateDataOut(d)}, nil
}

func launchTemplateOut(t controller.LaunchTemplate) *v1.LaunchTemplate {
	return &v1.LaunchTemplate{LaunchTemplateId: t.ID, LaunchTemplateName: t.Name, CreateTime: ts(t.CreateTime),
		CreatedBy: t.CreatedBy(), DefaultVersionNumber: t.DefaultVersion, LatestVersionNumber: t.LatestVersion, Tags: tagsOut(t.Tags)}
}

func templateVersionOut(v controller.LaunchTemplateVersion) *v1.LaunchTemplateVersion {
	return &v1.LaunchTemplateVersion{LaunchTemplateId: v.TemplateID, LaunchTemplateName: v.Template.Name,
		VersionNumber: v.Number, VersionDescription: v.Description, CreateTime: ts(v.CreateTime),
		CreatedBy: v.Template.CreatedBy(), DefaultVersion: v.IsDefault(), LaunchTemplateData: templateDataOut(v.Data)}
}

func warningOut(ws []controller.ValidationError) *v1.ValidationWarning {
	if len(ws) == 0 {
		return nil
	}
	out := &v1.ValidationWarning{}
	for _, w := range ws {
		out.Errors = append(out.Errors, &v1.ValidationError{Code: w.Code, Message: w.Message})
	}
	return out
}

func deletionOut(d controller.VersionDeletion) *v1.LaunchTemplateVersionDeletion {
	out := &v1.LaunchTemplateVersionDeletion{LaunchTemplateId: d.TemplateID, LaunchTemplateName: d.TemplateName, VersionNumber: d.Number}
	if d.Code != "" {
		out.ResponseError = &v1.ValidationError{Code: d.Code, Message: d.Message}
	}
	return out
}

// tagSpecsIn keeps TagSpecifications as given, for the controller to
// judge their resource types.
func tagSpecsIn(specs []*v1.TagSpecification) []controller.TemplateTagSpec {
	var out []controller.TemplateTagSpec
	for _, s := range specs {
		out = append(out, controller.TemplateTagSpec{ResourceType: s.GetResourceType(), Tags: tagsIn(s.GetTags())})
	}
	return out
}

func tagSpecsOut(specs []controller.TemplateTagSpec) []*v1.TagSpecification {
	var out []*v1.TagSpecification
	for _, s := range specs {
		out = append(out, &v1.TagSpecification{ResourceType: s.ResourceType, Tags: tagsOut(s.Tags)})
	}
	return out
}

// launchTemplateSpecIn is RunInstances' LaunchTemplate (nil without one).
func launchTemplateSpecIn(s *v1.LaunchTemplateSpecification) *controller.LaunchTemplateSpec {
	if s == nil {
		return nil
	}
	return &controller.LaunchTemplateSpec{ID: s.GetLaunchTemplateId(), Name: s.GetLaunchTemplateName(), Version: s.GetVersion()}
}
