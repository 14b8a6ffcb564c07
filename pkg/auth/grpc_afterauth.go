package auth

import (
	"context"
	"sync"

	"google.golang.org/grpc"
)

// AfterAuth returns ss with check run once the call is authenticated: at
// once for a stream whose context already carries its Key (client and
// bidirectional streams, verified when they open), else after the first
// message received, which is when RPCVerifier verifies a server-streaming
// call. Interceptors after the verifier that look at the caller's Key must
// use it for streams: before that message the context has no Key. A
// stream whose check fails receives and sends nothing more.
func AfterAuth(ss grpc.ServerStream, check func(context.Context) error) (grpc.ServerStream, error) {
	if _, keyed := FromContext(ss.Context()); keyed {
		return ss, check(ss.Context())
	}
	return &afterAuthStream{ServerStream: ss, check: check}, nil
}

type afterAuthStream struct {
	grpc.ServerStream
	check func(context.Context) error
	once  sync.Once
	err   error
}

func (s *afterAuthStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	s.once.Do(func() { s.err = s.check(s.ServerStream.Context()) })
	return s.err
}

func (s *afterAuthStream) SendMsg(m any) error {
	if s.err != nil {
		return s.err
	}
	return s.ServerStream.SendMsg(m)
}
