// Package ec2err owns ec2lab's errors as data: every EC2 error code the
// project answers is a constant here, and domain code returns an *Error
// (or wraps one with %w) carrying one of them. The code survives wrapping
// (As, Code, errors.Is against a Sentinel); how it crosses a transport is
// the transport's business (errgrpc for gRPC, the Query API's encoder for
// HTTP), decided once at each edge.
package ec2err

import (
	"errors"
	"fmt"
)

// Error is an EC2-style error: a code such as InvalidInstanceID.NotFound and
// a human message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// Is reports whether target is an *Error with the same code, so that
// errors.Is(err, ec2err.Sentinel(code)) matches any message.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Code == e.Code && t.Message == ""
}

// New makes an *Error with a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Sentinel is an error that errors.Is matches against any *Error of code.
func Sentinel(code string) error { return &Error{Code: code} }

// Codes the API answers with no resource in them.
const (
	InvalidParameterValue        = "InvalidParameterValue"
	InvalidParameterCombination  = "InvalidParameterCombination"
	InvalidParameter             = "InvalidParameter"
	MissingParameter             = "MissingParameter"
	UnsupportedOperation         = "UnsupportedOperation"
	OperationNotPermitted        = "OperationNotPermitted"
	IncorrectInstanceState       = "IncorrectInstanceState"
	IncorrectState               = "IncorrectState"
	DependencyViolation          = "DependencyViolation"
	InsufficientInstanceCapacity = "InsufficientInstanceCapacity"
	IdempotentParameterMismatch  = "IdempotentParameterMismatch"
	InternalError                = "InternalError"
	AuthFailure                  = "AuthFailure"
	UnauthorizedOperation        = "UnauthorizedOperation"
	DryRunOperation              = "DryRunOperation"
	RequestLimitExceeded         = "RequestLimitExceeded"
	InvalidAction                = "InvalidAction"
	UnknownParameter             = "UnknownParameter"
	InvalidID                    = "InvalidID"
	VcpuLimitExceeded            = "VcpuLimitExceeded"
	TagLimitExceeded             = "TagLimitExceeded"
	MissingAuthenticationToken   = "MissingAuthenticationToken"
	IncompleteSignature          = "IncompleteSignature"
	RequestExpired               = "RequestExpired"
	NoSuchVersion                = "NoSuchVersion"
)

// Codes about one kind of resource.
const (
	CannotDelete                           = "CannotDelete"
	InvalidAMIAttributeItemValue           = "InvalidAMIAttributeItemValue"
	InvalidAMIIDMalformed                  = "InvalidAMIID.Malformed"
	InvalidAMIIDNotFound                   = "InvalidAMIID.NotFound"
	InvalidAMIIDUnavailable                = "InvalidAMIID.Unavailable"
	InvalidAMINameDuplicate                = "InvalidAMIName.Duplicate"
	InvalidAMINameMalformed                = "InvalidAMIName.Malformed"
	InvalidGroupDuplicate                  = "InvalidGroup.Duplicate"
	InvalidGroupNotFound                   = "InvalidGroup.NotFound"
	InvalidGroupIDMalformed                = "InvalidGroupId.Malformed"
	InvalidHostIDNotFound                  = "InvalidHostID.NotFound"
	InvalidInstanceIDMalformed             = "InvalidInstanceID.Malformed"
	InvalidInstanceIDNotFound              = "InvalidInstanceID.NotFound"
	InvalidInstanceType                    = "InvalidInstanceType"
	InvalidKeyFormat                       = "InvalidKey.Format"
	InvalidKeyPairDuplicate                = "InvalidKeyPair.Duplicate"
	InvalidKeyPairNotFound                 = "InvalidKeyPair.NotFound"
	InvalidPermissionDuplicate             = "InvalidPermission.Duplicate"
	InvalidPermissionNotFound              = "InvalidPermission.NotFound"
	InvalidPlacementGroupDuplicate         = "InvalidPlacementGroup.Duplicate"
	InvalidPlacementGroupInUse             = "InvalidPlacementGroup.InUse"
	InvalidPlacementGroupUnknown           = "InvalidPlacementGroup.Unknown"
	InvalidSecurityGroupRuleIDMalformed    = "InvalidSecurityGroupRuleId.Malformed"
	InvalidSecurityGroupRuleIDNotFound     = "InvalidSecurityGroupRuleId.NotFound"
	InvalidSnapshotInUse                   = "InvalidSnapshot.InUse"
	InvalidSnapshotNotFound                = "InvalidSnapshot.NotFound"
	InvalidSnapshotIDMalformed             = "InvalidSnapshotID.Malformed"
	InvalidSubnetIDMalformed               = "InvalidSubnetID.Malformed"
	InvalidSubnetIDNotFound                = "InvalidSubnetID.NotFound"
	InvalidUserIDMalformed                 = "InvalidUserID.Malformed"
	InvalidVolumeNotFound                  = "InvalidVolume.NotFound"
	InvalidVolumeZoneMismatch              = "InvalidVolume.ZoneMismatch"
	InvalidVolumeIDMalformed               = "InvalidVolumeID.Malformed"
	InvalidVolumeModificationNotFound      = "InvalidVolumeModification.NotFound"
	InvalidVpcIDMalformed                  = "InvalidVpcID.Malformed"
	InvalidVpcIDNotFound                   = "InvalidVpcID.NotFound"
	InvalidVpcCidrAssocNotFound            = "InvalidVpcCidrBlockAssociationID.NotFound"
	InvalidInstanceAttributeValue          = "InvalidInstanceAttributeValue"
	CidrLimitExceeded                      = "CidrLimitExceeded"
	InvalidLaunchTemplateIDMalformed       = "InvalidLaunchTemplateId.Malformed"
	InvalidLaunchTemplateIDNotFound        = "InvalidLaunchTemplateId.NotFound"
	InvalidLaunchTemplateIDVersionNotFound = "InvalidLaunchTemplateId.VersionNotFound"
	InvalidLaunchTemplateNameAlreadyExists = "InvalidLaunchTemplateName.AlreadyExistsException"
	InvalidLaunchTemplateNameMalformed     = "InvalidLaunchTemplateName.MalformedException"
	InvalidLaunchTemplateNameNotFound      = "InvalidLaunchTemplateName.NotFoundException"
	VPCIdNotSpecified                      = "VPCIdNotSpecified"
	VolumeInUse                            = "VolumeInUse"
	// InvalidAttachmentIDNotFound: ModifyNetworkInterfaceAttribute names
	// an attachment the interface does not have.
	InvalidAttachmentIDNotFound = "InvalidAttachmentID.NotFound"
)

// Codes of the instance and account operations (credit specifications,
// default VPCs and subnets).
const (
	InstanceCreditSpecificationNotSupported = "InstanceCreditSpecification.NotSupported"
	DefaultVpcAlreadyExists                 = "DefaultVpcAlreadyExists"
	DefaultVpcDoesNotExist                  = "DefaultVpcDoesNotExist"
	DefaultSubnetAlreadyExistsInAZ          = "DefaultSubnetAlreadyExistsInAvailabilityZone"
)

// Codes of the account quotas (Service Quotas): a create that would pass
// one answers its code and records nothing.
const (
	VpcLimitExceeded                   = "VpcLimitExceeded"
	SubnetLimitExceeded                = "SubnetLimitExceeded"
	SecurityGroupLimitExceeded         = "SecurityGroupLimitExceeded"
	RulesPerSecurityGroupLimitExceeded = "RulesPerSecurityGroupLimitExceeded"
	VolumeLimitExceeded                = "VolumeLimitExceeded"
	SnapshotLimitExceeded              = "SnapshotLimitExceeded"
	AMIQuotaExceeded                   = "AMIQuotaExceeded"
	KeyPairLimitExceeded               = "KeyPairLimitExceeded"
	LaunchTemplateLimitExceeded        = "LaunchTemplateLimitExceeded"
	InternetGatewayLimitExceeded       = "InternetGatewayLimitExceeded"
	NatGatewayLimitExceeded            = "NatGatewayLimitExceeded"
	RouteTableLimitExceeded            = "RouteTableLimitExceeded"
	RouteLimitExceeded                 = "RouteLimitExceeded"
	NetworkACLLimitExceeded            = "NetworkAclLimitExceeded"
	NetworkACLEntryLimitExceeded       = "NetworkAclEntryLimitExceeded"
)

// Codes of DHCP option sets.
const (
	InvalidDhcpOptionsIDMalformed = "InvalidDhcpOptionsId.Malformed"
	InvalidDhcpOptionIDNotFound   = "InvalidDhcpOptionID.NotFound"
)

// SerialConsoleAccessDisabled refuses a serial console session while the
// account's serial console access is off (EC2 Instance Connect's code).
const SerialConsoleAccessDisabled = "SerialConsoleAccessDisabled"

// Codes about network interfaces, route tables and network ACLs.
const (
	InvalidNetworkACLIDMalformed       = "InvalidNetworkAclID.Malformed"
	InvalidNetworkACLIDNotFound        = "InvalidNetworkAclID.NotFound"
	InvalidNetworkACLEntryNotFound     = "InvalidNetworkAclEntry.NotFound"
	NetworkACLEntryAlreadyExists       = "NetworkAclEntryAlreadyExists"
	InvalidNetworkInterfaceIDMalformed = "InvalidNetworkInterfaceID.Malformed"
	InvalidNetworkInterfaceIDNotFound  = "InvalidNetworkInterfaceID.NotFound"
	InvalidRouteTableIDMalformed       = "InvalidRouteTableID.Malformed"
	InvalidRouteTableIDNotFound        = "InvalidRouteTableID.NotFound"
)

// Codes of Elastic IP addresses.
const (
	AddressLimitExceeded          = "AddressLimitExceeded"
	InvalidAddressNotFound        = "InvalidAddress.NotFound"
	InvalidIPAddressInUse         = "InvalidIPAddress.InUse"
	InvalidAllocationIDMalformed  = "InvalidAllocationID.Malformed"
	InvalidAllocationIDNotFound   = "InvalidAllocationID.NotFound"
	InvalidAssociationIDMalformed = "InvalidAssociationID.Malformed"
	InvalidAssociationIDNotFound  = "InvalidAssociationID.NotFound"
	ResourceAlreadyAssociated     = "Resource.AlreadyAssociated"
	InvalidInstanceID             = "InvalidInstanceID"
)

// Codes about internet gateways, routes and route table associations.
const (
	InvalidInternetGatewayIDMalformed = "InvalidInternetGatewayID.Malformed"
	NatGatewayMalformed               = "NatGatewayMalformed"
	NatGatewayNotFound                = "NatGatewayNotFound"
	InvalidInternetGatewayIDNotFound  = "InvalidInternetGatewayID.NotFound"
	InvalidGatewayIDNotFound          = "InvalidGatewayID.NotFound"
	GatewayNotAttached                = "Gateway.NotAttached"
	RouteAlreadyExists                = "RouteAlreadyExists"
	InvalidRouteNotFound              = "InvalidRoute.NotFound"
)

// Errors of the way to another process (an agent, a peer region) rather
// than of a resource. They carry no EC2 code (Code answers InternalError);
// they tell a caller what it may do. Transports wrap their own errors with
// them (errgrpc.ToNative), so that domain code needs no transport package.
var (
	// ErrUnreachable: the other side did not answer (down, timed out,
	// cancelled); retrying later may help.
	ErrUnreachable = errors.New("unreachable")
	// ErrUnsupported: the other side does not offer the operation (an
	// older version, or a host without that part).
	ErrUnsupported = errors.New("not supported by the other side")
)

// As extracts the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Code is the EC2 code of err: its *Error's code, or InternalError.
func Code(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return InternalError
}

// Codes of AWS Auto Scaling (API 2011-01-01), which answers on the same
// listener: its errors are few and coarse (most refusals are
// ValidationError, whatever the parameter).
const (
	ValidationError           = "ValidationError"
	AlreadyExists             = "AlreadyExists"
	ResourceInUse             = "ResourceInUse"
	ScalingActivityInProgress = "ScalingActivityInProgress"
	ResourceContention        = "ResourceContention"
	LimitExceeded             = "LimitExceeded"
	InvalidNextToken          = "InvalidNextToken"
)
