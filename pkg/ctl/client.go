package ctl

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"os"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
)

// RegionMetadata is the gRPC metadata key carrying the client's region.
const RegionMetadata = "ec2lab-region"

// dial opens a client connection for the resolved settings.
func (e *env) dial(ctx context.Context, s *settings, debug bool) (*grpc.ClientConn, error) {
	tc, err := transportCreds(s)
	if err != nil {
		return nil, &configError{err}
	}
	// throttled calls are retried, outermost so each attempt is signed anew
	opts := []grpc.DialOption{grpc.WithTransportCredentials(tc), grpc.WithChainUnaryInterceptor(throttleRetry(e.sleep))}
	if s.key != nil && !s.noSign {
		opts = append(opts, auth.SigningDialOptions(*s.key)...)
	}
	switch {
	case s.connectTimeout > 0:
		opts = append(opts, grpc.WithContextDialer(timeoutDialer(e.dialer, s.connectTimeout)))
	case e.dialer != nil:
		opts = append(opts, grpc.WithContextDialer(e.dialer))
	}
	if s.readTimeout > 0 {
		opts = append(opts, grpc.WithChainUnaryInterceptor(readTimeoutInterceptor(s.readTimeout, s.endpoint)))
	}
	opts = append(opts, grpc.WithChainUnaryInterceptor(regionInterceptor(s.region)),
		grpc.WithChainStreamInterceptor(regionStreamInterceptor(s.region)))
	if debug {
		opts = append(opts, grpc.WithChainUnaryInterceptor(debugInterceptor(e.stderr, s)))
	}
	conn, err := grpc.NewClient("passthrough:///"+s.target, opts...)
	if err != nil {
		return nil, fmt.Errorf("connect to %s: %w", s.endpoint, err)
	}
	return conn, nil
}

func transportCreds(s *settings) (credentials.TransportCredentials, error) {
	if !s.tls {
		return insecure.NewCredentials(), nil
	}
	roots, err := x509.SystemCertPool()
	if err != nil || roots == nil {
		roots = x509.NewCertPool()
	}
	if s.caBundle != "" {
		pem, err := os.ReadFile(s.caBundle)
		if err != nil {
			return nil, fmt.Errorf("read CA bundle: %w", err)
		}
		if !roots.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("CA bundle %s holds no PEM certificate", s.caBundle)
		}
	}
	//nolint:gosec // --no-verify-ssl asks for exactly this
	return credentials.NewTLS(&tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12, InsecureSkipVerify: s.noVerifySSL}), nil
}

func regionInterceptor(region string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		if region != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, RegionMetadata, region)
		}
		return invoker(ctx, method, req, reply, cc, opts...)
	}
}

func regionStreamInterceptor(region string) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string,
		streamer grpc.Streamer, opts ...grpc.CallOption) (grpc.ClientStream, error) {
		if region != "" {
			ctx = metadata.AppendToOutgoingContext(ctx, RegionMetadata, region)
		}
		return streamer(ctx, desc, cc, method, opts...)
	}
}
