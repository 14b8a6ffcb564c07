package ctl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Exit codes of the AWS CLI.
const (
	ExitOK           = 0
	ExitUsage        = 252 // invalid command line
	ExitConfig       = 253 // bad configuration or credentials
	ExitService      = 254 // the service returned an error
	ExitOther        = 255 // anything else (connection failures, waiters)
	ExitInterrupted  = 130
	connectionFailed = "Could not connect to the endpoint URL"
)

// ServiceError is an EC2 error returned by the server for an operation.
type ServiceError struct {
	Op, Code, Message string
}

func (e *ServiceError) Error() string {
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", e.Code, e.Op, e.Message)
}

type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

type configError struct{ err error }

func (e *configError) Error() string { return e.err.Error() }
func (e *configError) Unwrap() error { return e.err }

func usageErrorf(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// callError turns an RPC error for op into what the user sees.
func callError(op, endpoint string, err error) error {
	var ue *usageError
	if err == nil || errors.As(err, &ue) {
		return err
	}
	if st, ok := status.FromError(err); ok {
		if st.Code() == codes.Unavailable && !hasEC2Code(st.Message()) {
			return fmt.Errorf("%s: %q (%s)", connectionFailed, endpoint, st.Message())
		}
		if st.Code() == codes.Canceled {
			return err
		}
	}
	var e *ec2err.Error
	if errors.As(ec2err.FromGRPC(err), &e) {
		return &ServiceError{Op: op, Code: e.Code, Message: e.Message}
	}
	return fmt.Errorf("%s: %w", op, err)
}

func hasEC2Code(msg string) bool {
	i := strings.Index(msg, ": ")
	return i > 0 && !strings.ContainsAny(msg[:i], " \t")
}

// ExitCode maps an error returned by a command to the AWS CLI's exit code.
func ExitCode(err error) int {
	var se *ServiceError
	var ue *usageError
	var ce *configError
	switch {
	case err == nil:
		return ExitOK
	case errors.As(err, &se):
		return ExitService
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &ce):
		return ExitConfig
	case errors.Is(err, errInterrupted):
		return ExitInterrupted
	}
	return ExitOther
}

var errInterrupted = errors.New("interrupted")
