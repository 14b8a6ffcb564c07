package ctl

import (
	"context"

	"google.golang.org/protobuf/proto"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// The fake's launch templates: one template, lt-0123456789abcdef0, whose
// version 1 holds sampleTemplateData.

func sampleLaunchTemplate() *pb.LaunchTemplate {
	return &pb.LaunchTemplate{LaunchTemplateId: "lt-0123456789abcdef0", LaunchTemplateName: "web", CreateTime: t0,
		CreatedBy: "arn:aws:iam::000000000001:root", DefaultVersionNumber: 1, LatestVersionNumber: 2,
		Tags: []*pb.Tag{{Key: "team", Value: "web"}}}
}

func sampleTemplateData() *pb.LaunchTemplateData {
	return &pb.LaunchTemplateData{ImageId: "ami-0123456789abcdef0", InstanceType: "t3.micro", KeyName: "lab",
		UserData: "I2Nsb3VkLWNvbmZpZwo=", SecurityGroupIds: []string{"sg-0123456789abcdef0"}, EbsOptimized: new(false),
		BlockDeviceMappings: []*pb.LaunchTemplateBlockDeviceMapping{{DeviceName: "/dev/sda1",
			Ebs: &pb.LaunchTemplateEbsBlockDevice{VolumeSize: 8, VolumeType: "gp3", DeleteOnTermination: new(true)}},
			{DeviceName: "/dev/sdc", NoDevice: new("")}},
		NetworkInterfaces:   []*pb.LaunchTemplateNetworkInterface{{DeviceIndex: new(int32(0)), SubnetId: "subnet-0123456789abcdef0"}},
		Placement:           &pb.LaunchTemplatePlacement{AvailabilityZone: "lab-1a"},
		TagSpecifications:   []*pb.TagSpecification{{ResourceType: "instance", Tags: []*pb.Tag{{Key: "Name", Value: "web"}}}},
		MetadataOptions:     &pb.LaunchTemplateMetadataOptions{HttpTokens: "required", HttpPutResponseHopLimit: new(int32(2))},
		CreditSpecification: &pb.CreditSpecificationRequest{CpuCredits: "standard"}, Monitoring: &pb.LaunchTemplateMonitoring{},
		DisableApiTermination: new(true), InstanceInitiatedShutdownBehavior: "stop"}
}

func (f *fakeCompute) noteTemplate(m proto.Message) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.templateReqs = append(f.templateReqs, proto.Clone(m))
}

func (f *fakeCompute) sampleVersion(n int64) *pb.LaunchTemplateVersion {
	return &pb.LaunchTemplateVersion{LaunchTemplateId: "lt-0123456789abcdef0", LaunchTemplateName: "web", VersionNumber: n,
		VersionDescription: "first", CreateTime: t0, CreatedBy: "arn:aws:iam::000000000001:root", DefaultVersion: n == 1,
		LaunchTemplateData: sampleTemplateData()}
}

func (f *fakeCompute) CreateLaunchTemplate(_ context.Context, req *pb.CreateLaunchTemplateRequest) (*pb.CreateLaunchTemplateResponse, error) {
	f.noteTemplate(req)
	return &pb.CreateLaunchTemplateResponse{LaunchTemplate: sampleLaunchTemplate(), Warning: &pb.ValidationWarning{
		Errors: []*pb.ValidationError{{Code: "InvalidKeyPair.NotFound", Message: "The key pair 'lab' does not exist"}}}}, nil
}

func (f *fakeCompute) CreateLaunchTemplateVersion(_ context.Context, req *pb.CreateLaunchTemplateVersionRequest) (*pb.CreateLaunchTemplateVersionResponse, error) {
	f.noteTemplate(req)
	return &pb.CreateLaunchTemplateVersionResponse{LaunchTemplateVersion: f.sampleVersion(2)}, nil
}

func (f *fakeCompute) DescribeLaunchTemplates(_ context.Context, req *pb.DescribeLaunchTemplatesRequest) (*pb.DescribeLaunchTemplatesResponse, error) {
	f.noteTemplate(req)
	return &pb.DescribeLaunchTemplatesResponse{LaunchTemplates: []*pb.LaunchTemplate{sampleLaunchTemplate()}}, nil
}

func (f *fakeCompute) DescribeLaunchTemplateVersions(_ context.Context, req *pb.DescribeLaunchTemplateVersionsRequest) (*pb.DescribeLaunchTemplateVersionsResponse, error) {
	f.noteTemplate(req)
	return &pb.DescribeLaunchTemplateVersionsResponse{LaunchTemplateVersions: []*pb.LaunchTemplateVersion{f.sampleVersion(1)}}, nil
}

func (f *fakeCompute) ModifyLaunchTemplate(_ context.Context, req *pb.ModifyLaunchTemplateRequest) (*pb.ModifyLaunchTemplateResponse, error) {
	f.noteTemplate(req)
	return &pb.ModifyLaunchTemplateResponse{LaunchTemplate: sampleLaunchTemplate()}, nil
}

func (f *fakeCompute) DeleteLaunchTemplate(_ context.Context, req *pb.DeleteLaunchTemplateRequest) (*pb.DeleteLaunchTemplateResponse, error) {
	f.noteTemplate(req)
	return &pb.DeleteLaunchTemplateResponse{LaunchTemplate: sampleLaunchTemplate()}, nil
}

func (f *fakeCompute) DeleteLaunchTemplateVersions(_ context.Context, req *pb.DeleteLaunchTemplateVersionsRequest) (*pb.DeleteLaunchTemplateVersionsResponse, error) {
	f.noteTemplate(req)
	return &pb.DeleteLaunchTemplateVersionsResponse{
		SuccessfullyDeletedLaunchTemplateVersions: []*pb.LaunchTemplateVersionDeletion{
			{LaunchTemplateId: "lt-0123456789abcdef0", LaunchTemplateName: "web", VersionNumber: 2}},
		UnsuccessfullyDeletedLaunchTemplateVersions: []*pb.LaunchTemplateVersionDeletion{
			{LaunchTemplateId: "lt-0123456789abcdef0", LaunchTemplateName: "web", VersionNumber: 1,
				ResponseError: &pb.ValidationError{Code: "unexpectedError", Message: "Cannot delete the default version"}}}}, nil
}

func (f *fakeCompute) GetLaunchTemplateData(_ context.Context, req *pb.GetLaunchTemplateDataRequest) (*pb.GetLaunchTemplateDataResponse, error) {
	f.noteTemplate(req)
	return &pb.GetLaunchTemplateDataResponse{LaunchTemplateData: sampleTemplateData()}, nil
}
