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
	"google.golang.org/grpc/reflection"
	rpb "google.golang.org/grpc/reflection/grpc_reflection_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"

	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
)

const (
	checkMethod = "/grpc.health.v1.Health/Check"
	watchMethod = "/grpc.health.v1.Health/Watch"
)

// testServer runs a health service (unary Check, server-streaming Watch)
// and reflection (bidirectional) behind the verifier on bufconn, and
// records the Key each unary handler saw.
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
	v := NewRPCVerifier(ks, skip)
	srv := grpc.NewServer(
		grpc.ChainUnaryInterceptor(errgrpc.UnaryServerInterceptor(), v.Unary(), record),
		grpc.ChainStreamInterceptor(errgrpc.StreamServerInterceptor(), v.Stream()),
	)
	healthpb.RegisterHealthServer(srv, health.NewServer())
	reflection.Register(srv)
	go srv.Serve(ts.lis)
	t.Cleanup(srv.Stop)
	return ts
}

func (ts *testServer) conn(t *testing.T, opts ...grpc.DialOption) *grpc.ClientConn {
	opts = append(opts,
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return ts.lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()))
	cc, err := grpc.NewClient("passthrough:///bufnet", opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cc.Close() })
	return cc
}

func (ts *testServer) client(t *testing.T, opts ...grpc.DialOption) healthpb.HealthClient {
	return healthpb.NewHealthClient(ts.conn(t, opts...))
}

func withMD(ctx context.Context, md map[string]string) context.Context {
	return metadata.NewOutgoingContext(ctx, metadata.New(md))
}

func mustSign(t *testing.T, k Key, method string, at time.Time, req proto.Message) map[string]string {
	t.Helper()
	md, err := SignRPC(k, method, at, req)
	if err != nil {
		t.Fatal(err)
	}
	return md
}

func with(md map[string]string, key, value string) map[string]string {
	out := map[string]string{}
	for k, v := range md {
		out[k] = v
	}
	if value == "" {
		delete(out, key)
	} else {
		out[key] = value
	}
	return out
}

func TestUnaryInterceptor(t *testing.T) {
	good := NewKey("111111111111", true)
	other := NewKey("222222222222", false)
	ts := startServer(t, StaticKeys{good.AccessKeyID: good}, nil)
	wrongSecret := good
	wrongSecret.SecretAccessKey = other.SecretAccessKey
	now := time.Now()
	empty := &healthpb.HealthCheckRequest{}
	cases := []struct {
		name string
		opts []grpc.DialOption
		md   map[string]string
		req  *healthpb.HealthCheckRequest // default: empty
		want codes.Code
	}{
		{name: "good key", opts: SigningDialOptions(good), want: codes.OK},
		{name: "wrong secret", opts: SigningDialOptions(wrongSecret), want: codes.Unauthenticated},
		{name: "unknown key", opts: SigningDialOptions(other), want: codes.Unauthenticated},
		{name: "no metadata", want: codes.Unauthenticated},
		{name: "stale date", md: mustSign(t, good, checkMethod, now.Add(-16*time.Minute), empty), want: codes.Unauthenticated},
		{name: "future date", md: mustSign(t, good, checkMethod, now.Add(16*time.Minute), empty), want: codes.Unauthenticated},
		{name: "client clock 10 min slow", md: mustSign(t, good, checkMethod, now.Add(-10*time.Minute), empty), want: codes.OK},
		{name: "client clock 10 min fast", md: mustSign(t, good, checkMethod, now.Add(10*time.Minute), empty), want: codes.OK},
		{name: "signed for another method", md: mustSign(t, good, "/grpc.health.v1.Health/List", now, empty), want: codes.Unauthenticated},
		// Signed for Service "x", sent with the empty Service: were the
		// body not covered, Check would pass (and answer OK for "").
		{name: "signature of another body", md: mustSign(t, good, checkMethod, now, &healthpb.HealthCheckRequest{Service: "x"}), want: codes.Unauthenticated},
		{name: "body of another signature", md: mustSign(t, good, checkMethod, now, empty), req: &healthpb.HealthCheckRequest{Service: "x"}, want: codes.Unauthenticated},
		{name: "no nonce", md: with(mustSign(t, good, checkMethod, now, empty), MDNonce, ""), want: codes.Unauthenticated},
		{name: "another nonce", md: with(mustSign(t, good, checkMethod, now, empty), MDNonce, strings.Repeat("ab", nonceBytes)), want: codes.Unauthenticated},
		{name: "short nonce", md: with(mustSign(t, good, checkMethod, now, empty), MDNonce, "abcd"), want: codes.Unauthenticated},
		{name: "malformed date", md: map[string]string{MDAccessKey: good.AccessKeyID, MDDate: "yesterday", MDNonce: strings.Repeat("00", nonceBytes), MDSignature: "00"}, want: codes.Unauthenticated},
		{name: "bare secret as signature", md: map[string]string{MDAccessKey: good.AccessKeyID, MDDate: now.UTC().Format(time.RFC3339), MDNonce: strings.Repeat("00", nonceBytes), MDSignature: good.SecretAccessKey}, want: codes.Unauthenticated},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if tc.md != nil {
				ctx = withMD(ctx, tc.md)
			}
			req := tc.req
			if req == nil {
				req = empty
			}
			_, err := ts.client(t, tc.opts...).Check(ctx, req)
			if got := status.Code(err); got != tc.want {
				t.Fatalf("code = %v (%v), want %v", got, err, tc.want)
			}
			if err != nil && strings.Contains(err.Error(), good.SecretAccessKey) {
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

// TestReplayRefused sends one captured signed call twice: the first use
// passes, the second is refused, with the same body and with another.
func TestReplayRefused(t *testing.T) {
	good := NewKey("111111111111", false)
	ts := startServer(t, StaticKeys{good.AccessKeyID: good}, nil)
	c := ts.client(t)
	for _, tc := range []struct {
		name   string
		replay *healthpb.HealthCheckRequest
	}{
		{"same body", &healthpb.HealthCheckRequest{}},
		{"another body", &healthpb.HealthCheckRequest{Service: "x"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			ctx = withMD(ctx, mustSign(t, good, checkMethod, time.Now(), &healthpb.HealthCheckRequest{}))
			if _, err := c.Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
				t.Fatalf("first use: %v", err)
			}
			<-ts.seen
			_, err := c.Check(ctx, tc.replay)
			if status.Code(err) != codes.Unauthenticated {
				t.Fatalf("replay: %v, want Unauthenticated", err)
			}
		})
	}
	// A client signing each call afresh is never taken for a replay.
	signed := ts.client(t, SigningDialOptions(good)...)
	for i := range 3 {
		if _, err := signed.Check(context.Background(), &healthpb.HealthCheckRequest{}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
		<-ts.seen
	}
}

func watchFirst(ctx context.Context, c healthpb.HealthClient, req *healthpb.HealthCheckRequest) error {
	st, err := c.Watch(ctx, req)
	if err == nil {
		_, err = st.Recv()
	}
	return err
}

func TestStreamInterceptor(t *testing.T) {
	good := NewKey("111111111111", false)
	ts := startServer(t, StaticKeys{good.AccessKeyID: good}, nil)
	now := time.Now()
	empty := &healthpb.HealthCheckRequest{}
	for _, tc := range []struct {
		name string
		opts []grpc.DialOption
		md   map[string]string
		want codes.Code
	}{
		{name: "good key", opts: SigningDialOptions(good), want: codes.OK},
		{name: "no metadata", want: codes.Unauthenticated},
		{name: "signature of another request", md: mustSign(t, good, watchMethod, now, &healthpb.HealthCheckRequest{Service: "x"}), want: codes.Unauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if tc.md != nil {
				ctx = withMD(ctx, tc.md)
			}
			if got := status.Code(watchFirst(ctx, ts.client(t, tc.opts...), empty)); got != tc.want {
				t.Fatalf("code = %v, want %v", got, tc.want)
			}
		})
	}
	t.Run("replayed", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		ctx = withMD(ctx, mustSign(t, good, watchMethod, now, empty))
		c := ts.client(t)
		if err := watchFirst(ctx, c, empty); err != nil {
			t.Fatalf("first use: %v", err)
		}
		if err := watchFirst(ctx, c, empty); status.Code(err) != codes.Unauthenticated {
			t.Fatalf("replay: %v, want Unauthenticated", err)
		}
	})
}

// TestBidiStreamSigned: a bidirectional stream is signed at its opening.
func TestBidiStreamSigned(t *testing.T) {
	good := NewKey("111111111111", false)
	ts := startServer(t, StaticKeys{good.AccessKeyID: good}, nil)
	for _, tc := range []struct {
		name string
		opts []grpc.DialOption
		want codes.Code
	}{
		{"signed", SigningDialOptions(good), codes.OK},
		{"unsigned", nil, codes.Unauthenticated},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			st, err := rpb.NewServerReflectionClient(ts.conn(t, tc.opts...)).ServerReflectionInfo(ctx)
			if err == nil {
				err = st.Send(&rpb.ServerReflectionRequest{MessageRequest: &rpb.ServerReflectionRequest_ListServices{}})
			}
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
	if err := watchFirst(ctx, c, &healthpb.HealthCheckRequest{}); status.Code(err) != codes.Unauthenticated {
		t.Fatalf("non-skipped stream: %v, want Unauthenticated", err)
	}
}

func TestReplayCacheWindowAndBound(t *testing.T) {
	t0 := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	c := newReplayCache(3, 2)
	steps := []struct {
		key, nonce string
		exp, now   time.Time
		want       replayResult
	}{
		{"k1", "a", t0.Add(MaxSkew), t0, replayFresh},
		{"k1", "a", t0.Add(MaxSkew), t0.Add(MaxSkew - time.Second), replaySeen},
		{"k2", "a", t0.Add(MaxSkew), t0, replayFresh}, // the same nonce of another key
		{"k1", "b", t0.Add(MaxSkew), t0, replayFresh},
		{"k1", "c", t0.Add(MaxSkew), t0.Add(time.Second), replayFull}, // k1 at its share: refused, nothing forgotten
		{"k3", "a", t0.Add(MaxSkew), t0.Add(time.Second), replayFull}, // the cache is full for everyone
		{"k1", "a", t0.Add(MaxSkew), t0.Add(2 * time.Second), replaySeen},
		{"k1", "c", t0.Add(2 * MaxSkew), t0.Add(MaxSkew), replayFresh}, // all expired: swept
		{"k1", "a", t0.Add(2 * MaxSkew), t0.Add(MaxSkew), replayFresh},
		{"k1", "d", t0.Add(2 * MaxSkew), t0.Add(MaxSkew), replayFull},  // k1 at its share again
		{"k2", "b", t0.Add(2 * MaxSkew), t0.Add(MaxSkew), replayFresh}, // others still served
	}
	for i, s := range steps {
		if got := c.add(s.key, s.nonce, s.exp, s.now); got != s.want {
			t.Fatalf("step %d add(%s, %s): %v, want %v", i, s.key, s.nonce, got, s.want)
		}
	}
}
