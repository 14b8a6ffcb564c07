package server

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ctl"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// oneRegion answers DescribeRegions, the call the TLS tests make.
type oneRegion struct{ v1.UnimplementedComputeServer }

func (oneRegion) DescribeRegions(context.Context, *v1.DescribeRegionsRequest) (*v1.DescribeRegionsResponse, error) {
	return &v1.DescribeRegionsResponse{Regions: []*v1.Region{{RegionName: "lab-1", Endpoint: "grpcs://lab-1"}}}, nil
}

var tlsTestKey = auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}

// serveTestGRPC runs ec2d's public gRPC server with the transport ec2d
// chooses for o on a loopback port; it returns the address and the CA
// certificate clients must trust.
func serveTestGRPC(t *testing.T, o Options) (string, string) {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	creds, ca, err := grpcTransport(o, lis.Addr().String(), log)
	if err != nil {
		lis.Close()
		t.Fatal(err)
	}
	gs := NewGRPCServer(auth.StaticKeys{tlsTestKey.AccessKeyID: tlsTestKey}, oneRegion{}, log, grpc.Creds(creds))
	go func() { _ = gs.Serve(lis) }()
	t.Cleanup(gs.Stop)
	return lis.Addr().String(), ca
}

func testOptions(dataDir string) Options {
	return Options{DataDir: dataDir, Config: Config{Config: controller.Config{Region: "lab-1"}}}
}

// runCtl runs ec2ctl describe-regions with env (and the test key) and
// returns its exit code and stderr.
func runCtl(t *testing.T, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	vars := map[string]string{"HOME": t.TempDir(), "AWS_ACCESS_KEY_ID": tlsTestKey.AccessKeyID,
		"AWS_SECRET_ACCESS_KEY": tlsTestKey.SecretAccessKey, "AWS_CONFIG_FILE": "/dev/null"}
	for k, v := range env {
		vars[k] = v
	}
	var out, errOut bytes.Buffer
	root := ctl.NewRootCommand(ctl.WithIO(strings.NewReader(""), &out, &errOut), ctl.WithEnv(func(k string) string { return vars[k] }))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	code := ctl.Run(ctx, root, append([]string{"describe-regions", "--output", "text"}, args...))
	return code, out.String(), errOut.String()
}

// TestGRPCServesTLSByDefault: with no TLS settings ec2d makes its region
// CA in DATA_DIR/ca and serves TLS; ec2ctl trusting that CA gets answers,
// one that does not fails the handshake, and a plaintext client is refused.
func TestGRPCServesTLSByDefault(t *testing.T) {
	dataDir := t.TempDir()
	addr, ca := serveTestGRPC(t, testOptions(dataDir))
	if want := filepath.Join(dataDir, "ca", tlsutil.CACert); ca != want {
		t.Fatalf("CA certificate at %s, want %s", ca, want)
	}
	other := t.TempDir()
	if _, err := tlsutil.EnsureCA(other, "another CA"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		env     map[string]string
		args    []string
		code    int
		wantOut string
		wantErr string
	}{
		{"trusts the region CA (AWS_CA_BUNDLE)", map[string]string{"EC2LAB_ENDPOINT": addr, "AWS_CA_BUNDLE": ca}, nil, 0, "lab-1", ""},
		{"trusts the region CA (--ca-bundle, grpcs://)", nil, []string{"--endpoint-url", "grpcs://" + addr, "--ca-bundle", ca}, 0, "lab-1", ""},
		{"trusts no CA", map[string]string{"EC2LAB_ENDPOINT": addr}, nil, 255, "", "certificate signed by unknown authority"},
		{"trusts another CA", map[string]string{"EC2LAB_ENDPOINT": addr, "AWS_CA_BUNDLE": filepath.Join(other, tlsutil.CACert)}, nil, 255, "", "trust it with AWS_CA_BUNDLE"},
		{"speaks plaintext", map[string]string{"EC2LAB_ENDPOINT": "grpc://" + addr}, nil, 255, "", "Could not connect"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errOut := runCtl(t, tt.env, tt.args...)
			if code != tt.code || !strings.Contains(out, tt.wantOut) || !strings.Contains(errOut, tt.wantErr) {
				t.Fatalf("exit %d, stdout %q, stderr %q; want exit %d, %q on stdout, %q on stderr", code, out, errOut, tt.code, tt.wantOut, tt.wantErr)
			}
		})
	}
	t.Run("plaintext gRPC client", func(t *testing.T) {
		conn, err := grpc.NewClient(addr, append(auth.SigningDialOptions(tlsTestKey), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = v1.NewComputeClient(conn).DescribeRegions(ctx, &v1.DescribeRegionsRequest{})
		if status.Code(err) != codes.Unavailable {
			t.Fatalf("plaintext call to the TLS server: %v, want Unavailable", err)
		}
	})
}

// TestGRPCCapturedSignatureRefused: through ec2d's own server over TLS, a
// signed call's metadata captured and sent again is refused, with the same
// request and with another.
func TestGRPCCapturedSignatureRefused(t *testing.T) {
	addr, ca := serveTestGRPC(t, testOptions(t.TempDir()))
	pem, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(pem)
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(credentials.NewTLS(&tls.Config{RootCAs: pool})))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := v1.NewComputeClient(conn)
	signed := &v1.DescribeRegionsRequest{RegionNames: []string{"lab-1"}}
	md, err := auth.SignRPC(tlsTestKey, v1.Compute_DescribeRegions_FullMethodName, time.Now(), signed)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		req  *v1.DescribeRegionsRequest
		want codes.Code
	}{
		{"first use", signed, codes.OK},
		{"replay with another body", &v1.DescribeRegionsRequest{RegionNames: []string{"lab-2"}}, codes.Unauthenticated},
		{"replay of the same request", signed, codes.Unauthenticated},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(metadata.NewOutgoingContext(context.Background(), metadata.New(md)), 10*time.Second)
			defer cancel()
			if _, err := c.DescribeRegions(ctx, tt.req); status.Code(err) != tt.want {
				t.Fatalf("%v, want %v", err, tt.want)
			}
		})
	}
}

// TestGRPCCAKeptAcrossRestarts: a restart issues a new server certificate
// from the same CA, so clients keep trusting ec2d.
func TestGRPCCAKeptAcrossRestarts(t *testing.T) {
	dataDir := t.TempDir()
	_, ca := serveTestGRPC(t, testOptions(dataDir))
	before, err := os.ReadFile(ca)
	if err != nil {
		t.Fatal(err)
	}
	addr, ca2 := serveTestGRPC(t, testOptions(dataDir))
	after, _ := os.ReadFile(ca2)
	if ca2 != ca || !bytes.Equal(before, after) {
		t.Fatal("second start replaced the region CA")
	}
	if code, _, errOut := runCtl(t, map[string]string{"EC2LAB_ENDPOINT": addr, "AWS_CA_BUNDLE": ca}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
}

// TestGRPCCADirChoice: an operator's CA (--ca-dir, else --agent-tls-dir)
// issues the certificate; ec2d does not make its own then.
func TestGRPCCADirChoice(t *testing.T) {
	data, agents, given := t.TempDir(), t.TempDir(), t.TempDir()
	tests := []struct {
		name string
		o    Options
		want string
	}{
		{"default", Options{DataDir: data}, filepath.Join(data, "ca")},
		{"agents' CA", Options{DataDir: data, AgentTLSDir: agents}, agents},
		{"--ca-dir", Options{DataDir: data, AgentTLSDir: agents, GRPCCADir: given}, given},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := GRPCCADir(tt.o); got != tt.want {
				t.Fatalf("GRPCCADir = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestGRPCPlaintextOnlyOnLoopback: --grpc-plaintext-loopback serves
// plaintext on loopback (ec2ctl reaches it at grpc://) and is refused on
// any other address.
func TestGRPCPlaintextOnlyOnLoopback(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	for _, tt := range []struct {
		addr string
		ok   bool
	}{
		{"127.0.0.1:7700", true},
		{"[::1]:7700", true},
		{"0.0.0.0:7700", false},
		{"[::]:7700", false},
		{"10.0.0.1:7700", false},
		{"localhost:7700", false}, // a name may resolve anywhere
	} {
		t.Run(tt.addr, func(t *testing.T) {
			o := testOptions(t.TempDir())
			o.GRPCPlaintextLoopback = true
			_, ca, err := grpcTransport(o, tt.addr, log)
			if (err == nil) != tt.ok || ca != "" {
				t.Fatalf("err %v, CA %q; want ok=%v and no CA", err, ca, tt.ok)
			}
			if !tt.ok && !strings.Contains(err.Error(), "not a loopback address") {
				t.Fatalf("error %q does not say why", err)
			}
		})
	}
	o := testOptions(t.TempDir())
	o.GRPCPlaintextLoopback = true
	addr, _ := serveTestGRPC(t, o)
	if code, out, errOut := runCtl(t, map[string]string{"EC2LAB_ENDPOINT": "grpc://" + addr}); code != 0 || !strings.Contains(out, "lab-1") {
		t.Fatalf("plaintext on loopback: exit %d %q %q", code, out, errOut)
	}
	if code, _, errOut := runCtl(t, map[string]string{"EC2LAB_ENDPOINT": addr}); code != 255 || !strings.Contains(errOut, "does not speak TLS") {
		t.Fatalf("TLS client to a plaintext server: exit %d %q", code, errOut)
	}
}
