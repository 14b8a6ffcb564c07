package ctl

import (
	"context"
	"math/rand/v2"
	"strconv"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
)

// throttleAttempts is how many times a throttled call is made in all, as
// the AWS CLI's default (legacy) retry mode makes it.
const throttleAttempts = 5

// throttleRetry retries a call ec2d refused with RequestLimitExceeded,
// waiting the server's pushback (grpc-retry-pushback-ms) or an exponential,
// jittered back-off, whichever is longer. It must come before the signing
// interceptor: each attempt is signed anew (a signature is accepted once).
func throttleRetry(sleep func(context.Context, time.Duration) error) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		for attempt := 1; ; attempt++ {
			var trailer metadata.MD
			err := invoker(ctx, method, req, reply, cc, append(opts, grpc.Trailer(&trailer))...)
			if attempt == throttleAttempts || !throttled(err) {
				return err
			}
			if err := sleep(ctx, throttleDelay(attempt, trailer)); err != nil {
				return err
			}
		}
	}
}

func throttled(err error) bool {
	e, ok := ec2err.As(errgrpc.ToNative(err))
	return ok && e.Code == ec2err.RequestLimitExceeded
}

// throttleDelay is the wait before attempt+1: the server's pushback when
// longer than the back-off (100 ms doubling, full jitter, at most 20 s).
func throttleDelay(attempt int, trailer metadata.MD) time.Duration {
	backoff := time.Duration(rand.Int64N(int64(100*time.Millisecond) << attempt))
	if v := trailer.Get("grpc-retry-pushback-ms"); len(v) > 0 {
		if ms, err := strconv.Atoi(v[0]); err == nil && time.Duration(ms)*time.Millisecond > backoff {
			backoff = time.Duration(ms) * time.Millisecond
		}
	}
	return min(backoff, 20*time.Second)
}
