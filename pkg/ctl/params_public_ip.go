package ctl

import (
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// publicIPFlags are run-instances --associate-public-ip-address and
// --no-associate-public-ip-address, the AWS CLI's shortcut for the
// primary interface's AssociatePublicIpAddress (its runinstances
// customization).
type publicIPFlags struct {
	associate, noAssociate bool
}

func (p *publicIPFlags) add(cmd *cobra.Command) {
	f := cmd.Flags()
	f.BoolVar(&p.associate, "associate-public-ip-address", false,
		"give the instance a public IPv4 address of the region's pool (sets NetworkInterfaces[0].AssociatePublicIpAddress)")
	f.BoolVar(&p.noAssociate, "no-associate-public-ip-address", false,
		"give the instance no public IPv4 address, whatever its subnet's MapPublicIpOnLaunch")
}

// apply sets AssociatePublicIpAddress on the request's primary interface
// as the AWS CLI does: without --network-interfaces it makes the interface
// and moves --subnet-id, --security-group-ids and --private-ip-address into
// it (EC2 refuses them next to an interface); --associate-public-ip-address
// does not mix with --network-interfaces.
func (p *publicIPFlags) apply(req *pb.RunInstancesRequest) error {
	switch {
	case p.associate && p.noAssociate:
		return usageErrorf("Cannot specify both the \"--associate-public-ip-address\" option and the \"--no-associate-public-ip-address\" option.")
	case !p.associate && !p.noAssociate:
		return nil
	}
	v := p.associate
	if len(req.NetworkInterfaces) > 0 {
		if v {
			return usageErrorf("Mixing the --network-interfaces option with the simple, scalar options is not supported.")
		}
		req.NetworkInterfaces[0].AssociatePublicIpAddress = &v
		return nil
	}
	zero := int32(0)
	ni := &pb.InstanceNetworkInterfaceSpecification{DeviceIndex: &zero, AssociatePublicIpAddress: &v,
		SubnetId: req.SubnetId, Groups: req.SecurityGroupIds}
	if req.PrivateIpAddress != "" {
		ni.PrivateIpAddresses = []*pb.PrivateIpAddressSpecification{{PrivateIpAddress: req.PrivateIpAddress, Primary: true}}
	}
	req.NetworkInterfaces = []*pb.InstanceNetworkInterfaceSpecification{ni}
	req.SubnetId, req.SecurityGroupIds, req.PrivateIpAddress = "", nil, ""
	return nil
}
