package server

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"

	"github.com/ec2lab/ec2lab/pkg/auth"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// open reports whether the server keeps c open for a while (a refused
// connection is closed at once: the read ends with EOF or a reset).
func open(c net.Conn) bool {
	_ = c.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	_, err := c.Read(make([]byte, 1))
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// signedDescribeRegions is a SigV4-signed Query API request as raw bytes.
func signedDescribeRegions(t *testing.T, k auth.Key) []byte {
	t.Helper()
	form := "Action=DescribeRegions&Version=2016-11-15"
	req, err := http.NewRequest(http.MethodPost, "http://ec2d/", strings.NewReader(form))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	sum := sha256.Sum256([]byte(form))
	if err := v4.NewSigner().SignHTTP(context.Background(), aws.Credentials{AccessKeyID: k.AccessKeyID, SecretAccessKey: k.SecretAccessKey},
		req, hex.EncodeToString(sum[:]), "ec2", "lab-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if err := req.Write(&b); err != nil {
		t.Fatal(err)
	}
	return []byte(b.String())
}

// TestUnauthenticatedConnectionCaps: connections that have not
// authenticated are capped per source address and in all (2 and 3 here);
// one over a cap is closed at once, while a connection that authenticated
// leaves the count and keeps working, and a closed one frees its place.
func TestUnauthenticatedConnectionCaps(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	lim := newConnLimiter(3, 2, log)
	hs := newHTTPServer(NewHTTPHandler(regions{}, auth.StaticKeys{k.AccessKeyID: k}, log, "lab-1"), log)
	hs.ConnContext = lim.connContext
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(lim.Listener(ln)) }()
	defer hs.Close()
	dial := func(from string) net.Conn {
		t.Helper()
		d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}}
		c, err := d.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	a1, a2 := dial("127.0.0.1"), dial("127.0.0.1")
	if !open(a1) || !open(a2) {
		t.Fatal("the first two connections from 127.0.0.1 were refused")
	}
	if open(dial("127.0.0.1")) {
		t.Error("a third unauthenticated connection from 127.0.0.1 was kept")
	}
	if !open(dial("127.0.0.2")) {
		t.Fatal("a connection from 127.0.0.2 was refused under the global cap")
	}
	if open(dial("127.0.0.3")) {
		t.Error("a fourth unauthenticated connection in all was kept")
	}

	// a1 authenticates: it leaves the count and keeps serving.
	if _, err := a1.Write(signedDescribeRegions(t, k)); err != nil {
		t.Fatal(err)
	}
	_ = a1.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(a1), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("signed request on a counted connection: %v %v", resp, err)
	}
	resp.Body.Close()
	if !open(dial("127.0.0.1")) {
		t.Error("no place for a new connection after one authenticated")
	}
	// a2 closes: its place is free again (for 127.0.0.3 under the global cap).
	a2.Close()
	waitUntil(t, func() bool { return lim.count() < 3 })
	if !open(dial("127.0.0.3")) {
		t.Error("no place for a new connection after one closed")
	}
}

func waitUntil(t *testing.T, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 5s")
		}
	}
}

// count is the number of connections counted now.
func (l *connLimiter) count() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// TestGRPCConnectionLeavesTheCountOnceAuthenticated: on ec2d's gRPC
// listener a health check (no key) keeps the connection counted; a signed
// call takes it out.
func TestGRPCConnectionLeavesTheCountOnceAuthenticated(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	lim := newConnLimiter(10, 10, log)
	gs := newGRPCServer(auth.StaticKeys{k.AccessKeyID: k}, regions{}, log, nil, lim)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = gs.Serve(lim.Listener(ln)) }()
	defer gs.Stop()
	conn, err := grpc.NewClient(ln.Addr().String(), append(auth.SigningDialOptions(k),
		grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	ctx := context.Background()
	if _, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := lim.count(); n != 1 {
		t.Fatalf("after a health check: %d connections counted, want 1", n)
	}
	if _, err := v1.NewComputeClient(conn).DescribeRegions(ctx, &v1.DescribeRegionsRequest{}); err != nil {
		t.Fatal(err)
	}
	if n := lim.count(); n != 0 {
		t.Errorf("after a signed call: %d connections counted, want 0", n)
	}
}

// TestIdleUnauthenticatedConnectionsExpire: a connection that carries no
// authenticated request within the grace is closed and leaves the count, so
// idle connections cannot fill the caps and lock new clients out; one that
// authenticated in time stays open past the grace.
func TestIdleUnauthenticatedConnectionsExpire(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	lim := newConnLimiter(2, 2, log)
	lim.grace = 300 * time.Millisecond
	hs := newHTTPServer(NewHTTPHandler(regions{}, auth.StaticKeys{k.AccessKeyID: k}, log, "lab-1"), log)
	hs.ConnContext = lim.connContext
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go func() { _ = hs.Serve(lim.Listener(ln)) }()
	defer hs.Close()
	dial := func() net.Conn {
		t.Helper()
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	idle, signed := dial(), dial()
	if _, err := signed.Write(signedDescribeRegions(t, k)); err != nil {
		t.Fatal(err)
	}
	_ = signed.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(signed), nil)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("signed request: %v %v", resp, err)
	}
	resp.Body.Close()
	waitUntil(t, func() bool { return lim.count() == 0 }) // the idle one expired, the signed one left the count
	_ = idle.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := idle.Read(make([]byte, 1)); !errors.Is(err, io.EOF) {
		t.Errorf("idle unauthenticated connection after the grace: read %v, want EOF (closed)", err)
	}
	if !open(signed) {
		t.Error("the authenticated connection was closed at the end of the grace")
	}
	// two new connections are admitted (counted, not closed at accept)
	dial()
	dial()
	waitUntil(t, func() bool { return lim.count() == 2 })
}
