// Package e2e starts the real binaries (ec2d all-in-one, ec2ctl, the AWS
// CLI) against real libvirtd and checks what a user would see.
package e2e

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
)

// repoRoot is the module root (two levels up from this file).
func repoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// requireHost fails under CI and skips elsewhere when libvirt or the test
// image is missing; under -short it always skips.
func requireHost(t *testing.T) {
	t.Helper()
	hvtest.SkipIfShort(t, "libvirtd, the tiny image and the built binaries (e2e)")
	var missing []string
	if _, err := os.Stat("/run/libvirt/libvirt-sock"); err != nil {
		missing = append(missing, "libvirtd socket")
	}
	if _, err := os.Stat(filepath.Join(repoRoot(), "images/tiny/manifest.json")); err != nil {
		missing = append(missing, "images/tiny (run make image)")
	}
	if len(missing) == 0 {
		timeTest(t)
		watchLibvirtd(t)
		return
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("e2e needs %s (CI=true: failing, not skipping)", strings.Join(missing, ", "))
	}
	t.Skipf("e2e needs %s", strings.Join(missing, ", "))
}

// binaries builds cmd/... once per test process.
func binaries(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "ec2lab-e2e-bin-")
		if buildErr != nil {
			return
		}
		cmd := exec.Command("go", "build", "-o", binDir+"/", "./cmd/...")
		cmd.Dir = repoRoot()
		out, err := cmd.CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binDir
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// region is a running ec2d. CA is the CA certificate its gRPC API's TLS
// certificate chains to ("" when it serves plaintext).
type region struct {
	GRPC, HTTP, DataDir, Credentials, CA string
	Key                                  auth.Key
	cmd                                  *exec.Cmd
	log                                  *lockedBuffer
	Client                               v1.ComputeClient
	conn                                 *grpc.ClientConn
}

// startRegion runs `ec2d --all-in-one` with the tiny image registered and a
// domain prefix unique to this test run.
func startRegion(t *testing.T, dataDir string, extra ...string) *region {
	t.Helper()
	return startEC2d(t, dataDir, append([]string{"--all-in-one"}, extra...)...)
}

// startEC2d runs ec2d with the tiny image registered and the given extra
// arguments (e.g. --config FILE), on free loopback ports.
func startEC2d(t *testing.T, dataDir string, extra ...string) *region {
	t.Helper()
	return startEC2dEnv(t, nil, dataDir, extra...)
}

// startEC2dEnv is startEC2d with extra environment variables (e.g. a
// crashpoint).
func startEC2dEnv(t *testing.T, env []string, dataDir string, extra ...string) *region {
	t.Helper()
	bin := binaries(t)
	r := &region{GRPC: freePort(t), HTTP: freePort(t), DataDir: dataDir, log: &lockedBuffer{}}
	args := append([]string{"--data-dir", dataDir, "--grpc-addr", r.GRPC, "--http-addr", r.HTTP,
		"--register-image", "tiny=" + filepath.Join(repoRoot(), "images/tiny"),
		// the tests' bundles and disk images live in their temp dirs
		"--image-dir", os.TempDir(), "--image-dir", filepath.Join(repoRoot(), "images")}, extra...)
	r.cmd = exec.Command(filepath.Join(bin, "ec2d"), args...)
	r.cmd.Stdout, r.cmd.Stderr = r.log, r.log
	if env != nil {
		r.cmd.Env = append(os.Environ(), env...)
	}
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.stop() })
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get("http://" + r.HTTP + "/healthz"); err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) || r.cmd.ProcessState != nil {
			t.Fatalf("ec2d did not come up:\n%s", r.log.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
	r.Credentials = filepath.Join(dataDir, "credentials")
	k, _, err := auth.ReadCredentialsFile(r.Credentials, "ec2lab")
	if err != nil {
		t.Fatalf("credentials: %v", err)
	}
	r.Key = k
	r.CA = grpcCA(dataDir, args)
	r.conn, err = grpc.NewClient(r.GRPC, append(auth.SigningDialOptions(k), grpc.WithTransportCredentials(r.transport(t)))...)
	if err != nil {
		t.Fatal(err)
	}
	r.Client = v1.NewComputeClient(r.conn)
	return r
}

// grpcCA is where ec2d started with args keeps the CA certificate of its
// gRPC API: --ca-dir, else --agent-tls-dir, else DATA_DIR/ca ("" with
// --grpc-plaintext-loopback).
func grpcCA(dataDir string, args []string) string {
	dir := filepath.Join(dataDir, "ca")
	agentDir := ""
	for i, a := range args {
		switch {
		case a == "--grpc-plaintext-loopback":
			return ""
		case a == "--ca-dir" && i+1 < len(args):
			return filepath.Join(args[i+1], "ca.pem")
		case a == "--agent-tls-dir" && i+1 < len(args):
			agentDir = args[i+1]
		}
	}
	if agentDir != "" {
		dir = agentDir
	}
	return filepath.Join(dir, "ca.pem")
}

// transport is TLS trusting r's CA, or plaintext when r serves plaintext.
func (r *region) transport(t *testing.T) credentials.TransportCredentials {
	t.Helper()
	if r.CA == "" {
		return insecure.NewCredentials()
	}
	pem, err := os.ReadFile(r.CA)
	if err != nil {
		t.Fatalf("ec2d's CA certificate: %v", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatalf("%s holds no certificate", r.CA)
	}
	return credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12})
}

func (r *region) stop() {
	if r.conn != nil {
		r.conn.Close()
	}
	if r.cmd.Process != nil && r.cmd.ProcessState == nil {
		_ = r.cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = r.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(15 * time.Second):
			_ = r.cmd.Process.Kill()
		}
	}
}

// waitState polls DescribeInstances until every instance is in want.
func (r *region) waitState(t *testing.T, want string, ids ...string) []*v1.Instance {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	var last []*v1.Instance
	for ctx.Err() == nil {
		out, err := r.Client.DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: ids})
		if err == nil {
			last = nil
			ok := true
			for _, res := range out.GetReservations() {
				for _, in := range res.GetInstances() {
					last = append(last, in)
					ok = ok && in.GetState().GetName() == want
				}
			}
			if ok && len(last) == len(ids) {
				return last
			}
		}
		time.Sleep(500 * time.Millisecond)
	}
	t.Fatalf("instances %v did not reach %s; last: %v\nec2d log tail:\n%s", ids, want, last, tail(r.log.String(), 4000))
	return nil
}

// waitConsole polls the console output until it contains every needle.
func (r *region) waitConsole(t *testing.T, id string, needles ...string) string {
	t.Helper()
	deadline := time.Now().Add(4 * time.Minute)
	var out string
	for time.Now().Before(deadline) {
		res, err := r.Client.GetConsoleOutput(context.Background(), &v1.GetConsoleOutputRequest{InstanceId: id})
		if err == nil {
			out = string(res.GetOutput())
			all := true
			for _, n := range needles {
				all = all && strings.Contains(out, n)
			}
			if all {
				return out
			}
		}
		time.Sleep(time.Second)
	}
	t.Fatalf("console of %s never showed %q; got:\n%s", id, needles, tail(out, 3000))
	return ""
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}

// lockedBuffer collects a process's output while tests read it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func (b *lockedBuffer) Bytes() []byte { return []byte(b.String()) }

// waitLog waits until ec2d's log contains needle.
func (r *region) waitLog(t *testing.T, needle string) {
	t.Helper()
	for deadline := time.Now().Add(time.Minute); !strings.Contains(r.log.String(), needle); time.Sleep(200 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("ec2d never logged %q; tail:\n%s", needle, tail(r.log.String(), 3000))
		}
	}
}

// domainPID is the QEMU process of a running libvirt domain.
func domainPID(t *testing.T, domain string) int {
	t.Helper()
	b, err := os.ReadFile("/run/libvirt/qemu/" + domain + ".pid")
	if err != nil {
		t.Fatalf("QEMU pid of %s: %v", domain, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("QEMU pid of %s: %v", domain, err)
	}
	if _, err := os.Stat("/proc/" + strconv.Itoa(pid)); err != nil {
		t.Fatalf("QEMU of %s (pid %d) is not running", domain, pid)
	}
	return pid
}

// virshDomains lists libvirt domains whose names start with prefix.
func virshDomains(t *testing.T, prefix string) []string {
	t.Helper()
	out, err := exec.Command("virsh", "-c", "qemu:///system", "list", "--all", "--name").Output()
	if err != nil {
		t.Fatalf("virsh list: %v", err)
	}
	var doms []string
	for _, l := range strings.Split(string(out), "\n") {
		if l = strings.TrimSpace(l); strings.HasPrefix(l, prefix) {
			doms = append(doms, l)
		}
	}
	return doms
}
