package controller

import (
	"context"
	"slices"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// NetworkInterface is EC2's view of an elastic network interface. Every
// interface is today an instance's primary one, read from the instance
// record (enis_describe.go); its IDs derive from the instance's (pkg/ids).
type NetworkInterface struct {
	ID, Owner             string
	VpcID, SubnetID, AZ   string
	Description           string
	Status                string // available or in-use
	MAC                   string
	PrivateIP, PrivateDNS string
	Groups                []GroupRef
	SourceDestCheck       bool
	InterfaceType         string // interface
	RequesterManaged      bool
	Attachment            *NetworkInterfaceAttachment // nil when detached
	Tags                  []Tag
	// AssociatePublicIP: the interface was given a public IPv4 address at
	// launch (DescribeNetworkInterfaceAttribute's associatePublicIpAddress).
	AssociatePublicIP bool
	// Association is the Elastic IP of the primary private address; nil
	// when none (or not read: see Service.withAddresses).
	Association *ENIAssociation
}

// NetworkInterfaceAttachment is an interface's attachment to an instance.
type NetworkInterfaceAttachment struct {
	ID                  string
	InstanceID          string
	InstanceOwner       string
	DeviceIndex         int
	Status              string // attaching, attached, detaching, detached
	DeleteOnTermination bool
	AttachTime          time.Time
}

// Network interface statuses and types, as EC2 names them.
const (
	ENIStatusInUse     = "in-use"
	ENIAttached        = "attached"
	ENITypeInterface   = "interface"
	primaryDeviceIndex = 0
)

// NetworkInterfaces are the interfaces attached to the instance, by device
// index: its primary interface, or none when it is in no subnet or
// terminated (EC2 deletes an interface that is deleted on termination
// with its instance).
func (in Instance) NetworkInterfaces() []NetworkInterface {
	id := ids.PrimaryNetworkInterface(in.ID)
	if in.SubnetID == "" || id == "" || in.State == StateTerminated {
		return nil
	}
	return []NetworkInterface{{ID: id, Owner: in.Owner, VpcID: in.VpcID, SubnetID: in.SubnetID, AZ: in.AZ,
		Description: in.ENIDescription, Status: ENIStatusInUse, MAC: in.MAC, PrivateIP: in.PrivateIP,
		PrivateDNS: in.PrivateDNSName, Groups: slices.Clone(in.SecurityGroups), SourceDestCheck: !in.SourceDestCheckOff,
		InterfaceType: ENITypeInterface, Tags: slices.Clone(in.ENITags), AssociatePublicIP: in.PublicIPOnLaunch,
		Attachment: &NetworkInterfaceAttachment{ID: ids.PrimaryNetworkInterfaceAttachment(in.ID), InstanceID: in.ID,
			InstanceOwner: in.Owner, DeviceIndex: primaryDeviceIndex, Status: ENIAttached, DeleteOnTermination: true,
			AttachTime: in.LaunchTime}, Association: in.association(id, in.PrivateIP)}}
}

// ownNetworkInterface finds the caller's interface id with its instance,
// answering EC2's Malformed and NotFound errors.
func (s *Service) ownNetworkInterface(ctx context.Context, acct, id string) (NetworkInterface, error) {
	if err := checkENIID(id); err != nil {
		return NetworkInterface{}, err
	}
	inst, err := s.instancesBy(ctx, "owner", acct)
	if err != nil {
		return NetworkInterface{}, err
	}
	want := ids.InstanceOfPrimaryNetworkInterface(id)
	for _, in := range inst {
		if in.ID != want {
			continue
		}
		for _, ni := range in.NetworkInterfaces() {
			if ni.ID == id {
				return ni, nil
			}
		}
	}
	return NetworkInterface{}, eniNotFound(id)
}

func checkENIID(id string) error {
	if !ids.Valid(ids.NetworkInterface, id) {
		return ec2err.New(ec2err.InvalidNetworkInterfaceIDMalformed, "Invalid id: \"%s\" (expecting \"eni-...\")", id)
	}
	return nil
}

func eniNotFound(id string) error {
	return ec2err.New(ec2err.InvalidNetworkInterfaceIDNotFound, "The networkInterface ID '%s' does not exist", id)
}
