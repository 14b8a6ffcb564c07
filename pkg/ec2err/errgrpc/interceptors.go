package errgrpc

import (
	"context"
	"errors"
	"io"

	"google.golang.org/grpc"
)

// UnaryServerInterceptor maps every handler error with ToGRPC.
func UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		resp, err := h(ctx, req)
		return resp, ToGRPC(err)
	}
}

// StreamServerInterceptor maps every stream handler error with ToGRPC.
func StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		return ToGRPC(h(srv, ss))
	}
}

// UnaryClientInterceptor returns call errors as ToNative makes them.
func UnaryClientInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		return ToNative(invoker(ctx, method, req, reply, cc, opts...))
	}
}

// StreamClientInterceptor returns stream errors (opening, sending,
// receiving; io.EOF stays io.EOF) as ToNative makes them.
func StreamClientInterceptor() grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		s, err := streamer(ctx, desc, cc, method, opts...)
		if err != nil {
			return nil, ToNative(err)
		}
		return nativeStream{s}, nil
	}
}

// DialOptions install both client interceptors.
func DialOptions() []grpc.DialOption {
	return []grpc.DialOption{grpc.WithChainUnaryInterceptor(UnaryClientInterceptor()),
		grpc.WithChainStreamInterceptor(StreamClientInterceptor())}
}

// ServerOptions install both server interceptors.
func ServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.ChainUnaryInterceptor(UnaryServerInterceptor()),
		grpc.ChainStreamInterceptor(StreamServerInterceptor())}
}

type nativeStream struct{ grpc.ClientStream }

func (s nativeStream) SendMsg(m any) error { return native(s.ClientStream.SendMsg(m)) }
func (s nativeStream) RecvMsg(m any) error { return native(s.ClientStream.RecvMsg(m)) }

func native(err error) error {
	if errors.Is(err, io.EOF) {
		return err
	}
	return ToNative(err)
}
