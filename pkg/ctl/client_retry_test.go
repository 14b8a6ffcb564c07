package ctl

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/test/bufconn"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/server"
	"github.com/ec2lab/ec2lab/pkg/throttle"
)

// TestThrottledCallsAreRetried: against ec2d's own gRPC server with a
// one-token bucket, back-to-back ec2ctl calls all succeed: a call refused
// with RequestLimitExceeded is retried after the server's pushback, signed
// anew each time (ec2d accepts a signature once). With the bucket refilling
// too slowly for five attempts, ec2ctl gives up with the throttling error.
func TestThrottledCallsAreRetried(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIDTHROTTLE00000001", SecretAccessKey: "sekrit-value", AccountID: "123456789012"}
	for _, tt := range []struct {
		name   string
		refill float64
		wantOK bool
	}{
		{"bucket refills within the retries", 5, true},
		{"bucket refills too slowly", 0.01, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			creds, ca := testTLS(t)
			lim := throttle.New(throttle.Config{Buckets: map[throttle.Class]throttle.Bucket{
				throttle.UnfilteredNonMutating: {Size: 1, Refill: tt.refill}}})
			fake := newFakeCompute()
			lis := bufconn.Listen(1 << 20)
			gs := server.NewThrottledGRPCServer(auth.StaticKeys{k.AccessKeyID: k}, fake,
				slog.New(slog.NewTextHandler(io.Discard, nil)), lim, creds)
			go func() { _ = gs.Serve(lis) }()
			t.Cleanup(gs.Stop)
			env := map[string]string{"HOME": t.TempDir(), "AWS_ACCESS_KEY_ID": k.AccessKeyID,
				"AWS_SECRET_ACCESS_KEY": k.SecretAccessKey, "AWS_CA_BUNDLE": ca}
			sleeps := 0
			run := func() (string, int) {
				var out, errOut bytes.Buffer
				opts := []Option{WithIO(strings.NewReader(""), &out, &errOut),
					WithEnv(func(name string) string { return env[name] }),
					WithDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) })}
				if !tt.wantOK { // the pushback is 100 s: count the waits instead of waiting
					opts = append(opts, WithSleep(func(context.Context, time.Duration) error { sleeps++; return nil }))
				}
				root := NewRootCommand(opts...)
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				defer cancel()
				code := Run(ctx, root, []string{"describe-regions", "--output", "json"})
				return errOut.String(), code
			}
			if _, code := run(); code != ExitOK {
				t.Fatalf("first call: exit %d", code)
			}
			errOut, code := run() // the bucket is empty now
			switch {
			case tt.wantOK && code != ExitOK:
				t.Errorf("throttled call not recovered: exit %d: %s", code, errOut)
			case !tt.wantOK && (code == ExitOK || !strings.Contains(errOut, "RequestLimitExceeded") || sleeps != throttleAttempts-1):
				t.Errorf("exit %d after %d waits, stderr %q; want the RequestLimitExceeded error after %d attempts",
					code, sleeps, errOut, throttleAttempts)
			}
		})
	}
}
