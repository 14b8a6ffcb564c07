package ctl

import (
	"path/filepath"
	"testing"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// testTLS makes a CA in a temporary directory and returns the server option
// serving TLS with a certificate it issued for DefaultEndpoint's names (as
// ec2d does), and the CA certificate for AWS_CA_BUNDLE.
func testTLS(t *testing.T) (grpc.ServerOption, string) {
	t.Helper()
	dir := t.TempDir()
	if _, err := tlsutil.EnsureCA(dir, "ctl test CA"); err != nil {
		t.Fatal(err)
	}
	cert, err := tlsutil.ServerCertificate(dir, "ctl test server", []string{"127.0.0.1", "localhost"})
	if err != nil {
		t.Fatal(err)
	}
	return grpc.Creds(credentials.NewTLS(tlsutil.ServerOnlyConfig(cert))), filepath.Join(dir, tlsutil.CACert)
}
