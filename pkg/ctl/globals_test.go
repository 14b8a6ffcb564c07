package ctl

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/grpc"
)

// TestAWSGlobalOptions: the AWS CLI's global options are taken, or
// refused where ec2ctl cannot do what they ask.
func TestAWSGlobalOptions(t *testing.T) {
	h := newHarness(t)
	tests := []struct {
		args []string
		code int
		want string // in stderr
	}{
		{[]string{"describe-regions", "--no-cli-pager"}, 0, ""},
		{[]string{"--no-cli-auto-prompt", "describe-regions"}, 0, ""},
		{[]string{"describe-regions", "--color", "on"}, 0, ""},
		{[]string{"describe-regions", "--color", "off"}, 0, ""},
		{[]string{"describe-regions", "--cli-read-timeout", "30", "--cli-connect-timeout", "0"}, 0, ""},
		{[]string{"describe-regions", "--no-verify-ssl"}, 0, ""},
		{[]string{"describe-regions", "--cli-auto-prompt"}, ExitUsage, "ec2ctl has no auto-prompt"},
		{[]string{"describe-regions", "--color", "rainbow"}, ExitUsage, "argument --color: invalid choice: 'rainbow' (choose from 'on', 'off', 'auto')"},
		{[]string{"describe-regions", "--cli-read-timeout", "-1"}, ExitUsage, "--cli-read-timeout"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			_, errOut, code := h.run(tt.args...)
			if code != tt.code || !strings.Contains(errOut, tt.want) {
				t.Errorf("exit %d, %q; want %d, %q", code, errOut, tt.code, tt.want)
			}
		})
	}
}

func TestNoSignRequest(t *testing.T) {
	h := newHarness(t)
	if _, errOut, code := h.run("describe-instances", "--no-sign-request"); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if v := h.fake.lastMD.Get(auth.MDAccessKey); len(v) > 0 {
		t.Errorf("--no-sign-request sent the access key %v", v)
	}
}

// slowCompute answers DescribeRegions after a while.
type slowCompute struct {
	pb.UnimplementedComputeServer
	delay time.Duration
}

func (s *slowCompute) DescribeRegions(ctx context.Context, _ *pb.DescribeRegionsRequest) (*pb.DescribeRegionsResponse, error) {
	select {
	case <-time.After(s.delay):
	case <-ctx.Done():
	}
	return &pb.DescribeRegionsResponse{}, nil
}

func TestCLIReadTimeout(t *testing.T) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := grpc.NewServer()
	pb.RegisterComputeServer(srv, &slowCompute{delay: 5 * time.Second})
	go func() { _ = srv.Serve(lis) }()
	t.Cleanup(srv.Stop)
	var out, errOut strings.Builder
	home := t.TempDir()
	root := NewRootCommand(WithIO(strings.NewReader(""), &out, &errOut),
		WithEnv(func(k string) string { return map[string]string{"HOME": home}[k] }))
	start := time.Now()
	code := Run(t.Context(), root, []string{"describe-regions", "--endpoint-url", "grpc://" + lis.Addr().String(), "--cli-read-timeout", "1"})
	want := `Read timeout on endpoint URL: "grpc://` + lis.Addr().String() + `"`
	if code != ExitOther || !strings.Contains(errOut.String(), want) || time.Since(start) > 4*time.Second {
		t.Errorf("exit %d after %v: %s", code, time.Since(start), errOut.String())
	}
}

func TestCLIConnectTimeout(t *testing.T) {
	var out, errOut strings.Builder
	home := t.TempDir()
	hang := func(ctx context.Context, _ string) (net.Conn, error) { <-ctx.Done(); return nil, ctx.Err() }
	root := NewRootCommand(WithIO(strings.NewReader(""), &out, &errOut), WithDialer(hang),
		WithEnv(func(k string) string { return map[string]string{"HOME": home}[k] }))
	start := time.Now()
	code := Run(t.Context(), root, []string{"describe-regions", "--endpoint-url", "192.0.2.1:7700", "--cli-connect-timeout", "1"})
	if code != ExitOther || !strings.Contains(errOut.String(), connectionFailed) || time.Since(start) > 10*time.Second {
		t.Errorf("exit %d after %v: %s", code, time.Since(start), errOut.String())
	}
}
