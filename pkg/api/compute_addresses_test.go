package api

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

func TestAddressOut(t *testing.T) {
	free := addressOut(controller.Address{AllocationID: "eipalloc-0123456789abcdef0", PublicIP: "198.51.100.1", Domain: "vpc",
		NetworkBorderGroup: "lab-1", PublicIPv4Pool: "amazon"})
	if free.GetAssociationId() != "" || free.GetNetworkBorderGroup() != "lab-1" || free.GetPublicIpv4Pool() != "amazon" {
		t.Errorf("unassociated address %v", free)
	}
	used := addressOut(controller.Address{AllocationID: "eipalloc-0123456789abcdef0", PublicIP: "198.51.100.1",
		Association: &controller.AddressAssociation{ID: "eipassoc-0123456789abcdef0", InstanceID: "i-0123456789abcdef0",
			NetworkInterfaceID: "eni-0123456789abcdef0", NetworkInterfaceOwner: "111111111111", PrivateIP: "10.0.0.5"}})
	if used.GetAssociationId() != "eipassoc-0123456789abcdef0" || used.GetInstanceId() != "i-0123456789abcdef0" ||
		used.GetNetworkInterfaceId() != "eni-0123456789abcdef0" || used.GetNetworkInterfaceOwnerId() != "111111111111" ||
		used.GetPrivateIpAddress() != "10.0.0.5" {
		t.Errorf("associated address %v", used)
	}
	if eniAssociationOut(nil) != nil {
		t.Error("an interface without an Elastic IP has an association")
	}
}
