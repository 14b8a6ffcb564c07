package ctl

import (
	"reflect"
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// TestInstanceOpsRequests checks what each verb sends for its flags.
func TestInstanceOpsRequests(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want proto.Message
	}{
		{"offerings in zones, one page", []string{"describe-instance-type-offerings", "--location-type", "availability-zone",
			"--filters", "Name=instance-type,Values=t3.micro,g4dn.*", "--max-results", "5", "--dry-run"},
			&pb.DescribeInstanceTypeOfferingsRequest{LocationType: "availability-zone", MaxResults: 5, DryRun: true,
				Filters: []*pb.Filter{{Name: "instance-type", Values: []string{"t3.micro", "g4dn.*"}}}}},
		{"credits, shorthand and JSON", []string{"modify-instance-credit-specification", "--instance-credit-specifications",
			"InstanceId=i-0123456789abcdef0,CpuCredits=standard", `{"InstanceId":"i-2","CpuCredits":"unlimited"}`,
			"--client-token", "tok", "--dry-run"},
			&pb.ModifyInstanceCreditSpecificationRequest{ClientToken: "tok", DryRun: true,
				InstanceCreditSpecifications: []*pb.InstanceCreditSpecificationRequest{
					{InstanceId: "i-0123456789abcdef0", CpuCredits: "standard"}, {InstanceId: "i-2", CpuCredits: "unlimited"}}}},
		{"reset", []string{"reset-instance-attribute", "--instance-id", "i-0123456789abcdef0", "--attribute", "sourceDestCheck", "--dry-run"},
			&pb.ResetInstanceAttributeRequest{InstanceId: "i-0123456789abcdef0", Attribute: "sourceDestCheck", DryRun: true}},
		{"default vpc", []string{"create-default-vpc", "--dry-run"}, &pb.CreateDefaultVpcRequest{DryRun: true}},
		{"default subnet by zone ID", []string{"create-default-subnet", "--availability-zone-id", "lab1-az1", "--no-ipv6-native"},
			&pb.CreateDefaultSubnetRequest{AvailabilityZoneId: "lab1-az1"}},
		{"default subnet, IPv6 only", []string{"create-default-subnet", "--availability-zone", "lab-1a", "--ipv6-native"},
			&pb.CreateDefaultSubnetRequest{AvailabilityZone: "lab-1a", Ipv6Native: true}},
		{"uefi data", []string{"get-instance-uefi-data", "--instance-id", "i-0123456789abcdef0", "--dry-run"},
			&pb.GetInstanceUefiDataRequest{InstanceId: "i-0123456789abcdef0", DryRun: true}},
		{"topology", []string{"describe-instance-topology", "--group-names", "tight", "--filters", "Name=zone-id,Values=lab1-az1",
			"--max-results", "10"},
			&pb.DescribeInstanceTopologyRequest{GroupNames: []string{"tight"}, MaxResults: 10,
				Filters: []*pb.Filter{{Name: "zone-id", Values: []string{"lab1-az1"}}}}},
		{"describe credits", []string{"describe-instance-credit-specifications", "--instance-ids", "i-0123456789abcdef0",
			"--filters", "Name=instance-id,Values=i-*"},
			&pb.DescribeInstanceCreditSpecificationsRequest{InstanceIds: []string{"i-0123456789abcdef0"},
				Filters: []*pb.Filter{{Name: "instance-id", Values: []string{"i-*"}}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			_, errOut, code := h.run(tt.args...)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !proto.Equal(h.fake.lastReq, tt.want) {
				t.Errorf("sent %v, want %v", h.fake.lastReq, tt.want)
			}
		})
	}
}

// TestInstanceOpsOutput checks the documents the verbs print, as the AWS
// CLI prints them.
func TestInstanceOpsOutput(t *testing.T) {
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"offerings, every page", []string{"describe-instance-type-offerings", "--location-type", "availability-zone", "--page-size", "5"},
			`{
    "InstanceTypeOfferings": [
        {
            "InstanceType": "t3.micro",
            "LocationType": "availability-zone",
            "Location": "lab-1a"
        },
        {
            "InstanceType": "g4dn.xlarge",
            "LocationType": "availability-zone",
            "Location": "lab-1b"
        }
    ]
}
`},
		{"credits changed and not", []string{"modify-instance-credit-specification", "--instance-credit-specifications",
			"InstanceId=i-0123456789abcdef0,CpuCredits=standard", "InstanceId=i-0000000000000dead,CpuCredits=standard"},
			`{
    "SuccessfulInstanceCreditSpecifications": [
        {
            "InstanceId": "i-0123456789abcdef0"
        }
    ],
    "UnsuccessfulInstanceCreditSpecifications": [
        {
            "InstanceId": "i-0000000000000dead",
            "Error": {
                "Code": "InvalidInstanceID.NotFound",
                "Message": "The instance ID 'i-0000000000000dead' does not exist"
            }
        }
    ]
}
`},
		{"credits, every page", []string{"describe-instance-credit-specifications", "--page-size", "5",
			"--query", "InstanceCreditSpecifications[].[InstanceId,CpuCredits]", "--output", "text"},
			"i-0123456789abcdef0\tunlimited\ni-0fedcba9876543210\tunlimited\n"},
		{"reset prints nothing", []string{"reset-instance-attribute", "--instance-id", "i-0123456789abcdef0", "--attribute", "kernel"}, ""},
		{"default VPC", []string{"create-default-vpc", "--query", "Vpc.[VpcId,IsDefault,CidrBlock]", "--output", "text"},
			"vpc-0123456789abcdef0\tTrue\t10.0.0.0/16\n"},
		{"default subnet", []string{"create-default-subnet", "--availability-zone", "lab-1a", "--query", "Subnet.[SubnetId,DefaultForAz]", "--output", "text"},
			"subnet-0123456789abcdef0\tTrue\n"},
		{"uefi data", []string{"get-instance-uefi-data", "--instance-id", "i-0123456789abcdef0"}, `{
    "InstanceId": "i-0123456789abcdef0",
    "UefiData": "QU1aTlVFRkmxVslUAAAAAHjaYoACQAAAAP//AAgAAQ=="
}
`},
		{"topology", []string{"describe-instance-topology"}, `{
    "Instances": [
        {
            "InstanceId": "i-0123456789abcdef0",
            "InstanceType": "t3.micro",
            "NetworkNodes": [
                "nn-0123456789abcdef0",
                "nn-1123456789abcdef0",
                "nn-2123456789abcdef0"
            ],
            "AvailabilityZone": "lab-1a",
            "ZoneId": "lab1-az1"
        }
    ]
}
`},
		{"offerings as text", []string{"describe-instance-type-offerings", "--query", "InstanceTypeOfferings[].InstanceType", "--output", "text"},
			"t3.micro\tg4dn.xlarge\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			out, errOut, code := h.run(tt.args...)
			if code != 0 || out != tt.want {
				t.Errorf("exit %d, stderr %q, stdout\n%s\nwant\n%s", code, errOut, out, tt.want)
			}
		})
	}
}

// TestInstanceOpsUsageErrors checks what is refused before any call.
func TestInstanceOpsUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"reset-instance-attribute", "--instance-id", "i-1"}, "the following arguments are required: --attribute"},
		{[]string{"create-default-subnet", "--ipv6-native", "--no-ipv6-native"}, `Cannot specify both the "--ipv6-native" option`},
		{[]string{"get-instance-uefi-data"}, "the following arguments are required: --instance-id"},
		{[]string{"modify-instance-credit-specification"}, "the following arguments are required: --instance-credit-specifications"},
		{[]string{"modify-instance-credit-specification", "--instance-credit-specifications", "InstanceId=i-1,Credits=standard"},
			`unknown parameter in InstanceCreditSpecificationRequest: "Credits"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			h := newHarness(t)
			_, errOut, code := h.run(tt.args...)
			if code != ExitUsage || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, stderr %q; want %d and %q", code, errOut, ExitUsage, tt.want)
			}
			if h.fake.lastReq != nil {
				t.Errorf("sent %v before the flags were checked", h.fake.lastReq)
			}
		})
	}
}

// TestInstanceOpsMatchAWSCLI runs each verb through ec2ctl (gRPC) and the
// AWS CLI (Query API) against the same fake: the same request, exit code
// and JSON, key for key and in order.
func TestInstanceOpsMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-instance-type-offerings", "--location-type", "availability-zone", "--filters", "Name=instance-type,Values=t3.micro"},
		{"modify-instance-credit-specification", "--instance-credit-specifications",
			"InstanceId=i-0123456789abcdef0,CpuCredits=standard", "InstanceId=i-0000000000000dead,CpuCredits=unlimited"},
		{"describe-instance-credit-specifications", "--instance-ids", "i-0123456789abcdef0"},
		{"reset-instance-attribute", "--instance-id", "i-0123456789abcdef0", "--attribute", "sourceDestCheck"},
		{"create-default-vpc"},
		{"create-default-subnet", "--availability-zone", "lab-1a"},
		{"get-instance-uefi-data", "--instance-id", "i-0123456789abcdef0"},
		{"describe-instance-topology", "--group-names", "tight"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			h.fake.lastReq = nil
			awsOut, awsErr, awsCode := aws.run(args...)
			awsReq := h.fake.lastReq
			h.fake.lastReq = nil
			out, errOut, code := h.run(append(args, "--output", "json")...)
			if code != awsCode {
				t.Fatalf("ec2ctl exit %d (%s), aws exit %d (%s)", code, errOut, awsCode, awsErr)
			}
			if !proto.Equal(h.fake.lastReq, awsReq) {
				t.Errorf("ec2ctl sent %v, aws sent %v", h.fake.lastReq, awsReq)
			}
			if got, want := awsShaped(t, out), withoutQuirks(awsShaped(t, awsOut)); !reflect.DeepEqual(got, want) {
				t.Errorf("ec2ctl printed:\n%s\naws printed:\n%s", out, awsOut)
			}
		})
	}
}
