// Package ec2err is the one place where ec2lab errors get their EC2 error
// code, HTTP status and gRPC status. Domain code returns *Error (or wraps
// one); the API edges map it once.
package ec2err

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Error is an EC2-style error: a code such as InvalidInstanceID.NotFound and
// a human message.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Code + ": " + e.Message }

// New makes an *Error with a formatted message.
func New(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Common codes.
const (
	InvalidParameterValue        = "InvalidParameterValue"
	InvalidParameterCombination  = "InvalidParameterCombination"
	MissingParameter             = "MissingParameter"
	IncorrectInstanceState       = "IncorrectInstanceState"
	IncorrectState               = "IncorrectState"
	InsufficientInstanceCapacity = "InsufficientInstanceCapacity"
	IdempotentParameterMismatch  = "IdempotentParameterMismatch"
	InternalError                = "InternalError"
	AuthFailure                  = "AuthFailure"
	UnauthorizedOperation        = "UnauthorizedOperation"
	DryRunOperation              = "DryRunOperation"
	RequestLimitExceeded         = "RequestLimitExceeded"
	InvalidAction                = "InvalidAction"
	VcpuLimitExceeded            = "VcpuLimitExceeded"
	MissingAuthenticationToken   = "MissingAuthenticationToken"
	IncompleteSignature          = "IncompleteSignature"
	RequestExpired               = "RequestExpired"
)

// As extracts the *Error in err's chain, if any.
func As(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// Code returns err's EC2 code, InternalError for errors that carry none.
func Code(err error) string {
	if e, ok := As(err); ok {
		return e.Code
	}
	return InternalError
}

// HTTPStatus is the status the EC2 Query API answers with for code.
func HTTPStatus(code string) int {
	switch code {
	case AuthFailure, MissingAuthenticationToken:
		return http.StatusUnauthorized
	case IncompleteSignature:
		return http.StatusForbidden
	case UnauthorizedOperation:
		return http.StatusForbidden
	case DryRunOperation:
		return http.StatusPreconditionFailed
	case InsufficientInstanceCapacity, InternalError:
		return http.StatusInternalServerError
	case RequestLimitExceeded:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest
}

// CodeTrailer is the gRPC trailer/detail key carrying the EC2 code.
const CodeTrailer = "ec2-error-code"

func grpcCode(code string) codes.Code {
	switch {
	case code == AuthFailure, code == MissingAuthenticationToken, code == IncompleteSignature, code == RequestExpired:
		return codes.Unauthenticated
	case code == UnauthorizedOperation:
		return codes.PermissionDenied
	case code == DryRunOperation:
		return codes.FailedPrecondition
	case code == InsufficientInstanceCapacity, code == RequestLimitExceeded, code == VcpuLimitExceeded:
		return codes.ResourceExhausted
	case code == InternalError:
		return codes.Internal
	case strings.HasSuffix(code, ".NotFound"):
		return codes.NotFound
	case strings.HasSuffix(code, ".Duplicate"):
		return codes.AlreadyExists
	case code == IncorrectInstanceState, code == IncorrectState, strings.HasSuffix(code, "InUse"), code == "DependencyViolation":
		return codes.FailedPrecondition
	}
	return codes.InvalidArgument
}

// ToGRPC maps err to a gRPC status whose message is "Code: message".
func ToGRPC(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok && !isEC2(err) {
		return err
	}
	e, ok := As(err)
	if !ok {
		e = &Error{Code: InternalError, Message: err.Error()}
	}
	return status.Error(grpcCode(e.Code), e.Code+": "+e.Message)
}

func isEC2(err error) bool { _, ok := As(err); return ok }

// FromGRPC turns a gRPC error made by ToGRPC back into an *Error.
func FromGRPC(err error) error {
	if err == nil {
		return nil
	}
	st, ok := status.FromError(err)
	if !ok {
		return err
	}
	msg := st.Message()
	if i := strings.Index(msg, ": "); i > 0 && !strings.ContainsAny(msg[:i], " \t") {
		return &Error{Code: msg[:i], Message: msg[i+2:]}
	}
	switch st.Code() {
	case codes.Unauthenticated:
		return &Error{Code: AuthFailure, Message: msg}
	case codes.Unavailable, codes.DeadlineExceeded:
		return fmt.Errorf("endpoint unavailable: %s", msg)
	}
	return &Error{Code: InternalError, Message: msg}
}

// SetTrailer is a helper for servers that also want the code as metadata.
func SetTrailer(code string) metadata.MD { return metadata.Pairs(CodeTrailer, code) }
