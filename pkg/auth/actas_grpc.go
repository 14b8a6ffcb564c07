package auth

import (
	"context"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// PeerMethodsOnly refuses a peer key (Key.Peer) on every method but
// allowed: the calls cross-region copies make, each of which acts as the
// account the peer asserts (ActAs). It runs after the authenticator.
func PeerMethodsOnly(allowed ...string) (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	ok := map[string]bool{}
	for _, m := range allowed {
		ok[m] = true
	}
	check := func(ctx context.Context, method string) error {
		if k, found := FromContext(ctx); found && k.Peer != "" && !ok[method] {
			return ec2err.New(ec2err.UnauthorizedOperation, "peer key %s may only make the calls of cross-region copies, not %s", k.AccessKeyID, method)
		}
		return nil
	}
	unary := func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if err := check(ctx, info.FullMethod); err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
	stream := func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if err := check(ss.Context(), info.FullMethod); err != nil {
			return err
		}
		return h(srv, ss)
	}
	return unary, stream
}
