package api

import (
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// refuse answers the first parameter a request set to something ec2lab
// cannot honour: each is named with why; a parameter at EC2's default
// (what the SDKs and Terraform send) passes.
func refuse(checks ...unsupportedParam) error {
	for _, c := range checks {
		if c.set {
			return ec2err.New(ec2err.UnsupportedOperation, "The parameter %s is not supported: %s", c.name, c.why)
		}
	}
	return nil
}

type unsupportedParam struct {
	name string
	set  bool
	why  string
}

// runInstancesUnsupported are RunInstances' parameters ec2lab holds at
// EC2's defaults.
func runInstancesUnsupported(r *v1.RunInstancesRequest) error {
	return refuse(
		unsupportedParam{"EbsOptimized", r.GetEbsOptimized(), "ec2lab has no separate EBS bandwidth to dedicate"},
		unsupportedParam{"HibernationOptions.Configured", r.GetHibernationOptions().GetConfigured(), "ec2lab instances do not hibernate"},
		unsupportedParam{"Monitoring.Enabled", r.GetMonitoring().GetEnabled(), "ec2lab has no detailed monitoring"},
	)
}

// createVpcUnsupported are CreateVpc's parameters beyond IPv4 blocks and
// default tenancy.
func createVpcUnsupported(r *v1.CreateVpcRequest) error {
	const noIPv6 = "ec2lab VPCs have IPv4 blocks only"
	switch r.GetInstanceTenancy() {
	case "", "default":
	case "dedicated", "host":
		return refuse(unsupportedParam{"InstanceTenancy", true, "ec2lab has no dedicated hardware"})
	default:
		return ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter instanceTenancy is invalid", r.GetInstanceTenancy())
	}
	return refuse(
		unsupportedParam{"AmazonProvidedIpv6CidrBlock", r.GetAmazonProvidedIpv6CidrBlock(), noIPv6},
		unsupportedParam{"Ipv6Pool", r.GetIpv6Pool() != "", noIPv6},
		unsupportedParam{"Ipv6CidrBlock", r.GetIpv6CidrBlock() != "", noIPv6},
		unsupportedParam{"Ipv6IpamPoolId", r.GetIpv6IpamPoolId() != "", noIPv6},
		unsupportedParam{"Ipv6NetmaskLength", r.GetIpv6NetmaskLength() != 0, noIPv6},
		unsupportedParam{"Ipv6CidrBlockNetworkBorderGroup", r.GetIpv6CidrBlockNetworkBorderGroup() != "", noIPv6},
		unsupportedParam{"Ipv4IpamPoolId", r.GetIpv4IpamPoolId() != "", "ec2lab has no IPAM pools"},
		unsupportedParam{"Ipv4NetmaskLength", r.GetIpv4NetmaskLength() != 0, "ec2lab has no IPAM pools"},
	)
}

// copyImageUnsupported are CopyImage's parameters ec2lab cannot honour.
func copyImageUnsupported(r *v1.CopyImageRequest) error {
	return refuse(
		unsupportedParam{"Encrypted", r.GetEncrypted(), "a copy keeps its snapshots' encryption; copy a snapshot with CopySnapshot --encrypted"},
		unsupportedParam{"KmsKeyId", r.GetKmsKeyId() != "", "ec2lab encrypts with keys of its own"},
		unsupportedParam{"CopyImageTags", r.GetCopyImageTags(), "give the copy's tags in TagSpecifications"},
	)
}
