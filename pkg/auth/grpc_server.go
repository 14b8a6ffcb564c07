package auth

import (
	"context"
	"crypto/hmac"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// RPCVerifier authenticates signed gRPC calls (SigningDialOptions) and
// refuses a second use of any signature while it is valid.
type RPCVerifier struct {
	keys   KeyStore
	skip   func(fullMethod string) bool
	replay *replayCache
	now    func() time.Time
}

// NewRPCVerifier verifies calls against ks. Methods for which skip
// returns true (nil: none) pass unauthenticated.
func NewRPCVerifier(ks KeyStore, skip func(fullMethod string) bool) *RPCVerifier {
	return &RPCVerifier{keys: ks, skip: skip, replay: newReplayCache(replayCacheSize, replayCachePerKey), now: time.Now}
}

// verify authenticates the call in ctx whose request message hashes to
// bodyHash, returning ctx with the Key.
func (v *RPCVerifier) verify(ctx context.Context, fullMethod string, bodyHash []byte) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	akid, date, nonce, sig := first(md, MDAccessKey), first(md, MDDate), first(md, MDNonce), first(md, MDSignature)
	if akid == "" || date == "" || sig == "" {
		return nil, ec2err.New(ec2err.MissingAuthenticationToken, "missing request signature metadata")
	}
	if n, err := hex.DecodeString(nonce); err != nil || len(n) < nonceBytes || len(n) > 4*nonceBytes {
		return nil, ec2err.New(ec2err.AuthFailure, "malformed or missing %s (%d to %d random bytes, hex)", MDNonce, nonceBytes, 4*nonceBytes)
	}
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return nil, ec2err.New(ec2err.AuthFailure, "malformed %s", MDDate)
	}
	now := v.now()
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return nil, ec2err.New(ec2err.RequestExpired, "request date %s is more than %s from server time", date, MaxSkew)
	}
	k, err := v.keys.Lookup(ctx, akid)
	if errors.Is(err, ErrUnknownKey) {
		return nil, ec2err.New(ec2err.AuthFailure, "invalid access key or signature")
	}
	if err != nil {
		slog.ErrorContext(ctx, "key lookup failed", "access_key", akid, "err", err)
		return nil, ec2err.New(ec2err.InternalError, "key lookup failed")
	}
	got, err := hex.DecodeString(sig)
	want, _ := hex.DecodeString(RPCSignature(k.SecretAccessKey, fullMethod, date, akid, nonce, bodyHash))
	if err != nil || !hmac.Equal(got, want) {
		return nil, ec2err.New(ec2err.AuthFailure, "invalid access key or signature")
	}
	switch v.replay.add(akid, nonce, t.Add(MaxSkew), now) {
	case replaySeen:
		return nil, ec2err.New(ec2err.AuthFailure, "request signature already used (replayed request)")
	case replayFull:
		return nil, ec2err.New(ec2err.RequestLimitExceeded, "too many signed requests in the last %s; retry later", MaxSkew)
	}
	return WithKey(ctx, k), nil
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// Unary rejects unsigned, badly signed or replayed unary calls with
// Unauthenticated and puts the caller's Key in the handler's ctx.
func (v *RPCVerifier) Unary() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if v.skip != nil && v.skip(info.FullMethod) {
			return h(ctx, req)
		}
		m, ok := req.(proto.Message)
		if !ok {
			return nil, ec2err.New(ec2err.InternalError, "request is not a protobuf message")
		}
		bh, err := MessageHash(m)
		if err != nil {
			return nil, ec2err.New(ec2err.InternalError, "hash request")
		}
		ctx, err = v.verify(ctx, info.FullMethod, bh)
		if err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
}

// Stream is Unary for streams. A server-streaming call is verified when
// the handler receives its request message (the signature covers it);
// client- and bidirectional-streaming calls when they open, against the
// empty body (see SigningDialOptions).
func (v *RPCVerifier) Stream() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if v.skip != nil && v.skip(info.FullMethod) {
			return h(srv, ss)
		}
		if !info.IsClientStream {
			return h(srv, &verifyingStream{ServerStream: ss, v: v, method: info.FullMethod})
		}
		empty, _ := MessageHash(nil)
		ctx, err := v.verify(ss.Context(), info.FullMethod, empty)
		if err != nil {
			return err
		}
		return h(srv, &keyedStream{ServerStream: ss, ctx: ctx})
	}
}

type keyedStream struct {
	grpc.ServerStream
	ctx context.Context
}

func (s *keyedStream) Context() context.Context { return s.ctx }

// verifyingStream authenticates a server-streaming call on its first
// RecvMsg (the request); until then it sends nothing and its Context
// carries no Key.
type verifyingStream struct {
	grpc.ServerStream
	v      *RPCVerifier
	method string
	ctx    context.Context // with the Key, once verified
}

func (s *verifyingStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if s.ctx != nil {
		return nil
	}
	pm, ok := m.(proto.Message)
	if !ok {
		return ec2err.New(ec2err.InternalError, "request is not a protobuf message")
	}
	bh, err := MessageHash(pm)
	if err != nil {
		return ec2err.New(ec2err.InternalError, "hash request")
	}
	ctx, err := s.v.verify(s.ServerStream.Context(), s.method, bh)
	if err != nil {
		return err
	}
	s.ctx = ctx
	return nil
}

func (s *verifyingStream) SendMsg(m any) error {
	if s.ctx == nil {
		return ec2err.New(ec2err.MissingAuthenticationToken, "stream not authenticated: no request received")
	}
	return s.ServerStream.SendMsg(m)
}

func (s *verifyingStream) Context() context.Context {
	if s.ctx != nil {
		return s.ctx
	}
	return s.ServerStream.Context()
}
