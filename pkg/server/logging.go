package server

import (
	"context"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// logUnary logs each call with a request ID, the access key (never the
// secret), the outcome and the duration.
func logUnary(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		start := time.Now()
		resp, err := h(ctx, req)
		k, _ := auth.FromContext(ctx)
		log.Info("grpc", "request_id", ids.New(ids.Request), "method", info.FullMethod, "access_key", k.AccessKeyID,
			"code", resultCode(err), "ms", time.Since(start).Milliseconds())
		return resp, err
	}
}

// resultCode is what a call's log line says of its outcome: OK, the EC2
// code of a domain error, or the gRPC code of anything else.
func resultCode(err error) string {
	if err == nil {
		return "OK"
	}
	if e, ok := ec2err.As(err); ok {
		return e.Code
	}
	return status.Code(err).String()
}

// logStream is logUnary for streams: one line when the stream ends.
func logStream(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		start := time.Now()
		err := h(srv, ss)
		k, _ := auth.FromContext(ss.Context())
		log.Info("grpc", "request_id", ids.New(ids.Request), "method", info.FullMethod, "access_key", k.AccessKeyID,
			"code", resultCode(err), "ms", time.Since(start).Milliseconds())
		return err
	}
}
