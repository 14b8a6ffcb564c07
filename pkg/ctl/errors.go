package ctl

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
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
	var rt *readTimeoutError
	if err == nil || errors.As(err, &ue) || errors.As(err, &rt) {
		return err
	}
	if e, ok := ec2err.As(errgrpc.ToNative(err)); ok {
		return &ServiceError{Op: op, Code: e.Code, Message: e.Message}
	}
	st, ok := status.FromError(err)
	if !ok {
		return fmt.Errorf("%s: %w", op, err)
	}
	// A status without an EC2 code: the transport's, or a server's that
	// is not ec2lab's.
	switch st.Code() {
	case codes.Unavailable:
		return fmt.Errorf("%s: %q (%s)%s%s", connectionFailed, endpoint, st.Message(), http1Hint(st.Message()), tlsHint(st.Message()))
	case codes.Canceled:
		return err
	case codes.Unauthenticated:
		return &ServiceError{Op: op, Code: ec2err.AuthFailure, Message: st.Message()}
	}
	return &ServiceError{Op: op, Code: ec2err.InternalError, Message: st.Message()}
}

// http1Hint explains a gRPC connection that met an HTTP/1.1 server: most
// likely ec2d's Query API listener, the AWS CLI's endpoint.
func http1Hint(msg string) string {
	if !strings.Contains(msg, "HTTP/1.1") {
		return ""
	}
	return "\nThe endpoint answers HTTP/1.1, as ec2d's EC2 Query API listener (ec2d --http-addr, the AWS CLI's endpoint) does: " +
		"ec2ctl speaks gRPC, served at ec2d --grpc-addr (default " + DefaultEndpoint + "); give that as --endpoint-url or EC2LAB_ENDPOINT."
}

// tlsHint explains the two TLS failures a user meets: a server
// certificate from a CA ec2ctl was not told to trust, and a plaintext
// server.
func tlsHint(msg string) string {
	switch {
	case strings.Contains(msg, "certificate signed by unknown authority"):
		return "\nec2d's certificate comes from its region CA (DATA_DIR/ca/ca.pem, named in its start-up banner): " +
			"trust it with AWS_CA_BUNDLE, --ca-bundle or ca_bundle in the config file."
	case strings.Contains(msg, "first record does not look like a TLS handshake"):
		return "\nThe endpoint does not speak TLS: an ec2d run with --grpc-plaintext-loopback is reached at grpc://host:port."
	}
	return ""
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
