package auth

import (
	"context"

	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// PeerGate keeps peer keys (Key.Peer) and the peer API apart. On the peer
// API (peerAPI true) only peer keys are served, and only the methods in
// allowed: the calls cross-region copies make, each of which acts as the
// account the peer asserts (ActAs). On the public API peer keys are
// refused. It runs after the authenticator.
func PeerGate(peerAPI bool, allowed ...string) (grpc.UnaryServerInterceptor, grpc.StreamServerInterceptor) {
	ok := map[string]bool{}
	for _, m := range allowed {
		ok[m] = true
	}
	check := func(ctx context.Context, method string) error {
		k, found := FromContext(ctx)
		if !found {
			return nil // a method the authenticator skips (health): it verifies every other
		}
		switch {
		case !peerAPI && k.Peer != "":
			return ec2err.New(ec2err.UnauthorizedOperation, "peer key %s is for this region's peer API only", k.AccessKeyID)
		case peerAPI && k.Peer == "":
			return ec2err.New(ec2err.UnauthorizedOperation, "the peer API serves peer keys only (ec2d keys create --peer)")
		case peerAPI && !ok[method]:
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
		// a server-streaming call is authenticated by its request message
		gated, err := AfterAuth(ss, func(ctx context.Context) error { return check(ctx, info.FullMethod) })
		if err != nil {
			return err
		}
		return h(srv, gated)
	}
	return unary, stream
}
