package e2e

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"fmt"
	"math/rand"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/netplane/nptest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// imdsScript is user data that asks the metadata service, from inside the
// guest, who it is: IMDSv1 with busybox wget, IMDSv2 with a PUT written
// by hand through nc (busybox wget cannot PUT), and a forged token. It does
// not wait for the network: as under cloud-init, user scripts run once the
// DHCP lease is applied, so its first line reads the guest's own address.
const imdsScript = `#!/bin/sh
echo "GUEST-IP=$(ip -4 -o addr show dev eth0 | awk '{print $4}' | cut -d/ -f1)"
M=http://169.254.169.254/latest
echo "IMDS-ID=$(wget -q -O - $M/meta-data/instance-id)"
echo "IMDS-AZ=$(wget -q -O - $M/meta-data/placement/availability-zone)"
echo "IMDS-IP=$(wget -q -O - $M/meta-data/local-ipv4)"
echo "IMDS-UD=$(wget -q -O - $M/user-data | md5sum | cut -d' ' -f1)"
echo "IMDS-KEYS=$(wget -q -O - $M/meta-data/public-keys/)"
echo "IMDS-KEY=$(wget -q -O - $M/meta-data/public-keys/0/openssh-key)"
TOKEN=$( (printf 'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'; sleep 2) | nc 169.254.169.254 80 | tail -n 1)
echo "IMDS-V2-ID=$(wget -q -O - --header "X-aws-ec2-metadata-token: $TOKEN" $M/meta-data/instance-id)"
echo "IMDS-V2-FORGED=$(wget -q -O - --header 'X-aws-ec2-metadata-token: forged' $M/meta-data/instance-id || echo refused)"
`

// TestInstanceMetadata launches two guests with a key pair through ec2d;
// each asks 169.254.169.254 (v1 and v2) and is told its own ID, zone,
// address, user data and the key pair's public key, never the other's. ModifyInstanceMetadataOptions then changes
// one running guest's options live (checkMetadataOptionsLive). Terminating both leaves no metadata
// listener or address behind.
func TestInstanceMetadata(t *testing.T) {
	requireHost(t)
	nptest.RequireNetAdmin(t)
	prefix := fmt.Sprintf("e2m%04x-", rand.Intn(1<<16))
	dataDir := hvtest.ScratchDir(t)
	r := startRegion(t, dataDir, "--domain-prefix", prefix)
	plane := observer(t, prefix, dataDir)
	ctx := context.Background()

	subnet := defaultSubnet(t, r)
	bridge := plane.BridgeName(subnet.GetSubnetId())
	ami := waitTinyAMI(t, r)
	const pubKey = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIAOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4 e2e@lab"
	if _, err := r.Client.ImportKeyPair(ctx, &v1.ImportKeyPairRequest{KeyName: "e2e-key", PublicKeyMaterial: []byte(pubKey)}); err != nil {
		t.Fatalf("ImportKeyPair: %v", err)
	}
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.nano", MinCount: 2, MaxCount: 2,
		UserData: []byte(imdsScript), KeyName: "e2e-key"})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	ids := instanceIDsOf(res.GetInstances())
	t.Cleanup(func() { _, _ = r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}) })
	sum := md5.Sum([]byte(imdsScript))
	for _, in := range r.waitState(t, "running", ids...) {
		out := r.waitConsole(t, in.GetInstanceId(), "ec2lab: user-data exit")
		t.Logf("%s (%s):\n%s", in.GetInstanceId(), in.GetPrivateIpAddress(), grepLines(out, "IMDS-"))
		for _, want := range []string{
			"GUEST-IP=" + in.GetPrivateIpAddress(),
			"IMDS-ID=" + in.GetInstanceId(),
			"IMDS-AZ=" + in.GetPlacement().GetAvailabilityZone(),
			"IMDS-IP=" + in.GetPrivateIpAddress(),
			"IMDS-UD=" + hex.EncodeToString(sum[:]),
			"IMDS-KEYS=0=e2e-key",
			"IMDS-KEY=" + strings.TrimSuffix(pubKey, "e2e@lab") + "e2e-key", // EC2: the key pair's name as comment
			"IMDS-V2-ID=" + in.GetInstanceId(),
			"IMDS-V2-FORGED=refused",
		} {
			if !strings.Contains(out, want+"\r") && !strings.Contains(out, want+"\n") {
				t.Errorf("guest %s: console lacks %q:\n%s", in.GetInstanceId(), want, tail(out, 2000))
			}
		}
		other := ids[0]
		if other == in.GetInstanceId() {
			other = ids[1]
		}
		if strings.Contains(out, other) {
			t.Errorf("guest %s was told about %s:\n%s", in.GetInstanceId(), other, tail(out, 2000))
		}
	}
	checkMetadataOptionsLive(t, r, ids[0], ids[1])
	if !hasMetadataListener(t, bridge) || !strings.Contains(ipAddrs(t, bridge), "169.254.169.254/32") {
		t.Errorf("while running: listener on %s %v, addresses %q", bridge, hasMetadataListener(t, bridge), ipAddrs(t, bridge))
	}

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		t.Fatalf("TerminateInstances: %v", err)
	}
	r.waitState(t, "terminated", ids...)
	waitPlaneEmpty(t, plane)
	deadline := time.Now().Add(10 * time.Second)
	for hasMetadataListener(t, bridge) && time.Now().Before(deadline) {
		time.Sleep(200 * time.Millisecond)
	}
	if hasMetadataListener(t, bridge) {
		t.Errorf("a metadata listener on %s outlived its subnet", bridge)
	}
}

// hasMetadataListener reports a TCP listener on 169.254.169.254:80 bound
// to bridge (ss prints it as 169.254.169.254%bridge:80).
func hasMetadataListener(t *testing.T, bridge string) bool {
	t.Helper()
	out, err := exec.Command("ss", "-Hltn", "src", "169.254.169.254").CombinedOutput()
	if err != nil {
		t.Fatalf("ss: %v: %s", err, out)
	}
	return strings.Contains(string(out), "169.254.169.254%"+bridge+":80")
}

// ipAddrs is `ip -4 -o addr show dev dev` ("" when dev does not exist).
func ipAddrs(t *testing.T, dev string) string {
	t.Helper()
	out, _ := exec.Command("ip", "-4", "-o", "addr", "show", "dev", dev).CombinedOutput()
	return string(out)
}

// grepLines are the lines of s containing needle.
func grepLines(s, needle string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, needle) {
			out = append(out, strings.TrimRight(l, "\r"))
		}
	}
	return strings.Join(out, "\n")
}

// Guest commands for checkMetadataOptionsLive: a tokenless GET, and a GET
// with a token from PUT /latest/api/token (written by hand through nc:
// busybox wget cannot PUT). Each prints its result or a refusal marker
// (busybox wget prints the HTTP status line on stderr).
const (
	imdsV1Cmd = `wget -q -O - http://169.254.169.254/latest/meta-data/instance-id 2>&1 || echo " V1-REFUSED"`
	imdsV2Cmd = `T=$( (printf 'PUT /latest/api/token HTTP/1.1\r\nHost: 169.254.169.254\r\nX-aws-ec2-metadata-token-ttl-seconds: 60\r\nContent-Length: 0\r\nConnection: close\r\n\r\n'; sleep 2) | nc 169.254.169.254 80 | tail -n 1); ` +
		`wget -q -O - --header "X-aws-ec2-metadata-token: $T" http://169.254.169.254/latest/meta-data/instance-id 2>&1 || echo " V2-REFUSED"`
)

// checkMetadataOptionsLive switches running guest id to HttpTokens=required
// (a tokenless GET gets 401, a GET with a token works; neighbour, still
// optional, is unaffected), then to HttpEndpoint=disabled (404), then back
// to optional/enabled (tokenless works again); DescribeInstances reports
// each state. The options reach the agent before Modify answers.
func checkMetadataOptionsLive(t *testing.T, r *region, id, neighbour string) {
	t.Helper()
	ctx := context.Background()
	steps := []struct {
		tokens, endpoint string
		cmd              string
		want             []string // in the guest's output
	}{
		{"required", "enabled", imdsV1Cmd + "; " + imdsV2Cmd, []string{"401", "V1-REFUSED", id}},
		{"required", "disabled", imdsV1Cmd, []string{"404", "V1-REFUSED"}},
		{"optional", "enabled", imdsV1Cmd, []string{id}},
	}
	for i, s := range steps {
		start := time.Now()
		resp, err := r.Client.ModifyInstanceMetadataOptions(ctx, &v1.ModifyInstanceMetadataOptionsRequest{InstanceId: id,
			HttpTokens: s.tokens, HttpEndpoint: s.endpoint})
		if o := resp.GetInstanceMetadataOptions(); err != nil || o.GetHttpTokens() != s.tokens || o.GetHttpEndpoint() != s.endpoint ||
			o.GetState() != "applied" {
			t.Fatalf("ModifyInstanceMetadataOptions %s/%s: %v %v", s.tokens, s.endpoint, resp, err)
		}
		out := r.guestRun(t, id, s.cmd)
		t.Logf("HttpTokens=%s HttpEndpoint=%s: guest answered %v after Modify:\n%s", s.tokens, s.endpoint,
			time.Since(start).Round(time.Millisecond), strings.TrimSpace(out))
		for _, w := range s.want {
			if !strings.Contains(out, w) {
				t.Errorf("HttpTokens=%s HttpEndpoint=%s: guest output lacks %q:\n%s", s.tokens, s.endpoint, w, out)
			}
		}
		if strings.Contains(out, "V2-REFUSED") || (s.endpoint == "enabled" && i > 0 && strings.Contains(out, "REFUSED")) {
			t.Errorf("HttpTokens=%s HttpEndpoint=%s: a request that should work was refused:\n%s", s.tokens, s.endpoint, out)
		}
		if i == 0 {
			if n := r.guestRun(t, neighbour, imdsV1Cmd); !strings.Contains(n, neighbour) {
				t.Errorf("neighbour %s (tokens optional) refused while %s requires tokens:\n%s", neighbour, id, n)
			}
		}
		d, err := r.Client.DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: []string{id}})
		if err != nil {
			t.Fatal(err)
		}
		if o := d.GetReservations()[0].GetInstances()[0].GetMetadataOptions(); o.GetHttpTokens() != s.tokens ||
			o.GetHttpEndpoint() != s.endpoint || o.GetHttpPutResponseHopLimit() != 1 {
			t.Errorf("DescribeInstances MetadataOptions %v, want %s/%s hop 1", o, s.tokens, s.endpoint)
		}
	}
}
