package server

import (
	"context"
	"path"
	"strconv"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/throttle"
)

// throttleUnary admits each authenticated call against the account's
// buckets; a refused one fails with RequestLimitExceeded (errgrpc makes
// it ResourceExhausted carrying the code) and the trailer
// grpc-retry-pushback-ms, which gRPC's retry policy honours.
func throttleUnary(l *throttle.Limiter) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		k, ok := auth.FromContext(ctx)
		if !ok || l == nil {
			return h(ctx, req)
		}
		m, _ := req.(proto.Message)
		if err := l.Allow(throttle.FromProto(k.AccountID, path.Base(info.FullMethod), m)); err != nil {
			if d, ok := throttle.RetryAfter(err); ok {
				_ = grpc.SetTrailer(ctx, metadata.Pairs("grpc-retry-pushback-ms", strconv.FormatInt(d.Milliseconds(), 10)))
			}
			return nil, err
		}
		return h(ctx, req)
	}
}
