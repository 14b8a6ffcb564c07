package main

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"

	"github.com/ec2lab/ec2lab/pkg/auth"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// env is one benchmark session: a temporary directory, a running ec2d and
// what was launched, so cleanup can remove all of it.
type env struct {
	tmp        string
	prefix     string // ec2d's domain prefix
	basePrefix string // the virsh baseline's domain names
	bridge     string // the baseline's isolated bridge, once created
	grpcAddr   string
	httpAddr   string
	ec2d       *exec.Cmd
	ec2dDone   chan struct{} // closed when ec2d has exited
	ec2dLog    string
	conn       *grpc.ClientConn
	client     v1.ComputeClient
	ami        string

	mu        sync.Mutex
	instances map[string]bool // launched and not yet seen terminated
	domains   map[string]bool // baseline domains possibly running
	nextDom   int
}

func newEnv() *env {
	b := make([]byte, 3)
	_, _ = rand.Read(b)
	tag := hex.EncodeToString(b)
	return &env{prefix: "bench" + tag + "-", basePrefix: "benchv" + tag + "-",
		instances: map[string]bool{}, domains: map[string]bool{}}
}

// setup builds the binaries and starts ec2d. n > 1 needs a CPU overcommit
// that lets n t3.nano (2 vCPUs each) fit on this host.
func (e *env) setup(ctx context.Context, n int) error {
	root, bin, err := e.prepareDir(ctx, "")
	if err != nil {
		return err
	}
	args, err := e.ec2dArgs(root, filepath.Join(e.tmp, "data"), n)
	if err != nil {
		return err
	}
	if err := e.startEC2d(ctx, filepath.Join(bin, "ec2d"), args); err != nil {
		return err
	}
	return e.dial(ctx, filepath.Join(e.tmp, "data"))
}

// prepareDir makes the temporary directory and, when bin is "", builds the
// binaries into it; it returns the repository root and the binaries' dir.
func (e *env) prepareDir(ctx context.Context, bin string) (string, string, error) {
	root, err := os.Getwd()
	if err != nil {
		return "", "", fmt.Errorf("working directory: %w", err)
	}
	if _, err := os.Stat(filepath.Join(root, "images/tiny/manifest.json")); err != nil {
		return "", "", fmt.Errorf("run from the repository root after `make image`: %w", err)
	}
	if e.tmp, err = os.MkdirTemp("", "ec2lab-benchlaunch-"); err != nil {
		return "", "", fmt.Errorf("temp dir: %w", err)
	}
	for _, d := range []string{filepath.Join(e.tmp, "data"), filepath.Join(e.tmp, "baseline")} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return "", "", fmt.Errorf("create %s: %w", d, err)
		}
	}
	if err := traversable(e.tmp); err != nil {
		return "", "", err
	}
	if bin != "" {
		return root, bin, nil
	}
	bin = filepath.Join(e.tmp, "bin")
	slog.Info("building binaries", "dir", bin)
	if out, err := exec.CommandContext(ctx, "go", "build", "-o", bin+"/", "./cmd/...").CombinedOutput(); err != nil {
		return "", "", fmt.Errorf("go build: %w\n%s", err, out)
	}
	return root, bin, nil
}

// traversable makes every directory from dir up to the temp root
// searchable by libvirt-qemu (like hvtest.ScratchDir).
func traversable(dir string) error {
	tmp := os.TempDir()
	for d := dir; d != tmp && d != "/" && strings.HasPrefix(d, tmp); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			return fmt.Errorf("chmod %s: %w", d, err)
		}
	}
	return nil
}

// ec2dArgs is `--all-in-one` for one instance; for n instances the same
// region as a config file with cpu_overcommit raised so n × 2 vCPUs fit.
func (e *env) ec2dArgs(root, data string, n int) ([]string, error) {
	var err error
	if e.grpcAddr, err = freeAddr(); err != nil {
		return nil, err
	}
	if e.httpAddr, err = freeAddr(); err != nil {
		return nil, err
	}
	args := []string{"--data-dir", data, "--grpc-addr", e.grpcAddr, "--http-addr", e.httpAddr,
		"--register-image", "tiny=" + filepath.Join(root, "images/tiny"), "--image-dir", e.tmp}
	if n == 1 {
		return append(args, "--all-in-one", "--domain-prefix", e.prefix), nil
	}
	host, _ := os.Hostname()
	cfg := fmt.Sprintf(`region: lab-1
availability_zones:
  - {name: lab-1a, id: lab-1-az1, pool: %[1]s/pools/lab-1a}
cpu_overcommit: %[2]d
embedded_agents:
  - {host_id: h-%[3]s, availability_zone: lab-1a, domain_prefix: %[4]s, local_pool: %[1]s/local, state_dir: %[1]s/agent}
libvirt_uri: %[5]s
domain_type: auto
`, data, n*2, host, e.prefix, libvirtURI)
	path := filepath.Join(e.tmp, "region.yaml")
	if err := os.WriteFile(path, []byte(cfg), 0o644); err != nil {
		return nil, fmt.Errorf("write %s: %w", path, err)
	}
	return append(args, "--config", path), nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startEC2d runs ec2d in its own process group (a terminal's ^C reaches
// only us; we terminate the instances through it before stopping it) and
// waits for /healthz.
func (e *env) startEC2d(ctx context.Context, bin string, args []string) error {
	e.ec2dLog = filepath.Join(e.tmp, "ec2d.log")
	logf, err := os.Create(e.ec2dLog)
	if err != nil {
		return fmt.Errorf("ec2d log: %w", err)
	}
	defer logf.Close()
	e.ec2d = exec.Command(bin, args...)
	e.ec2d.Stdout, e.ec2d.Stderr = logf, logf
	e.ec2d.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	slog.Info("starting ec2d", "prefix", e.prefix, "args", strings.Join(args, " "))
	if err := e.ec2d.Start(); err != nil {
		return fmt.Errorf("start ec2d: %w", err)
	}
	e.ec2dDone = make(chan struct{})
	go func() { _ = e.ec2d.Wait(); close(e.ec2dDone) }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		if resp, err := http.Get("http://" + e.httpAddr + "/healthz"); err == nil {
			resp.Body.Close()
			return nil
		}
		select {
		case <-e.ec2dDone:
			return fmt.Errorf("ec2d exited during start: %v", e.ec2d.ProcessState)
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("ec2d not healthy after 60s")
		}
	}
}

// dial reads the admin credentials ec2d wrote and finds the tiny AMI.
func (e *env) dial(ctx context.Context, data string) error {
	key, _, err := auth.ReadCredentialsFile(filepath.Join(data, "credentials"), "ec2lab")
	if err != nil {
		return fmt.Errorf("credentials: %w", err)
	}
	creds, err := transport(data)
	if err != nil {
		return err
	}
	e.conn, err = grpc.NewClient(e.grpcAddr, append(auth.SigningDialOptions(key), grpc.WithTransportCredentials(creds))...)
	if err != nil {
		return fmt.Errorf("dial %s: %w", e.grpcAddr, err)
	}
	e.client = v1.NewComputeClient(e.conn)
	return e.waitAMI(ctx)
}

// transport is TLS trusting the region CA ec2d made in data, as ec2ctl
// does.
func transport(data string) (credentials.TransportCredentials, error) {
	pem, err := os.ReadFile(filepath.Join(data, "ca", "ca.pem"))
	if err != nil {
		return nil, fmt.Errorf("ec2d's CA: %w", err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("ec2d's CA: no certificate in %s", filepath.Join(data, "ca", "ca.pem"))
	}
	return credentials.NewTLS(&tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}), nil
}

// waitAMI waits for ec2d to finish registering the tiny image.
func (e *env) waitAMI(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		imgs, err := e.client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"},
			Filters: []*v1.Filter{{Name: "name", Values: []string{"tiny"}}}})
		if err == nil && len(imgs.GetImages()) == 1 && imgs.GetImages()[0].GetState() == "available" {
			e.ami = imgs.GetImages()[0].GetImageId()
			return nil
		}
		if err := sleep(ctx, 200*time.Millisecond); err != nil {
			return fmt.Errorf("tiny AMI not available: %v %v: %w", imgs, err, ctx.Err())
		}
	}
}

// logTail prints the end of ec2d's log to stderr (after a failure).
func (e *env) logTail() {
	if e.ec2dLog == "" {
		return
	}
	b, err := os.ReadFile(e.ec2dLog)
	if err != nil {
		return
	}
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	fmt.Fprintf(os.Stderr, "--- ec2d log tail ---\n%s\n---\n", b)
}
