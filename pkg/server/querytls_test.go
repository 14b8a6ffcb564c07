package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// TestQueryAPIOverHTTPS: with --https-addr, ec2d serves the Query API over
// TLS with a certificate of its region CA: the AWS SDK and the AWS CLI
// trusting that CA get answers, a client that does not fails the
// handshake, and plain HTTP on that port is refused.
func TestQueryAPIOverHTTPS(t *testing.T) {
	dataDir := t.TempDir()
	addr := freeLoopbackAddr(t)
	ctx, cancel := context.WithCancel(context.Background())
	ready, done := make(chan struct{}), make(chan error, 1)
	cfg := AllInOne(dataDir)
	cfg.EmbeddedAgents = nil // no libvirt needed
	go func() {
		done <- Run(ctx, Options{Config: cfg, DataDir: dataDir, GRPCAddr: "127.0.0.1:0", HTTPAddr: "127.0.0.1:0", HTTPSAddr: addr,
			Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Ready: func(string, string) { close(ready) }})
	}()
	select {
	case <-ready:
		t.Cleanup(func() { cancel(); <-done })
	case err := <-done:
		cancel()
		t.Fatalf("ec2d stopped: %v", err)
	case <-time.After(30 * time.Second):
		cancel()
		t.Fatal("ec2d not ready in 30 s")
	}
	ca := filepath.Join(dataDir, "ca", tlsutil.CACert)
	akid, secret := adminCredentials(t, filepath.Join(dataDir, "credentials"))
	url := "https://" + addr

	describe := func(client *http.Client) (*ec2.DescribeRegionsOutput, error) {
		c := ec2.New(ec2.Options{Region: "lab-1", BaseEndpoint: aws.String(url), HTTPClient: client,
			Credentials: credentials.NewStaticCredentialsProvider(akid, secret, "")})
		rctx, rcancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer rcancel()
		return c.DescribeRegions(rctx, &ec2.DescribeRegionsInput{})
	}
	out, err := describe(trustingClient(t, ca))
	if err != nil || len(out.Regions) != 1 || aws.ToString(out.Regions[0].RegionName) != "lab-1" {
		t.Fatalf("DescribeRegions over HTTPS trusting the region CA: %v %+v", err, out)
	}
	if _, err := describe(trustingClient(t, otherCA(t))); err == nil || !strings.Contains(err.Error(), "certificate signed by unknown authority") {
		t.Errorf("a client trusting another CA: %v, want an unknown-authority handshake failure", err)
	}
	if resp, err := http.Get("http://" + addr + "/healthz"); err != nil || resp.StatusCode != http.StatusBadRequest {
		t.Errorf("plain HTTP on the HTTPS port: %v %v, want 400", err, resp)
	} else {
		resp.Body.Close()
	}

	hvtest.RequireTool(t, "aws")
	cli := func(args ...string) (string, error) {
		cmd := exec.Command("aws", append([]string{"--endpoint-url", url, "--region", "lab-1", "--output", "text"}, args...)...)
		for _, kv := range os.Environ() {
			if !strings.HasPrefix(kv, "AWS_") { // an empty AWS_CA_BUNDLE turns verification off
				cmd.Env = append(cmd.Env, kv)
			}
		}
		cmd.Env = append(cmd.Env, "AWS_ACCESS_KEY_ID="+akid, "AWS_SECRET_ACCESS_KEY="+secret,
			"AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null")
		b, err := cmd.CombinedOutput()
		return string(b), err
	}
	if out, err := cli("--ca-bundle", ca, "ec2", "describe-regions"); err != nil || !strings.Contains(out, "lab-1") {
		t.Errorf("aws --ca-bundle <region CA> ec2 describe-regions: %v\n%s", err, out)
	}
	if out, err := cli("ec2", "describe-regions"); err == nil || !strings.Contains(out, "CERTIFICATE_VERIFY_FAILED") {
		t.Errorf("aws without the region CA: %v\n%s, want a certificate verification failure", err, out)
	}
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// adminCredentials reads the key ec2d wrote to its credentials file.
func adminCredentials(t *testing.T, path string) (string, string) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	value := func(name string) string {
		m := regexp.MustCompile(`(?m)^` + name + `\s*=\s*(\S+)`).FindSubmatch(b)
		if m == nil {
			t.Fatalf("no %s in %s", name, path)
		}
		return string(m[1])
	}
	return value("aws_access_key_id"), value("aws_secret_access_key")
}

// trustingClient is an HTTP client that trusts only the CA certificate at path.
func trustingClient(t *testing.T, path string) *http.Client {
	t.Helper()
	pem, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("no certificate in %s", path)
	}
	return &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
}

// otherCA makes a CA that issued nothing ec2d serves.
func otherCA(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if _, err := tlsutil.EnsureCA(dir, "another CA"); err != nil {
		t.Fatal(err)
	}
	return filepath.Join(dir, tlsutil.CACert)
}
