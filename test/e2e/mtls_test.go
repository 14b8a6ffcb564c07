package e2e

import (
	"bytes"
	"context"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestAgentMutualTLS runs ec2d and a standalone ec2-agent with certificates
// from the region's CA (`ec2d ca init` / `ec2d ca issue`): the agent
// registers and stays healthy; an agent whose certificate another CA signed
// never gets in; plaintext off loopback is refused outright.
func TestAgentMutualTLS(t *testing.T) {
	requireHost(t)
	bin := binaries(t)
	dir := hvtest.ScratchDir(t)
	ca, rogueCA := filepath.Join(dir, "ca"), filepath.Join(dir, "rogue-ca")
	run := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(filepath.Join(bin, "ec2d"), args...).CombinedOutput(); err != nil {
			t.Fatalf("ec2d %v: %v\n%s", args, err, out)
		}
	}
	run("ca", "init", "--dir", ca)
	run("ca", "issue", "--dir", ca, "h-tls", "--host", "127.0.0.1")
	run("ca", "init", "--dir", rogueCA)
	run("ca", "issue", "--dir", rogueCA, "h-rogue", "--host", "127.0.0.1")

	config := filepath.Join(dir, "region.yaml")
	yaml := fmt.Sprintf("region: lab-1\nheartbeat_timeout: 5s\navailability_zones:\n  - {name: lab-1a, id: lab-1-az1, pool: %s/pool}\n", dir)
	if err := os.WriteFile(config, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	agentAddr := freePort(t)
	r := startEC2d(t, filepath.Join(dir, "data"), "--config", config, "--agent-addr", agentAddr, "--agent-tls-dir", ca)
	prefix := fmt.Sprintf("tls%04x-", rand.Intn(1<<16))
	agent := func(name, tlsDir string) (*exec.Cmd, *bytes.Buffer) {
		log := &bytes.Buffer{}
		cmd := exec.Command(filepath.Join(bin, "ec2-agent"), "--controller", agentAddr, "--listen", freePort(t),
			"--host-id", name, "--availability-zone", "lab-1a", "--domain-prefix", prefix, "--pool", filepath.Join(dir, "pool"),
			"--local-pool", filepath.Join(dir, name, "local"), "--state-dir", filepath.Join(dir, name, "state"), "--tls-dir", tlsDir)
		cmd.Stdout, cmd.Stderr = log, log
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { killWait(cmd) })
		return cmd, log
	}
	_, goodLog := agent("h-tls", ca)
	_, rogueLog := agent("h-rogue", rogueCA)

	deadline := time.Now().Add(60 * time.Second)
	for {
		hs, err := r.Client.DescribeHosts(context.Background(), &v1.DescribeHostsRequest{})
		if err == nil && len(hs.GetHosts()) == 1 && hs.GetHosts()[0].GetHostId() == "h-tls" && hs.GetHosts()[0].GetState() == "healthy" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("agent with a region certificate did not register: %v %v\nagent log:\n%s\nec2d log:\n%s", hs, err, goodLog, tail(r.log.String(), 2000))
		}
		time.Sleep(300 * time.Millisecond)
	}
	time.Sleep(6 * time.Second) // several heartbeats: still healthy, rogue still out
	hs, err := r.Client.DescribeHosts(context.Background(), &v1.DescribeHostsRequest{})
	if err != nil || len(hs.GetHosts()) != 1 || hs.GetHosts()[0].GetState() != "healthy" {
		t.Fatalf("after heartbeats: hosts %v err %v\nrogue log:\n%s", hs, err, rogueLog)
	}
	if !strings.Contains(rogueLog.String(), "controller unreachable") {
		t.Errorf("the rogue agent should fail its TLS handshake and retry; log:\n%s", rogueLog)
	}

	out, err := exec.Command(filepath.Join(bin, "ec2-agent"), "--controller", "192.0.2.1:7701", "--listen", "0.0.0.0:0").CombinedOutput()
	if err == nil || !strings.Contains(string(out), "not loopback") {
		t.Errorf("plaintext agent off loopback must be refused before any traffic: err %v\n%s", err, out)
	}
}
