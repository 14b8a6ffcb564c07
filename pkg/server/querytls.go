package server

import (
	"crypto/tls"
	"fmt"
	"log/slog"
	"net"
	"path/filepath"

	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// queryServerName is the common name of the Query API's HTTPS certificate.
const queryServerName = "ec2d EC2 Query API"

// queryTLSConfig is the HTTPS listener's TLS configuration for addr (its
// actual address): a certificate from the region CA (made when missing,
// the one the gRPC API's comes from) for addr's names and o.GRPCTLSHosts,
// issued at each start. It returns the CA certificate clients must trust
// (the AWS CLI's --ca-bundle, AWS_CA_BUNDLE).
func queryTLSConfig(o Options, addr string, log *slog.Logger) (*tls.Config, string, error) {
	dir := GRPCCADir(o)
	if _, err := tlsutil.EnsureCA(dir, "ec2lab region CA ("+o.Config.Region+")"); err != nil {
		return nil, "", fmt.Errorf("query API TLS: %w", err)
	}
	hosts, err := tlsutil.ListenHosts(addr)
	if err != nil {
		return nil, "", fmt.Errorf("query API TLS: %w", err)
	}
	hosts = append(hosts, o.GRPCTLSHosts...)
	cert, err := tlsutil.ServerCertificate(dir, queryServerName, hosts)
	if err != nil {
		return nil, "", fmt.Errorf("query API TLS: %w", err)
	}
	ca := filepath.Join(dir, tlsutil.CACert)
	log.Info("Query API HTTPS certificate issued", "ca", ca, "names", hosts)
	return tlsutil.ServerOnlyConfig(cert), ca, nil
}

// listenQueryTLS opens the HTTPS listener of o.HTTPSAddr, its
// unauthenticated connections counted by conns before the handshake, and
// returns the CA certificate clients must trust.
func listenQueryTLS(o Options, conns *connLimiter, log *slog.Logger) (net.Listener, string, error) {
	lis, err := net.Listen("tcp", o.HTTPSAddr)
	if err != nil {
		return nil, "", fmt.Errorf("https listen: %w", err)
	}
	cfg, ca, err := queryTLSConfig(o, lis.Addr().String(), log)
	if err != nil {
		lis.Close()
		return nil, "", err
	}
	return tls.NewListener(conns.Listener(lis), cfg), ca, nil
}
