package ctl

import (
	"context"
	"testing"

	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// sampleMetadataOptions are sampleInstance's options.
func sampleMetadataOptions() *pb.InstanceMetadataOptions {
	return &pb.InstanceMetadataOptions{State: "applied", HttpTokens: "optional", HttpPutResponseHopLimit: 1,
		HttpEndpoint: "enabled"}
}

// ModifyInstanceMetadataOptions applies the request to the sample options.
func (f *fakeCompute) ModifyInstanceMetadataOptions(_ context.Context, r *pb.ModifyInstanceMetadataOptionsRequest) (*pb.ModifyInstanceMetadataOptionsResponse, error) {
	if r.GetDryRun() {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.DryRunOperation, "Request would have succeeded, but DryRun flag is set."))
	}
	if r.GetHttpTokens() == "bogus" {
		return nil, errgrpc.ToGRPC(ec2err.New(ec2err.InvalidParameterValue,
			"Value (bogus) for parameter HttpTokens is invalid. Supported values are optional, required."))
	}
	o := sampleMetadataOptions()
	if r.GetHttpTokens() != "" {
		o.HttpTokens = r.GetHttpTokens()
	}
	if r.GetHttpEndpoint() != "" {
		o.HttpEndpoint = r.GetHttpEndpoint()
	}
	if r.HttpPutResponseHopLimit != nil {
		o.HttpPutResponseHopLimit = r.GetHttpPutResponseHopLimit()
	}
	return &pb.ModifyInstanceMetadataOptionsResponse{InstanceId: r.GetInstanceId(), InstanceMetadataOptions: o}, nil
}

func TestParseMetadataOptions(t *testing.T) {
	two := int32(2)
	tests := []struct {
		in   string
		want *pb.InstanceMetadataOptionsRequest
		ok   bool
	}{
		{"", nil, true},
		{"HttpTokens=required,HttpEndpoint=enabled", &pb.InstanceMetadataOptionsRequest{HttpTokens: "required", HttpEndpoint: "enabled"}, true},
		{`{"HttpTokens":"required","HttpPutResponseHopLimit":2}`,
			&pb.InstanceMetadataOptionsRequest{HttpTokens: "required", HttpPutResponseHopLimit: &two}, true},
		{"HttpPutResponseHopLimit=2", &pb.InstanceMetadataOptionsRequest{HttpPutResponseHopLimit: &two}, true},
		{"Tokens=required", nil, false},
		{"HttpPutResponseHopLimit=two", nil, false},
	}
	for _, tt := range tests {
		got, err := parseMetadataOptions(tt.in)
		if (err == nil) != tt.ok || (tt.ok && !proto.Equal(got, tt.want)) {
			t.Errorf("parseMetadataOptions(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func TestRunInstancesMetadataOptions(t *testing.T) {
	h := newHarness(t)
	_, errOut, code := h.run("run-instances", "--image-id", "ami-0123456789abcdef0",
		"--metadata-options", "HttpTokens=required,HttpEndpoint=disabled")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := &pb.InstanceMetadataOptionsRequest{HttpTokens: "required", HttpEndpoint: "disabled"}
	if got := h.fake.lastRun.GetMetadataOptions(); !proto.Equal(got, want) {
		t.Errorf("MetadataOptions sent: %v, want %v", got, want)
	}
}

func TestRunInstancesCreditSpecification(t *testing.T) {
	h := newHarness(t)
	_, errOut, code := h.run("run-instances", "--image-id", "ami-0123456789abcdef0", "--instance-type", "t3.micro",
		"--credit-specification", "CpuCredits=standard")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	want := &pb.CreditSpecificationRequest{CpuCredits: "standard"}
	if got := h.fake.lastRun.GetCreditSpecification(); !proto.Equal(got, want) {
		t.Errorf("CreditSpecification sent: %v, want %v", got, want)
	}
	if _, _, code := h.run("run-instances", "--image-id", "ami-0123456789abcdef0", "--credit-specification", "Cpu=standard"); code == 0 {
		t.Error("an unknown CreditSpecification member was accepted")
	}
}
