package ctl

import (
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// TestRunInstancesPublicIP: --associate-public-ip-address and its --no-
// form set the primary interface's AssociatePublicIpAddress as the AWS CLI
// does, moving the instance-level network flags into the interface.
func TestRunInstancesPublicIP(t *testing.T) {
	zero, yes, no := int32(0), true, false
	net := []string{"--subnet-id", "subnet-1", "--security-group-ids", "sg-1", "sg-2", "--private-ip-address", "10.0.1.5"}
	tests := []struct {
		name string
		args []string
		want []*pb.InstanceNetworkInterfaceSpecification
	}{
		{"associate", append([]string{"--associate-public-ip-address"}, net...),
			[]*pb.InstanceNetworkInterfaceSpecification{{DeviceIndex: &zero, AssociatePublicIpAddress: &yes, SubnetId: "subnet-1",
				Groups: []string{"sg-1", "sg-2"}, PrivateIpAddresses: []*pb.PrivateIpAddressSpecification{{PrivateIpAddress: "10.0.1.5", Primary: true}}}}},
		{"no associate", []string{"--no-associate-public-ip-address"},
			[]*pb.InstanceNetworkInterfaceSpecification{{DeviceIndex: &zero, AssociatePublicIpAddress: &no}}},
		{"no associate with interfaces", []string{"--no-associate-public-ip-address", "--network-interfaces", "DeviceIndex=0,SubnetId=subnet-1"},
			[]*pb.InstanceNetworkInterfaceSpecification{{DeviceIndex: &zero, SubnetId: "subnet-1", AssociatePublicIpAddress: &no}}},
		{"interface member", []string{"--network-interfaces", "AssociatePublicIpAddress=true,DeviceIndex=0"},
			[]*pb.InstanceNetworkInterfaceSpecification{{DeviceIndex: &zero, AssociatePublicIpAddress: &yes}}},
		{"neither", []string{"--subnet-id", "subnet-1"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			if _, errOut, code := h.run(append([]string{"run-instances", "--image-id", "ami-1"}, tt.args...)...); code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			req := h.fake.lastRun
			got := req.GetNetworkInterfaces()
			if len(got) != len(tt.want) {
				t.Fatalf("NetworkInterfaces %v, want %v", got, tt.want)
			}
			for i := range got {
				if !proto.Equal(got[i], tt.want[i]) {
					t.Errorf("NetworkInterfaces[%d] %v, want %v", i, got[i], tt.want[i])
				}
			}
			if len(tt.want) > 0 && (req.GetSubnetId() != "" || len(req.GetSecurityGroupIds()) > 0 || req.GetPrivateIpAddress() != "") {
				t.Errorf("instance-level network parameters left next to the interface: %v", req)
			}
		})
	}
}

func TestRunInstancesPublicIPRefusals(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"--associate-public-ip-address", "--network-interfaces", "DeviceIndex=0"},
			"Mixing the --network-interfaces option with the simple, scalar options is not supported."},
		{[]string{"--associate-public-ip-address", "--no-associate-public-ip-address"}, "Cannot specify both"},
	} {
		h := newHarness(t)
		_, errOut, code := h.run(append([]string{"run-instances", "--image-id", "ami-1"}, tt.args...)...)
		if code != ExitUsage || !strings.Contains(errOut, tt.want) {
			t.Errorf("%v: exit %d, %q; want usage error %q", tt.args, code, errOut, tt.want)
		}
	}
}

// TestRunInstancesPublicIPAsAWSCLI: ec2ctl and `aws ec2 run-instances`
// send the same request for the public IP flags.
func TestRunInstancesPublicIPAsAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"--associate-public-ip-address", "--subnet-id", sampleSubnetID, "--security-group-ids", "sg-0123456789abcdef0",
			"--private-ip-address", "10.0.1.5"},
		{"--no-associate-public-ip-address"},
		{"--network-interfaces", "DeviceIndex=0,AssociatePublicIpAddress=true,SubnetId=" + sampleSubnetID},
	} {
		args = append([]string{"run-instances", "--image-id", "ami-0123456789abcdef0"}, args...)
		if _, errOut, code := aws.run(args...); code != 0 {
			t.Fatalf("aws %v: exit %d: %s", args, code, errOut)
		}
		awsReq := proto.Clone(h.fake.lastRun).(*pb.RunInstancesRequest)
		if _, errOut, code := h.run(args...); code != 0 {
			t.Fatalf("ec2ctl %v: exit %d: %s", args, code, errOut)
		}
		got := proto.Clone(h.fake.lastRun).(*pb.RunInstancesRequest)
		awsReq.ClientToken, got.ClientToken = "", "" // the AWS CLI fills one in
		if !proto.Equal(got, awsReq) {
			t.Errorf("%v:\nec2ctl sent %v\naws sent    %v", args, got, awsReq)
		}
	}
}
