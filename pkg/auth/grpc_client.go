package auth

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"
)

// SigningDialOptions sign every call of a client connection with k (see
// RPCStringToSign). The secret never goes on the wire; the signature binds
// the request message and a nonce the server accepts once, so a captured
// signature is worth nothing for another body or a second use. Calls are
// still readable on the wire without TLS: dial ec2d over TLS.
//
// Unary and server-streaming calls sign their request message (a
// server-streaming call opens when its request is sent); client- and
// bidirectional-streaming calls sign the opening of the stream (an empty
// body), and their messages ride that authenticated stream.
func SigningDialOptions(k Key) []grpc.DialOption {
	return []grpc.DialOption{grpc.WithChainUnaryInterceptor(signUnary(k)), grpc.WithChainStreamInterceptor(signStream(k))}
}

func signUnary(k Key) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		m, ok := req.(proto.Message)
		if !ok {
			return fmt.Errorf("sign %s: request %T is not a protobuf message", method, req)
		}
		ctx, err := signedContext(ctx, k, method, m)
		if err != nil {
			return err
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

func signedContext(ctx context.Context, k Key, method string, m proto.Message) (context.Context, error) {
	md, err := SignRPC(k, method, time.Now(), m)
	if err != nil {
		return nil, fmt.Errorf("sign %s: %w", method, err)
	}
	kv := make([]string, 0, 2*len(md))
	for key, v := range md {
		kv = append(kv, key, v)
	}
	return metadata.AppendToOutgoingContext(ctx, kv...), nil
}

func signStream(k Key) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if desc.ClientStreams {
			ctx, err := signedContext(ctx, k, method, nil)
			if err != nil {
				return nil, err
			}
			return streamer(ctx, desc, cc, method, opts...)
		}
		open := func(m proto.Message) (grpc.ClientStream, error) {
			sctx, err := signedContext(ctx, k, method, m)
			if err != nil {
				return nil, err
			}
			return streamer(sctx, desc, cc, method, opts...)
		}
		return &lazyStream{ctx: ctx, open: open}, nil
	}
}

// errNotOpened answers calls on a server-streaming call before its
// request was sent (generated clients always send it first).
var errNotOpened = errors.New("signed stream: request not sent yet")

// lazyStream opens a server-streaming call when its one request message is
// sent, so that the signature in the call's headers can cover it.
type lazyStream struct {
	ctx  context.Context
	open func(proto.Message) (grpc.ClientStream, error)
	mu   sync.Mutex
	cs   grpc.ClientStream
}

func (s *lazyStream) stream() grpc.ClientStream {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cs
}

func (s *lazyStream) SendMsg(m any) error {
	s.mu.Lock()
	if s.cs == nil {
		pm, ok := m.(proto.Message)
		if !ok {
			s.mu.Unlock()
			return fmt.Errorf("sign stream: request %T is not a protobuf message", m)
		}
		cs, err := s.open(pm)
		if err != nil {
			s.mu.Unlock()
			return err
		}
		s.cs = cs
	}
	s.mu.Unlock()
	return s.stream().SendMsg(m)
}

func (s *lazyStream) RecvMsg(m any) error {
	if cs := s.stream(); cs != nil {
		return cs.RecvMsg(m)
	}
	return errNotOpened
}

func (s *lazyStream) Header() (metadata.MD, error) {
	if cs := s.stream(); cs != nil {
		return cs.Header()
	}
	return nil, errNotOpened
}

func (s *lazyStream) Trailer() metadata.MD {
	if cs := s.stream(); cs != nil {
		return cs.Trailer()
	}
	return nil
}

func (s *lazyStream) CloseSend() error {
	if cs := s.stream(); cs != nil {
		return cs.CloseSend()
	}
	return errNotOpened
}

func (s *lazyStream) Context() context.Context {
	if cs := s.stream(); cs != nil {
		return cs.Context()
	}
	return s.ctx
}
