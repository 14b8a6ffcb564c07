package ec2err

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

func TestRoundTripThroughGRPC(t *testing.T) {
	tests := []struct {
		code     string
		grpcCode codes.Code
		http     int
	}{
		{"InvalidInstanceID.NotFound", codes.NotFound, http.StatusBadRequest},
		{IncorrectInstanceState, codes.FailedPrecondition, http.StatusBadRequest},
		{AuthFailure, codes.Unauthenticated, http.StatusUnauthorized},
		{MissingAuthenticationToken, codes.Unauthenticated, http.StatusUnauthorized},
		{UnauthorizedOperation, codes.PermissionDenied, http.StatusForbidden},
		{DryRunOperation, codes.FailedPrecondition, http.StatusPreconditionFailed},
		{InsufficientInstanceCapacity, codes.ResourceExhausted, http.StatusInternalServerError},
		{RequestLimitExceeded, codes.ResourceExhausted, http.StatusServiceUnavailable},
		{"InvalidKeyPair.Duplicate", codes.AlreadyExists, http.StatusBadRequest},
		{"VolumeInUse", codes.FailedPrecondition, http.StatusBadRequest},
		{InvalidParameterValue, codes.InvalidArgument, http.StatusBadRequest},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			wrapped := fmt.Errorf("attach vol-1: %w", New(tt.code, "the %s message", "detailed"))
			g := ToGRPC(wrapped)
			if st, _ := status.FromError(g); st.Code() != tt.grpcCode {
				t.Errorf("grpc code %v, want %v", st.Code(), tt.grpcCode)
			}
			back, ok := As(FromGRPC(g))
			if !ok || back.Code != tt.code || back.Message != "the detailed message" {
				t.Errorf("round trip gave %+v", back)
			}
			if got := HTTPStatus(tt.code); got != tt.http {
				t.Errorf("HTTP status %d, want %d", got, tt.http)
			}
		})
	}
}

func TestPlainErrorsBecomeInternalError(t *testing.T) {
	g := ToGRPC(errors.New("disk on fire"))
	if st, _ := status.FromError(g); st.Code() != codes.Internal {
		t.Fatalf("code %v", st.Code())
	}
	if Code(FromGRPC(g)) != InternalError {
		t.Fatalf("code %q", Code(FromGRPC(g)))
	}
}
