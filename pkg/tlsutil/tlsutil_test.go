package tlsutil

import (
	"crypto/tls"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func mustCA(t *testing.T, name string) string {
	t.Helper()
	dir := t.TempDir()
	if err := InitCA(dir, name); err != nil {
		t.Fatal(err)
	}
	for _, n := range []string{"ec2d", "agent"} {
		if err := Issue(dir, n, []string{"127.0.0.1", "localhost"}); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// handshake runs one TLS connection over loopback and returns the server
// and client errors.
func handshake(t *testing.T, srv, cli *tls.Config) (error, error) {
	t.Helper()
	l, err := tls.Listen("tcp", "127.0.0.1:0", srv)
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srvErr := make(chan error, 1)
	go func() {
		c, err := l.Accept()
		if err != nil {
			srvErr <- err
			return
		}
		defer c.Close()
		if err := c.(*tls.Conn).Handshake(); err != nil {
			srvErr <- err
			return
		}
		_, err = c.Write([]byte("ok"))
		srvErr <- err
	}()
	c, err := tls.Dial("tcp", l.Addr().String(), cli)
	if err == nil {
		_, err = io.ReadAll(c)
		c.Close()
	}
	return <-srvErr, err
}

func TestMutualTLS(t *testing.T) {
	dir := mustCA(t, "region lab-1")
	other := mustCA(t, "someone else")
	srv, err := ServerConfig(InDir(dir, "ec2d"))
	if err != nil {
		t.Fatal(err)
	}
	good, _ := ClientConfig(InDir(dir, "agent"), "127.0.0.1")
	foreign, _ := ClientConfig(Files{CA: filepath.Join(dir, CACert), Cert: filepath.Join(other, "agent.pem"), Key: filepath.Join(other, "agent-key.pem")}, "127.0.0.1")
	noCert := &tls.Config{RootCAs: good.RootCAs, ServerName: "127.0.0.1", MinVersion: tls.VersionTLS13}
	wrongCA, _ := ClientConfig(Files{CA: filepath.Join(other, CACert), Cert: filepath.Join(dir, "agent.pem"), Key: filepath.Join(dir, "agent-key.pem")}, "127.0.0.1")
	tests := []struct {
		name   string
		client *tls.Config
		ok     bool
	}{
		{"agent signed by the region CA", good, true},
		{"client certificate from another CA", foreign, false},
		{"no client certificate", noCert, false},
		{"client does not trust the server", wrongCA, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			se, ce := handshake(t, srv, tt.client)
			if ok := se == nil && ce == nil; ok != tt.ok {
				t.Fatalf("server err %v, client err %v; want success %v", se, ce, tt.ok)
			}
		})
	}
}

func TestInitCARefusesOverwriteAndKeepsKeysPrivate(t *testing.T) {
	dir := mustCA(t, "x")
	if err := InitCA(dir, "x"); err == nil {
		t.Fatal("InitCA overwrote an existing CA")
	}
	for _, f := range []string{CAKey, "agent-key.pem"} {
		fi, err := os.Stat(filepath.Join(dir, f))
		if err != nil || fi.Mode().Perm() != 0o600 {
			t.Fatalf("%s: mode %v err %v, want 0600", f, fi.Mode().Perm(), err)
		}
	}
}
