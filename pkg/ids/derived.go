package ids

import "strings"

// NetworkInterface is the prefix of network interface IDs.
const NetworkInterface = "eni"

// PrimaryNetworkInterface is the ID of an instance's primary network
// interface, derived from the instance ID (its hex digits under the eni-
// prefix) so that no record has to hold it; "" when instanceID is malformed.
func PrimaryNetworkInterface(instanceID string) string {
	if !Valid(Instance, instanceID) {
		return ""
	}
	return NetworkInterface + "-" + strings.TrimPrefix(instanceID, Instance+"-")
}

// PrimaryNetworkInterfaceAttachment is the attachment ID of an instance's
// primary network interface ("" when instanceID is malformed).
func PrimaryNetworkInterfaceAttachment(instanceID string) string {
	if !Valid(Instance, instanceID) {
		return ""
	}
	return "eni-attach-" + strings.TrimPrefix(instanceID, Instance+"-")
}
