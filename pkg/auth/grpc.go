package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// gRPC metadata keys carrying a request signature.
const (
	MDAccessKey = "x-ec2lab-access-key"
	MDDate      = "x-ec2lab-date"
	MDSignature = "x-ec2lab-signature"
)

// MaxSkew is how far a request's signed date may be from the server clock
// (both directions), for gRPC and SigV4 alike.
const MaxSkew = 15 * time.Minute

// RPCSignature is hex(HMAC-SHA256(secret, method "\n" date "\n" accessKey)),
// the value of MDSignature for fullMethod ("/pkg.Service/Method").
func RPCSignature(secret, fullMethod, date, accessKeyID string) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(fullMethod + "\n" + date + "\n" + accessKeyID))
	return hex.EncodeToString(m.Sum(nil))
}

// SignRPC returns the metadata pairs that authenticate a call to fullMethod
// made at t.
func SignRPC(k Key, fullMethod string, t time.Time) map[string]string {
	date := t.UTC().Format(time.RFC3339)
	return map[string]string{
		MDAccessKey: k.AccessKeyID,
		MDDate:      date,
		MDSignature: RPCSignature(k.SecretAccessKey, fullMethod, date, k.AccessKeyID),
	}
}

type rpcCreds struct{ key Key }

// ClientCredentials signs every call with k. It does not require transport
// security: the secret itself never goes on the wire, only a signature over
// method, date and key ID (use TLS between hosts anyway; see the package
// limits in the report: a captured signature can be replayed for the same
// method within MaxSkew).
func ClientCredentials(k Key) credentials.PerRPCCredentials { return rpcCreds{key: k} }

func (c rpcCreds) GetRequestMetadata(ctx context.Context, _ ...string) (map[string]string, error) {
	ri, ok := credentials.RequestInfoFromContext(ctx)
	if !ok {
		return nil, errors.New("sign rpc: no request info in context")
	}
	return SignRPC(c.key, ri.Method, time.Now()), nil
}

func (rpcCreds) RequireTransportSecurity() bool { return false }

// verifyRPC authenticates the call in ctx, returning ctx with the Key.
func verifyRPC(ctx context.Context, ks KeyStore, fullMethod string, now time.Time) (context.Context, error) {
	md, _ := metadata.FromIncomingContext(ctx)
	akid, date, sig := first(md, MDAccessKey), first(md, MDDate), first(md, MDSignature)
	if akid == "" || date == "" || sig == "" {
		return nil, ec2err.New(ec2err.MissingAuthenticationToken, "missing request signature metadata")
	}
	t, err := time.Parse(time.RFC3339, date)
	if err != nil {
		return nil, ec2err.New(ec2err.AuthFailure, "malformed %s", MDDate)
	}
	if d := now.Sub(t); d > MaxSkew || d < -MaxSkew {
		return nil, ec2err.New(ec2err.RequestExpired, "request date %s is more than %s from server time", date, MaxSkew)
	}
	k, err := ks.Lookup(ctx, akid)
	if errors.Is(err, ErrUnknownKey) {
		return nil, ec2err.New(ec2err.AuthFailure, "invalid access key or signature")
	}
	if err != nil {
		slog.ErrorContext(ctx, "key lookup failed", "access_key", akid, "err", err)
		return nil, ec2err.New(ec2err.InternalError, "key lookup failed")
	}
	got, err := hex.DecodeString(sig)
	want, _ := hex.DecodeString(RPCSignature(k.SecretAccessKey, fullMethod, date, akid))
	if err != nil || !hmac.Equal(got, want) {
		return nil, ec2err.New(ec2err.AuthFailure, "invalid access key or signature")
	}
	return WithKey(ctx, k), nil
}

func first(md metadata.MD, key string) string {
	if v := md.Get(key); len(v) > 0 {
		return v[0]
	}
	return ""
}

// UnaryServerInterceptor rejects unsigned or badly signed unary calls with
// Unauthenticated and puts the caller's Key in the handler's ctx. Methods
// for which skip returns true (nil: none) pass unauthenticated.
func UnaryServerInterceptor(ks KeyStore, skip func(fullMethod string) bool) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if skip != nil && skip(info.FullMethod) {
			return h(ctx, req)
		}
		ctx, err := verifyRPC(ctx, ks, info.FullMethod, time.Now())
		if err != nil {
			return nil, err
		}
		return h(ctx, req)
	}
}

// StreamServerInterceptor is UnaryServerInterceptor for streams.
func StreamServerInterceptor(ks KeyStore, skip func(fullMethod string) bool) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
		if skip != nil && skip(info.FullMethod) {
			return h(srv, ss)
		}
		ctx, err := verifyRPC(ss.Context(), ks, info.FullMethod, time.Now())
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
