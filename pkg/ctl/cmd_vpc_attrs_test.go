package ctl

import (
	"strings"
	"testing"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/protobuf/proto"
)

// TestVpcAttributeRequests checks what each VPC and subnet attribute verb
// sends for its flags, the AWS CLI's forms of the boolean attributes
// included, and that required flags are checked before any call.
func TestVpcAttributeRequests(t *testing.T) {
	yes := &pb.AttributeBooleanValue{Value: true}
	no := &pb.AttributeBooleanValue{Value: false}
	vpc := []string{"--vpc-id", sampleVpcID}
	subnet := []string{"--subnet-id", sampleSubnetID}
	modifyVpc := func(r *pb.ModifyVpcAttributeRequest) *pb.ModifyVpcAttributeRequest {
		r.VpcId = sampleVpcID
		return r
	}
	modifySubnet := func(r *pb.ModifySubnetAttributeRequest) *pb.ModifySubnetAttributeRequest {
		r.SubnetId = sampleSubnetID
		return r
	}
	tests := []struct {
		name string
		args []string
		want proto.Message
	}{
		{"describe attribute", []string{"describe-vpc-attribute", "--attribute", "enableDnsHostnames", "--vpc-id", sampleVpcID},
			&pb.DescribeVpcAttributeRequest{VpcId: sampleVpcID, Attribute: "enableDnsHostnames"}},
		{"flag alone", append([]string{"modify-vpc-attribute", "--enable-dns-support"}, vpc...),
			modifyVpc(&pb.ModifyVpcAttributeRequest{EnableDnsSupport: yes})},
		{"no- flag", append([]string{"modify-vpc-attribute", "--no-enable-dns-hostnames"}, vpc...),
			modifyVpc(&pb.ModifyVpcAttributeRequest{EnableDnsHostnames: no})},
		{"shorthand after a space", append([]string{"modify-vpc-attribute", "--enable-dns-hostnames", "Value=false"}, vpc...),
			modifyVpc(&pb.ModifyVpcAttributeRequest{EnableDnsHostnames: no})},
		{"shorthand after =", append([]string{"modify-vpc-attribute", "--enable-network-address-usage-metrics=Value=true"}, vpc...),
			modifyVpc(&pb.ModifyVpcAttributeRequest{EnableNetworkAddressUsageMetrics: yes})},
		{"json", append([]string{"modify-vpc-attribute", "--enable-dns-support", `{"Value":false}`}, vpc...),
			modifyVpc(&pb.ModifyVpcAttributeRequest{EnableDnsSupport: no})},
		{"associate", []string{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID, "--cidr-block", "10.2.0.0/16"},
			&pb.AssociateVpcCidrBlockRequest{VpcId: sampleVpcID, CidrBlock: "10.2.0.0/16"}},
		{"associate ipv6 and ipam passed on", []string{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID,
			"--ipv6-cidr-block", "2600:1f14::/56", "--ipv6-pool", "pool-1", "--ipv6-cidr-block-network-border-group", "lab-1",
			"--ipv4-ipam-pool-id", "ipam-pool-1", "--ipv4-netmask-length", "24", "--ipv6-ipam-pool-id", "ipam-pool-2",
			"--ipv6-netmask-length", "56", "--amazon-provided-ipv6-cidr-block"},
			&pb.AssociateVpcCidrBlockRequest{VpcId: sampleVpcID, Ipv6CidrBlock: "2600:1f14::/56", Ipv6Pool: "pool-1",
				Ipv6CidrBlockNetworkBorderGroup: "lab-1", Ipv4IpamPoolId: "ipam-pool-1", Ipv4NetmaskLength: 24,
				Ipv6IpamPoolId: "ipam-pool-2", Ipv6NetmaskLength: 56, AmazonProvidedIpv6CidrBlock: true}},
		{"disassociate", []string{"disassociate-vpc-cidr-block", "--association-id", sampleAssocID},
			&pb.DisassociateVpcCidrBlockRequest{AssociationId: sampleAssocID}},
		{"classic link", []string{"describe-vpc-classic-link", "--vpc-ids", sampleVpcID, "vpc-2", "--filters", "Name=tag-key,Values=Name"},
			&pb.DescribeVpcClassicLinkRequest{VpcIds: []string{sampleVpcID, "vpc-2"},
				Filters: []*pb.Filter{{Name: "tag-key", Values: []string{"Name"}}}}},
		{"classic link dns one page", []string{"describe-vpc-classic-link-dns-support", "--vpc-ids", sampleVpcID, "--max-results", "5"},
			&pb.DescribeVpcClassicLinkDnsSupportRequest{VpcIds: []string{sampleVpcID}, MaxResults: 5}},
		{"map public ip", append([]string{"modify-subnet-attribute", "--map-public-ip-on-launch"}, subnet...),
			modifySubnet(&pb.ModifySubnetAttributeRequest{MapPublicIpOnLaunch: yes})},
		{"no map public ip", append([]string{"modify-subnet-attribute", "--no-map-public-ip-on-launch"}, subnet...),
			modifySubnet(&pb.ModifySubnetAttributeRequest{MapPublicIpOnLaunch: no})},
		{"hostname type", append([]string{"modify-subnet-attribute", "--private-dns-hostname-type-on-launch", "resource-name"}, subnet...),
			modifySubnet(&pb.ModifySubnetAttributeRequest{PrivateDnsHostnameTypeOnLaunch: "resource-name"})},
		{"every subnet flag", append([]string{"modify-subnet-attribute", "--assign-ipv6-address-on-creation", "Value=false",
			"--map-customer-owned-ip-on-launch", "--customer-owned-ipv4-pool", "coip-1", "--no-enable-dns64",
			"--enable-resource-name-dns-a-record-on-launch", `{"Value":true}`, "--no-enable-resource-name-dns-aaaa-record-on-launch",
			"--enable-lni-at-device-index", "1", "--disable-lni-at-device-index"}, subnet...),
			modifySubnet(&pb.ModifySubnetAttributeRequest{AssignIpv6AddressOnCreation: no, MapCustomerOwnedIpOnLaunch: yes,
				CustomerOwnedIpv4Pool: "coip-1", EnableDns64: no, EnableResourceNameDnsARecordOnLaunch: yes,
				EnableResourceNameDnsAaaaRecordOnLaunch: no, EnableLniAtDeviceIndex: 1, DisableLniAtDeviceIndex: yes})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h := newHarness(t)
			_, errOut, code := h.run(tt.args...)
			if code != 0 && code != ExitService {
				t.Fatalf("exit %d: %s", code, errOut)
			}
			if !proto.Equal(h.fake.lastReq, tt.want) {
				t.Errorf("sent %v, want %v", h.fake.lastReq, tt.want)
			}
		})
	}
}

// TestVpcAttributeUsageErrors checks what is refused before any call: a
// missing required flag (named as the AWS CLI names it), --name with
// --no-name, a value that is no {Value: boolean}, an integer 0 the API
// cannot carry, and --dry-run where EC2's operation has no DryRun.
func TestVpcAttributeUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"describe-vpc-attribute"}, "the following arguments are required: --attribute, --vpc-id"},
		{[]string{"describe-vpc-attribute", "--vpc-id", sampleVpcID}, "the following arguments are required: --attribute\n"},
		{[]string{"modify-vpc-attribute", "--enable-dns-support"}, "the following arguments are required: --vpc-id"},
		{[]string{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-support", "--no-enable-dns-support"},
			`Cannot specify both the "--enable-dns-support" option and the "--no-enable-dns-support" option.`},
		{[]string{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-support", "Value=maybe"}, "valid types: boolean"},
		{[]string{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-support", "Enabled=true"}, `unknown parameter in AttributeBooleanValue: "Enabled"`},
		{[]string{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-support", `{"Value":`}, "invalid JSON"},
		{[]string{"associate-vpc-cidr-block", "--cidr-block", "10.2.0.0/16"}, "the following arguments are required: --vpc-id"},
		{[]string{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID, "--ipv4-netmask-length", "0"}, "--ipv4-netmask-length 0 cannot be sent"},
		{[]string{"disassociate-vpc-cidr-block"}, "the following arguments are required: --association-id"},
		{[]string{"modify-subnet-attribute", "--map-public-ip-on-launch"}, "the following arguments are required: --subnet-id"},
		{[]string{"modify-subnet-attribute", "--subnet-id", sampleSubnetID, "--enable-lni-at-device-index", "0"}, "--enable-lni-at-device-index 0 cannot be sent"},
		{[]string{"modify-subnet-attribute", "--subnet-id", sampleSubnetID, "--enable-dns64", "--no-enable-dns64"}, "Cannot specify both"},
		{[]string{"modify-vpc-attribute", "--vpc-id", sampleVpcID, "--enable-dns-support", "--dry-run"}, "unknown flag: --dry-run"},
		{[]string{"modify-subnet-attribute", "--subnet-id", sampleSubnetID, "--dry-run"}, "unknown flag: --dry-run"},
		{[]string{"associate-vpc-cidr-block", "--vpc-id", sampleVpcID, "--dry-run"}, "unknown flag: --dry-run"},
		{[]string{"disassociate-vpc-cidr-block", "--association-id", sampleAssocID, "--dry-run"}, "unknown flag: --dry-run"},
		{[]string{"describe-vpc-classic-link-dns-support", "--dry-run"}, "unknown flag: --dry-run"},
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

// TestDescribeVpcClassicLinkDNSSupportPages follows NextToken as the AWS
// CLI does and stops at --max-items with a token to resume from.
func TestDescribeVpcClassicLinkDNSSupportPages(t *testing.T) {
	h := newHarness(t)
	out, errOut, code := h.run("describe-vpc-classic-link-dns-support", "--page-size", "1",
		"--query", "Vpcs[].VpcId", "--output", "text")
	if code != 0 || out != sampleVpcID+"\tvpc-0fedcba9876543210\n" {
		t.Errorf("all pages: exit %d, %q (%s)", code, out, errOut)
	}
	out, errOut, code = h.run("describe-vpc-classic-link-dns-support", "--page-size", "1", "--max-items", "1",
		"--query", "NextToken", "--output", "text")
	if code != 0 || strings.TrimSpace(out) != encodeResume(resumeToken{NextToken: "2"}) {
		t.Errorf("--max-items 1: exit %d, %q (%s)", code, out, errOut)
	}
}
