package ec2query

import (
	"context"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// templateCompute is fakeCompute with launch templates: one template,
// whose versions all echo the data of the last create, so that a client
// reads back exactly what it sent.
type templateCompute struct {
	*fakeCompute
	data *ec2labv1.LaunchTemplateData
}

const (
	fakeTemplate = "lt-0123456789abcdef0"
	fakeCreator  = "arn:aws:iam::" + fakeAccount + ":root"
)

func (f *templateCompute) template(name string, def int64) *ec2labv1.LaunchTemplate {
	return &ec2labv1.LaunchTemplate{LaunchTemplateId: fakeTemplate, LaunchTemplateName: name, CreateTime: fakeTime,
		CreatedBy: fakeCreator, DefaultVersionNumber: def, LatestVersionNumber: 3, Tags: []*ec2labv1.Tag{{Key: "team", Value: "web"}}}
}

func (f *templateCompute) version(n int64) *ec2labv1.LaunchTemplateVersion {
	f.mu.Lock()
	defer f.mu.Unlock()
	return &ec2labv1.LaunchTemplateVersion{LaunchTemplateId: fakeTemplate, LaunchTemplateName: "web", VersionNumber: n,
		VersionDescription: "first", CreateTime: fakeTime, CreatedBy: fakeCreator, DefaultVersion: n == 1,
		LaunchTemplateData: proto.CloneOf(f.data)}
}

func (f *templateCompute) CreateLaunchTemplate(ctx context.Context, r *ec2labv1.CreateLaunchTemplateRequest) (*ec2labv1.CreateLaunchTemplateResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	f.mu.Lock()
	f.data = proto.CloneOf(r.GetLaunchTemplateData())
	f.mu.Unlock()
	return &ec2labv1.CreateLaunchTemplateResponse{LaunchTemplate: f.template(r.GetLaunchTemplateName(), 1),
		Warning: &ec2labv1.ValidationWarning{Errors: []*ec2labv1.ValidationError{
			{Code: ec2err.InvalidKeyPairNotFound, Message: "The key pair 'lab' does not exist"}}}}, nil
}

func (f *templateCompute) CreateLaunchTemplateVersion(ctx context.Context, r *ec2labv1.CreateLaunchTemplateVersionRequest) (*ec2labv1.CreateLaunchTemplateVersionResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.CreateLaunchTemplateVersionResponse{LaunchTemplateVersion: f.version(2)}, nil
}

func (f *templateCompute) DescribeLaunchTemplates(ctx context.Context, r *ec2labv1.DescribeLaunchTemplatesRequest) (*ec2labv1.DescribeLaunchTemplatesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeLaunchTemplatesResponse{LaunchTemplates: []*ec2labv1.LaunchTemplate{f.template("web", 1)}}, nil
}

func (f *templateCompute) DescribeLaunchTemplateVersions(ctx context.Context, r *ec2labv1.DescribeLaunchTemplateVersionsRequest) (*ec2labv1.DescribeLaunchTemplateVersionsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	if r.GetLaunchTemplateId() == "lt-0000000000000dead" {
		return nil, ec2err.New(ec2err.InvalidLaunchTemplateIDNotFound, "The specified launch template, with template ID %s, does not exist.", r.GetLaunchTemplateId())
	}
	return &ec2labv1.DescribeLaunchTemplateVersionsResponse{LaunchTemplateVersions: []*ec2labv1.LaunchTemplateVersion{f.version(1)},
		NextToken: "next-1"}, nil
}

func (f *templateCompute) ModifyLaunchTemplate(ctx context.Context, r *ec2labv1.ModifyLaunchTemplateRequest) (*ec2labv1.ModifyLaunchTemplateResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.ModifyLaunchTemplateResponse{LaunchTemplate: f.template("web", 2)}, nil
}

func (f *templateCompute) DeleteLaunchTemplate(ctx context.Context, r *ec2labv1.DeleteLaunchTemplateRequest) (*ec2labv1.DeleteLaunchTemplateResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DeleteLaunchTemplateResponse{LaunchTemplate: f.template("web", 2)}, nil
}

func (f *templateCompute) DeleteLaunchTemplateVersions(ctx context.Context, r *ec2labv1.DeleteLaunchTemplateVersionsRequest) (*ec2labv1.DeleteLaunchTemplateVersionsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DeleteLaunchTemplateVersionsResponse{
		SuccessfullyDeletedLaunchTemplateVersions: []*ec2labv1.LaunchTemplateVersionDeletion{
			{LaunchTemplateId: fakeTemplate, LaunchTemplateName: "web", VersionNumber: 3}},
		UnsuccessfullyDeletedLaunchTemplateVersions: []*ec2labv1.LaunchTemplateVersionDeletion{
			{LaunchTemplateId: fakeTemplate, LaunchTemplateName: "web", VersionNumber: 2,
				ResponseError: &ec2labv1.ValidationError{Code: "unexpectedError", Message: "Cannot delete the default version"}}}}, nil
}

func (f *templateCompute) GetLaunchTemplateData(ctx context.Context, r *ec2labv1.GetLaunchTemplateDataRequest) (*ec2labv1.GetLaunchTemplateDataResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.GetLaunchTemplateDataResponse{LaunchTemplateData: f.version(1).GetLaunchTemplateData()}, nil
}
