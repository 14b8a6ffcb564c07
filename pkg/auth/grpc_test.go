package auth

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/health"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
)

const checkMethod = "/grpc.health.v1.Health/Check"

// testServer runs a health service behind the auth interceptors on bufconn
// and records the Key each handler saw.
type testServer struct {
	lis  *bufconn.Listener
	seen chan Key
}

func startServer(t *testing.T, ks KeyStore, skip func(string) bool) *testServer {
	ts := &testServer{lis: bufconn.Listen(1 << 20), seen: make(chan Key, 16)}
	record := func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
		if k, ok := FromContext(ctx); ok {
			ts.seen <- k
		}
		return h(ctx, req)
	}
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(errgrpc.UnaryServerInterceptor(), UnaryServerInterceptor(ks, skip), record),
		grpc.ChainStreamInterceptor(errgrpc.StreamServerInterceptor(), StreamServerInterceptor(ks, skip)),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	go srv.Serve(ts.lis)
	t.Cleanup(srv.Stop)
	return ts
}

func (ts *testServer) client(t *testing.T, opts ...grpc.DialOption) healthpb.HealthClient {
	opts = append(opts,
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ts.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	cc, err := grpc.NewClient("passthrough:///bufnet", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return healthpb.NewHealthClient(cc)
}

func withMD(ctx context.Context, md map[string]string) context.Context {
	return metadata.NewOutgoingContext(ctx, metadata.New(md))
}

func TestUnaryInterceptor(t *testing.T) {
	good := NewKey("111111111111", true)
	other := NewKey("222222222222", false)
	ts := startServer(t, StaticKeys{good.AccessKeyID: good}, nil)
	wrongSecret := good
	wrongSecret.SecretAccessKey = other.SecretAccessKey
	now := time.Now()
	cases := []struct {
		name string
		opts []grpc.DialOption
		md   map[string]string
		want codes.Code
	}{
		{"good key", []grpc.DialOption{grpc.WithPerRPCCredentials(ClientCredentials(good))}, nil, codes.OK},
		{"wrong secret", []grpc.DialOption{grpc.WithPerRPCCredentials(ClientCredentials(wrongSecret))}, nil, codes.Unauthenticated},
		{"unknown key", []grpc.DialOption{grpc.WithPerRPCCredentials(ClientCredentials(other))}, nil, codes.Unauthenticated},
		{"no metadata", nil, nil, codes.Unauthenticated},
		{"stale date", nil, SignRPC(good, checkMethod, now.Add(-16*time.Minute)), codes.Unauthenticated},
		{"future date", nil, SignRPC(good, checkMethod, now.Add(16*time.Minute)), codes.Unauthenticated},
		{"slightly old date", nil, SignRPC(good, checkMethod, now.Add(-10*time.Minute)), codes.OK},
		{"signed for another method", nil, SignRPC(good, "/grpc.health.v1.Health/List", now), codes.Unauthenticated},
		{"malformed date", nil, map[string]string{MDAccessKey: good.AccessKeyID, MDDate: "yesterday", MDSignature: "00"}, codes.Unauthenticated},
		{"bare secret as signature", nil, map[string]string{MDAccessKey: good.AccessKeyID, MDDate: now.UTC().Format(time.RFC3339), MDSignature: good.SecretAccessKey}, codes.Unauthenticated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if tc.md != nil {
				ctx = withMD(ctx, tc.md)
			}
			_, err := ts.client(t, tc.opts...).Check(ctx, &healthpb.HealthCheckRequest{})
			if got := status.Code(err); got != tc.want {
				t.Fatalf("code = %v (%v), want %v", got, err, tc.want)
			}
			if err != nil && good.SecretAccessKey != "" && strings.Contains(err.Error(), good.SecretAccessKey) {
				t.Fatal("error shows the secret")
			}
			if tc.want == codes.OK {
				if k := <-ts.seen; k.AccessKeyID != good.AccessKeyID || k.AccountID != good.AccountID {
					t.Fatalf("handler saw key %v", k)
				}
			}
		})
	}
}

func TestStreamInterceptor(t *testing.T) {
	good := NewKey("111111111111", false)
	ts := startServer(t, StaticKeys{good.AccessKeyID: good}, nil)
	for _, tc := range []struct {
		name string
		opts []grpc.DialOption
		want codes.Code
	}{
		{"good key", []grpc.DialOption{grpc.WithPerRPCCredentials(ClientCredentials(good))}, codes.OK},
		{"no metadata", nil, codes.Unauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st, err := ts.client(t, tc.opts...).Watch(ctx, &healthpb.HealthCheckRequest{})
			if err == nil {
				_, err = st.Recv()
			}
			if got := status.Code(err); got != tc.want {
				t.Fatalf("code = %v (%v), want %v", got, err, tc.want)
			}
		})
	}
}

func TestInterceptorSkip(t *testing.T) {
	ts := startServer(t, StaticKeys{}, func(m string) bool { return m == checkMethod })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c := ts.client(t)
	if _, err := c.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatalf("skipped method: %v", err)
	}
	st, err := c.Watch(ctx, &healthpb.HealthCheckRequest{})
	if err == nil {
		_, err = st.Recv()
	}
	if status.Code(err) != codes.Unauthenticated {
		t.Fatalf("non-skipped stream: %v, want Unauthenticated", err)
	}
}
