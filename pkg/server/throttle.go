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

// throttleStream is throttleUnary for streams (snapshot layers, image
// files, the console): a call is admitted once its request authenticated
// it, by its action's bucket.
func throttleStream(l *throttle.Limiter) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if l == nil {
			return h(srv, ss)
		}
		admitted, err := auth.AfterAuth(ss, func(ctx context.Context) error {
			k, ok := auth.FromContext(ctx)
			if !ok {
				return nil // health and reflection
			}
			err := l.Allow(throttle.FromProto(k.AccountID, path.Base(info.FullMethod), nil))
			if d, ok := throttle.RetryAfter(err); ok {
				ss.SetTrailer(metadata.Pairs("grpc-retry-pushback-ms", strconv.FormatInt(d.Milliseconds(), 10)))
			}
			return err
		})
		if err != nil {
			return err
		}
		return h(srv, admitted)
	}
}
