// Package errgrpc carries ec2err errors across gRPC, and owns nothing else:
// the EC2 code travels as a google.rpc.ErrorInfo status detail (reason =
// the code, domain = Domain) next to a gRPC code of the same class, so that
// it survives any number of hops and any wrapping on either side. Servers
// install the server interceptors (one mapping at the edge); clients
// install the client interceptors, so that callers see *ec2err.Error again
// and may wrap it with %w like any other error.
package errgrpc

import (
	"context"
	"errors"
	"strings"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// Domain is the ErrorInfo domain of ec2lab's EC2 error codes.
const Domain = "ec2lab.ec2"

// ToGRPC turns err into a gRPC status error. An *ec2err.Error anywhere in
// err's chain becomes a status with its code as ErrorInfo reason; a status
// error that carries no EC2 error (a transport failure on the way through)
// passes unchanged; context errors keep their gRPC codes; anything else is
// an InternalError.
func ToGRPC(err error) error {
	if err == nil {
		return nil
	}
	e, ok := ec2err.As(err)
	if !ok {
		if _, isStatus := status.FromError(err); isStatus {
			return err
		}
		switch {
		case errors.Is(err, context.Canceled):
			return status.Error(codes.Canceled, err.Error())
		case errors.Is(err, context.DeadlineExceeded):
			return status.Error(codes.DeadlineExceeded, err.Error())
		}
		e = &ec2err.Error{Code: ec2err.InternalError, Message: err.Error()}
	}
	st, derr := status.New(Code(e.Code), e.Message).WithDetails(&errdetails.ErrorInfo{Reason: e.Code, Domain: Domain})
	if derr != nil { // only a detail that cannot be marshalled fails
		return status.Error(Code(e.Code), e.Code+": "+e.Message)
	}
	return st.Err()
}

// ToNative is the inverse of ToGRPC: a status carrying an EC2 code becomes
// an *ec2err.Error with that code and message. A status of a transport
// failure (Unavailable, DeadlineExceeded, Canceled) comes back wrapped with
// ec2err.ErrUnreachable, Unimplemented with ec2err.ErrUnsupported, both
// still answering status.Code; any other error is returned unchanged.
func ToNative(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	for _, d := range st.Details() {
		if info, ok := d.(*errdetails.ErrorInfo); ok && info.GetDomain() == Domain && info.GetReason() != "" {
			return &ec2err.Error{Code: info.GetReason(), Message: st.Message()}
		}
	}
	switch st.Code() {
	case codes.Unavailable, codes.DeadlineExceeded, codes.Canceled:
		return &transportError{kind: ec2err.ErrUnreachable, err: err}
	case codes.Unimplemented:
		return &transportError{kind: ec2err.ErrUnsupported, err: err}
	}
	return err
}

// transportError is a gRPC status error that also is one of ec2err's
// transport sentinels.
type transportError struct{ kind, err error }

func (e *transportError) Error() string   { return e.err.Error() }
func (e *transportError) Unwrap() []error { return []error{e.kind, e.err} }

// Code is the gRPC code of the class an EC2 error code belongs to.
func Code(code string) codes.Code {
	switch {
	case code == ec2err.AuthFailure, code == ec2err.MissingAuthenticationToken,
		code == ec2err.IncompleteSignature, code == ec2err.RequestExpired:
		return codes.Unauthenticated
	case code == ec2err.UnauthorizedOperation:
		return codes.PermissionDenied
	case code == ec2err.DryRunOperation:
		return codes.FailedPrecondition
	case code == ec2err.InsufficientInstanceCapacity, code == ec2err.RequestLimitExceeded,
		code == ec2err.VcpuLimitExceeded, code == ec2err.AMIQuotaExceeded, strings.HasSuffix(code, "LimitExceeded"):
		return codes.ResourceExhausted
	case code == ec2err.InternalError:
		return codes.Internal
	case code == ec2err.InvalidAction:
		return codes.Unimplemented
	case strings.HasSuffix(code, ".NotFound"), strings.HasSuffix(code, ".NotFoundException"),
		strings.HasSuffix(code, ".VersionNotFound"):
		return codes.NotFound
	case strings.HasSuffix(code, ".Duplicate"), strings.HasSuffix(code, ".AlreadyExistsException"):
		return codes.AlreadyExists
	case code == ec2err.IncorrectInstanceState, code == ec2err.IncorrectState,
		strings.HasSuffix(code, "InUse"), code == ec2err.DependencyViolation:
		return codes.FailedPrecondition
	}
	return codes.InvalidArgument
}
