package tlsutil

import (
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"path/filepath"
)

// EnsureCA makes the CA in dir as `ec2d ca init` does (the CA and ec2d's
// certificate for agent traffic) unless dir already holds one; created
// says whether it did.
func EnsureCA(dir, commonName string) (created bool, err error) {
	_, certErr := os.Stat(filepath.Join(dir, CACert))
	_, keyErr := os.Stat(filepath.Join(dir, CAKey))
	switch {
	case certErr == nil && keyErr == nil:
		return false, nil
	case certErr == nil || keyErr == nil:
		return false, fmt.Errorf("CA directory %s holds only one of %s and %s", dir, CACert, CAKey)
	}
	if err := InitCA(dir, commonName); err != nil {
		return false, err
	}
	if err := Issue(dir, "ec2d", []string{"127.0.0.1", "localhost"}); err != nil {
		return false, err
	}
	return true, nil
}

// ServerCertificate issues, in memory, a certificate for name valid for
// hosts, signed by the CA in dir: a server that makes its own at each
// start always matches its current addresses, and clients trust the CA.
func ServerCertificate(dir, name string, hosts []string) (tls.Certificate, error) {
	der, key, err := issue(dir, name, hosts)
	if err != nil {
		return tls.Certificate{}, err
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, nil
}

// ServerOnlyConfig serves cert without asking clients for one (they
// authenticate otherwise, e.g. by signing requests).
func ServerOnlyConfig(cert tls.Certificate) *tls.Config {
	return &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
}

// ListenHosts are the names a server listening on addr is reached by, for
// its certificate: the address's host, or every interface address and the
// host name when it listens on all of them; always localhost and the
// loopback addresses.
func ListenHosts(addr string) ([]string, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, fmt.Errorf("address %q: %w", addr, err)
	}
	hosts := []string{"localhost", "127.0.0.1", "::1"}
	ip := net.ParseIP(host)
	if host != "" && (ip == nil || !ip.IsUnspecified()) {
		return appendNew(hosts, host), nil
	}
	if name, err := os.Hostname(); err == nil {
		hosts = appendNew(hosts, name)
	}
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return nil, fmt.Errorf("interface addresses: %w", err)
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok {
			hosts = appendNew(hosts, n.IP.String())
		}
	}
	return hosts, nil
}

func appendNew(list []string, v string) []string {
	for _, x := range list {
		if x == v {
			return list
		}
	}
	return append(list, v)
}
