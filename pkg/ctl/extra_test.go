package ctl

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
)

func TestDocsGeneratesPages(t *testing.T) {
	for _, format := range []string{"man", "markdown"} {
		dir := t.TempDir()
		h := newHarness(t)
		if _, errOut, code := h.run("docs", "--dir", dir, "--format", format); code != 0 {
			t.Fatalf("%s: exit %d: %s", format, code, errOut)
		}
		name := map[string]string{"man": "ec2ctl-describe-instances.1", "markdown": "ec2ctl_describe-instances.md"}[format]
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !strings.Contains(string(b), "instance-ids") {
			t.Errorf("%s: %s: %v", format, name, err)
		}
	}
}

type keyCapture struct {
	pb.UnimplementedComputeServer
	got []byte
}

func (k *keyCapture) ImportKeyPair(_ context.Context, req *pb.ImportKeyPairRequest) (*pb.KeyPair, error) {
	k.got = req.PublicKeyMaterial
	return &pb.KeyPair{KeyName: req.KeyName, KeyPairId: "key-1", KeyFingerprint: "fp"}, nil
}

// TestHTTPSEndpointWithCABundle serves TLS with a throwaway CA and checks
// that --ca-bundle makes it trusted (and that it is refused without).
func TestHTTPSEndpointWithCABundle(t *testing.T) {
	caPEM, serverCert := selfSignedCert(t)
	bundle := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(bundle, caPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	capture := &keyCapture{}
	srv := grpc.NewServer(grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{serverCert}})))
	pb.RegisterComputeServer(srv, capture)
	go func() { _ = srv.Serve(lis) }()
	defer srv.Stop()
	pubFile := filepath.Join(t.TempDir(), "id.pub")
	if err := os.WriteFile(pubFile, []byte("ssh-ed25519 AAAA test\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	run := func(extra ...string) (string, int) {
		var out, errOut strings.Builder
		root := NewRootCommand(WithIO(strings.NewReader(""), &out, &errOut),
			WithEnv(func(k string) string { return map[string]string{"HOME": t.TempDir()}[k] }))
		args := append([]string{"import-key-pair", "--key-name", "k", "--public-key-material", "fileb://" + pubFile,
			"--endpoint-url", "https://" + lis.Addr().String(), "--output", "json"}, extra...)
		code := Run(t.Context(), root, args)
		return out.String() + errOut.String(), code
	}
	if out, code := run(); code == 0 {
		t.Fatalf("untrusted certificate accepted: %s", out)
	}
	out, code := run("--ca-bundle", bundle)
	if code != 0 || string(capture.got) != "ssh-ed25519 AAAA test\n" || !strings.Contains(out, `"KeyFingerprint": "fp"`) {
		t.Fatalf("exit %d, %s, material %q", code, out, capture.got)
	}
	// The AWS CLI's --no-verify-ssl, and grpcs:// meaning https://.
	capture.got = nil
	if out, code := run("--no-verify-ssl", "--endpoint-url", "grpcs://"+lis.Addr().String()); code != 0 || capture.got == nil {
		t.Fatalf("--no-verify-ssl: exit %d, %s", code, out)
	}
}

func selfSignedCert(t *testing.T) ([]byte, tls.Certificate) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "ec2lab test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}
