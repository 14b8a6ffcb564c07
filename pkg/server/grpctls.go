package server

import (
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// grpcServerName is the common name of the gRPC API's certificate.
const grpcServerName = "ec2d gRPC API"

// GRPCCADir is the region CA directory that issues the gRPC API's server
// certificate: the one given, else the agents' (--agent-tls-dir), else
// DATA_DIR/ca.
func GRPCCADir(o Options) string {
	switch {
	case o.GRPCCADir != "":
		return o.GRPCCADir
	case o.AgentTLSDir != "":
		return o.AgentTLSDir
	}
	return filepath.Join(o.DataDir, "ca")
}

// grpcTransport returns the public gRPC listener's credentials for addr
// (its actual address) and the CA certificate clients must trust ("" when
// plaintext). TLS is the default: the region CA (made on first start when
// missing) issues a fresh certificate for addr's names and o.GRPCTLSHosts
// at each start. Plaintext needs o.GRPCPlaintextLoopback and a loopback
// address.
func grpcTransport(o Options, addr string, log *slog.Logger) (credentials.TransportCredentials, string, error) {
	if o.GRPCPlaintextLoopback {
		if err := requireLoopbackIP(addr); err != nil {
			return nil, "", fmt.Errorf("--grpc-plaintext-loopback: %w", err)
		}
		log.Warn("gRPC API serves plaintext (loopback only)", "addr", addr)
		return insecure.NewCredentials(), "", nil
	}
	dir := GRPCCADir(o)
	created, err := tlsutil.EnsureCA(dir, "ec2lab region CA ("+o.Config.Region+")")
	if err != nil {
		return nil, "", fmt.Errorf("gRPC TLS: %w", err)
	}
	if created {
		log.Info("region CA created", "dir", dir)
	}
	hosts, err := tlsutil.ListenHosts(addr)
	if err != nil {
		return nil, "", fmt.Errorf("gRPC TLS: %w", err)
	}
	hosts = append(hosts, o.GRPCTLSHosts...)
	cert, err := tlsutil.ServerCertificate(dir, grpcServerName, hosts)
	if err != nil {
		return nil, "", fmt.Errorf("gRPC TLS: %w", err)
	}
	log.Info("gRPC API certificate issued", "ca", filepath.Join(dir, tlsutil.CACert), "names", hosts)
	return credentials.NewTLS(tlsutil.ServerOnlyConfig(cert)), filepath.Join(dir, tlsutil.CACert), nil
}

// requireLoopbackIP refuses an address whose host is not a loopback IP.
func requireLoopbackIP(addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("address %q: %w", addr, err)
	}
	if ip := net.ParseIP(host); ip == nil || !ip.IsLoopback() {
		return fmt.Errorf("%s is not a loopback address: plaintext gRPC (access keys' signatures, private keys from CreateKeyPair) must not leave this machine", addr)
	}
	return nil
}
