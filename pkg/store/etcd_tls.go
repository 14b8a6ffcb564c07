package store

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"os"
)

// etcdTLSConfig builds the client TLS config from PEM files: CA (optional:
// the system pool without it) and a client certificate (Cert and Key, both
// or neither).
func etcdTLSConfig(f EtcdTLS) (*tls.Config, error) {
	tc := &tls.Config{MinVersion: tls.VersionTLS12}
	if (f.Cert == "") != (f.Key == "") {
		return nil, errors.New("etcd tls: give both cert and key, or neither")
	}
	if f.Cert != "" {
		cert, err := tls.LoadX509KeyPair(f.Cert, f.Key)
		if err != nil {
			return nil, fmt.Errorf("etcd tls: client certificate: %w", err)
		}
		tc.Certificates = []tls.Certificate{cert}
	}
	if f.CA != "" {
		pem, err := os.ReadFile(f.CA)
		if err != nil {
			return nil, fmt.Errorf("etcd tls: read ca: %w", err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("etcd tls: no certificate in %s", f.CA)
		}
		tc.RootCAs = pool
	}
	return tc, nil
}
