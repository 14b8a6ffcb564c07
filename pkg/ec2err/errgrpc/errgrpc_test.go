package errgrpc

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

func TestRoundTrip(t *testing.T) {
	tests := []struct {
		code     string
		grpcCode codes.Code
	}{
		{ec2err.InvalidInstanceIDNotFound, codes.NotFound},
		{ec2err.IncorrectInstanceState, codes.FailedPrecondition},
		{ec2err.AuthFailure, codes.Unauthenticated},
		{ec2err.MissingAuthenticationToken, codes.Unauthenticated},
		{ec2err.UnauthorizedOperation, codes.PermissionDenied},
		{ec2err.DryRunOperation, codes.FailedPrecondition},
		{ec2err.InsufficientInstanceCapacity, codes.ResourceExhausted},
		{ec2err.RequestLimitExceeded, codes.ResourceExhausted},
		{ec2err.InvalidKeyPairDuplicate, codes.AlreadyExists},
		{ec2err.InvalidLaunchTemplateNameAlreadyExists, codes.AlreadyExists},
		{ec2err.InvalidLaunchTemplateNameNotFound, codes.NotFound},
		{ec2err.InvalidLaunchTemplateIDVersionNotFound, codes.NotFound},
		{ec2err.InvalidLaunchTemplateIDMalformed, codes.InvalidArgument},
		{ec2err.VolumeInUse, codes.FailedPrecondition},
		{ec2err.DependencyViolation, codes.FailedPrecondition},
		{ec2err.InvalidParameterValue, codes.InvalidArgument},
		// a code with ": " in its message must not confuse anything
		{ec2err.InvalidVolumeZoneMismatch, codes.InvalidArgument},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			wrapped := fmt.Errorf("attach vol-1: %w", ec2err.New(tt.code, "the detail: %s", "i-1"))
			g := ToGRPC(wrapped)
			st, _ := status.FromError(g)
			if st.Code() != tt.grpcCode {
				t.Errorf("grpc code %v, want %v", st.Code(), tt.grpcCode)
			}
			if st.Message() != "the detail: i-1" {
				t.Errorf("status message %q: the code travels as a detail, not text", st.Message())
			}
			// the receiving side wraps it again: the code must survive
			back := fmt.Errorf("host h-1: %w", ToNative(g))
			e, ok := ec2err.As(back)
			if !ok || e.Code != tt.code || e.Message != "the detail: i-1" {
				t.Errorf("round trip gave %+v", e)
			}
		})
	}
}

func TestNonEC2Errors(t *testing.T) {
	tests := []struct {
		name     string
		err      error
		grpcCode codes.Code
		native   string // EC2 code after ToNative, "" when it stays a status
	}{
		{"plain", errors.New("disk on fire"), codes.Internal, ec2err.InternalError},
		{"transport", status.Error(codes.Unavailable, "connection refused"), codes.Unavailable, ""},
		{"unimplemented", status.Error(codes.Unimplemented, "unknown method"), codes.Unimplemented, ""},
		{"canceled", fmt.Errorf("list: %w", context.Canceled), codes.Canceled, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := ToGRPC(tt.err)
			if status.Code(g) != tt.grpcCode {
				t.Fatalf("grpc code %v, want %v", status.Code(g), tt.grpcCode)
			}
			n := ToNative(g)
			e, ok := ec2err.As(n)
			switch {
			case tt.native == "" && ok:
				t.Errorf("became EC2 error %+v; want the status kept", e)
			case tt.native == "" && status.Code(n) != tt.grpcCode:
				t.Errorf("status code after ToNative %v", status.Code(n))
			case tt.native != "" && (!ok || e.Code != tt.native):
				t.Errorf("ToNative = %v, want code %s", n, tt.native)
			}
		})
	}
	if ToGRPC(nil) != nil || ToNative(nil) != nil {
		t.Error("nil is not nil")
	}
}

// TestTransportSentinels: transport failures reach domain code as ec2err's
// sentinels, which it tests with errors.Is and no gRPC import, and still
// answer status.Code; they carry no EC2 code.
func TestTransportSentinels(t *testing.T) {
	tests := []struct {
		code codes.Code
		want error
	}{
		{codes.Unavailable, ec2err.ErrUnreachable},
		{codes.DeadlineExceeded, ec2err.ErrUnreachable},
		{codes.Canceled, ec2err.ErrUnreachable},
		{codes.Unimplemented, ec2err.ErrUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.code.String(), func(t *testing.T) {
			err := fmt.Errorf("create vol-1: %w", ToNative(status.Error(tt.code, "x")))
			if !errors.Is(err, tt.want) || status.Code(err) != tt.code || ec2err.Code(err) != ec2err.InternalError {
				t.Errorf("errors.Is %v, status %v, code %s", errors.Is(err, tt.want), status.Code(err), ec2err.Code(err))
			}
		})
	}
	if errors.Is(ToNative(status.Error(codes.Internal, "x")), ec2err.ErrUnreachable) {
		t.Error("an internal error counted as unreachable")
	}
}
