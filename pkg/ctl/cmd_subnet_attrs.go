package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// modify-subnet-attribute: a subnet's launch settings. Every parameter of
// the AWS CLI is taken and sent; the server refuses what ec2lab cannot do.

func init() { commandGroups = append(commandGroups, addSubnetAttributeCommands) }

func addSubnetAttributeCommands(root *cobra.Command, a *app) {
	root.AddCommand(newModifySubnetAttributeCmd(a))
}

// subnetAttrFlags are modify-subnet-attribute's flags.
type subnetAttrFlags struct {
	req                                              pb.ModifySubnetAttributeRequest
	assignIPv6, mapPublicIP, mapCoIP, dns64, aRecord *boolAttr
	aaaaRecord, disableLni                           *boolAttr
}

// request is the flags' ModifySubnetAttribute, checked as the AWS CLI does.
func (fl *subnetAttrFlags) request(cmd *cobra.Command) (*pb.ModifySubnetAttributeRequest, error) {
	if err := requireFlags(cmd, "subnet-id"); err != nil {
		return nil, err
	}
	if err := refuseZero(cmd, "enable-lni-at-device-index"); err != nil {
		return nil, err
	}
	r := &fl.req
	err := readBoolAttrs(boolAttrField{fl.assignIPv6, &r.AssignIpv6AddressOnCreation},
		boolAttrField{fl.mapPublicIP, &r.MapPublicIpOnLaunch},
		boolAttrField{fl.mapCoIP, &r.MapCustomerOwnedIpOnLaunch},
		boolAttrField{fl.dns64, &r.EnableDns64},
		boolAttrField{fl.aRecord, &r.EnableResourceNameDnsARecordOnLaunch},
		boolAttrField{fl.aaaaRecord, &r.EnableResourceNameDnsAaaaRecordOnLaunch},
		boolAttrField{fl.disableLni, &r.DisableLniAtDeviceIndex})
	return r, err
}

func newModifySubnetAttributeCmd(a *app) *cobra.Command {
	var fl subnetAttrFlags
	cmd := &cobra.Command{
		Use:   "modify-subnet-attribute",
		Short: "Change one attribute of a subnet (ModifySubnetAttribute)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			req, err := fl.request(cmd)
			if err != nil {
				return err
			}
			return a.call(cmd.Context(), "ModifySubnetAttribute", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				_, err := c.ModifySubnetAttribute(ctx, req)
				return nil, err
			})
		},
	}
	f := cmd.Flags()
	fl.assignIPv6 = addBoolAttr(cmd, "assign-ipv6-address-on-creation", "give new interfaces an IPv6 address")
	fl.mapPublicIP = addBoolAttr(cmd, "map-public-ip-on-launch", "give new interfaces a public IPv4 address")
	f.StringVar(&fl.req.SubnetId, "subnet-id", "", "ID of the subnet")
	fl.mapCoIP = addBoolAttr(cmd, "map-customer-owned-ip-on-launch", "give new interfaces a customer-owned IPv4 address")
	f.StringVar(&fl.req.CustomerOwnedIpv4Pool, "customer-owned-ipv4-pool", "", "the customer-owned IPv4 pool (Outposts)")
	fl.dns64 = addBoolAttr(cmd, "enable-dns64", "synthetic IPv6 answers for IPv4-only names")
	f.StringVar(&fl.req.PrivateDnsHostnameTypeOnLaunch, "private-dns-hostname-type-on-launch", "",
		"ip-name or resource-name")
	fl.aRecord = addBoolAttr(cmd, "enable-resource-name-dns-a-record-on-launch", "answer instance-ID hostnames with A records")
	fl.aaaaRecord = addBoolAttr(cmd, "enable-resource-name-dns-aaaa-record-on-launch", "answer instance-ID hostnames with AAAA records")
	f.Int32Var(&fl.req.EnableLniAtDeviceIndex, "enable-lni-at-device-index", 0, "device index of local network interfaces (Outposts)")
	fl.disableLni = addBoolAttr(cmd, "disable-lni-at-device-index", "turn local network interfaces off (Outposts)")
	return cmd
}
