package e2e

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// debianUserData is what a user sends: write_files and runcmd, no keys
// (the key pair's public key must come from the metadata service).
const debianUserData = `#cloud-config
write_files:
  - path: /etc/ec2lab-e2e.txt
    content: |
      written by cloud-init write_files
runcmd:
  - [sh, -c, "echo runcmd ran on $(hostname) > /var/tmp/ec2lab-runcmd"]
`

// debianRootGiB is the root volume the test asks for: twice the image's
// 2 GiB, so that a root filesystem spanning it proves growpart/resizefs.
const debianRootGiB = 4

// TestDebianGuest launches the Debian 12 image (make image-debian) as a
// t3.small with a key pair, #cloud-config user data and a root volume
// larger than the image, and checks from the host over the instance's
// bridge only: ssh as admin with the key pair's private key works (real
// cloud-init installed the public key it read from the metadata
// service), cloud-init finished without errors on the Ec2 datasource with
// the API's instance ID, the user data's write_files and runcmd took
// effect, and the root filesystem spans the whole volume; terminated, it
// leaves nothing in the data plane. It logs the time from RunInstances to
// the first successful ssh.
func TestDebianGuest(t *testing.T) {
	requireHost(t)
	disk := requireDebianImage(t)
	ssh := requireTool(t, "ssh")
	prefix := fmt.Sprintf("e2deb%04x-", rand.Intn(1<<16))
	dataDir := hvtest.ScratchDir(t)
	t.Cleanup(func() { removeDomains(t, prefix) }) // after a failure
	r := startRegion(t, dataDir, "--domain-prefix", prefix)
	plane := observer(t, prefix, dataDir)
	ctx := context.Background()

	ami := strings.TrimSpace(r.awsCLI(t, "register-image", "--name", "debian-12", "--image-location", disk,
		"--boot-mode", "legacy-bios", "--query", "ImageId", "--output", "text"))
	key, err := r.Client.CreateKeyPair(ctx, &v1.CreateKeyPairRequest{KeyName: "debian-e2e", KeyType: "ed25519"})
	if err != nil {
		t.Fatalf("CreateKeyPair: %v", err)
	}
	keyFile := filepath.Join(t.TempDir(), "id_ed25519")
	if err := os.WriteFile(keyFile, []byte(key.GetKeyMaterial()), 0o600); err != nil {
		t.Fatal(err)
	}

	pubOut, err := exec.Command("ssh-keygen", "-y", "-f", keyFile).Output()
	if f := strings.Fields(string(pubOut)); err != nil || len(f) < 2 {
		t.Fatalf("ssh-keygen -y of the key pair: %v %q", err, pubOut)
	}
	pub := strings.Fields(string(pubOut))[1] // the base64 key

	start := time.Now()
	res, err := r.Client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: "t3.small",
		MinCount: 1, MaxCount: 1, KeyName: "debian-e2e", UserData: []byte(debianUserData),
		BlockDeviceMappings: []*v1.BlockDeviceMapping{{DeviceName: "/dev/xvda",
			Ebs: &v1.EbsBlockDevice{VolumeSize: debianRootGiB}}}})
	if err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	id := res.GetInstances()[0].GetInstanceId()
	t.Cleanup(func() { _, _ = r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}) })
	in := r.waitState(t, "running", id)[0]
	g := &sshGuest{ssh: ssh, key: keyFile, addr: in.GetPrivateIpAddress(), bridge: plane.BridgeName(in.GetSubnetId())}
	if err := g.waitUp(6 * time.Minute); err != nil {
		t.Fatalf("ssh admin@%s over %s: %v\nconsole:\n%s", g.addr, g.bridge, err, consoleTail(r, id))
	}
	t.Logf("ssh as admin after %v (RunInstances to first ssh, TCG)", time.Since(start).Round(time.Second))

	checks := []struct {
		name, cmd string
		ok        func(out string) bool
		want      string
	}{
		{"cloud-init done without errors", "cloud-init status --wait --long",
			func(o string) bool {
				return strings.Contains(o, "status: done") && strings.Contains(o, "DataSourceEc2")
			},
			"status: done (exit 0), DataSourceEc2"},
		{"valid cloud-config (image and user data)", "sudo cloud-init schema --system",
			func(o string) bool { return strings.Contains(o, "Valid cloud-config") }, "Valid cloud-config (exit 0)"},
		{"instance ID from the metadata service", "sudo cloud-init query v1.instance_id",
			func(o string) bool { return strings.TrimSpace(o) == id }, id},
		{"Ec2 datasource", "cloud-init query v1.platform; cloud-id",
			func(o string) bool {
				f := strings.Fields(o)
				return len(f) == 2 && f[0] == "ec2" && (f[1] == "aws" || f[1] == "ec2")
			},
			"platform ec2, cloud-id aws or ec2"},
		{"write_files", "cat /etc/ec2lab-e2e.txt",
			func(o string) bool { return o == "written by cloud-init write_files\n" }, "written by cloud-init write_files"},
		{"runcmd", "cat /var/tmp/ec2lab-runcmd",
			func(o string) bool { return strings.HasPrefix(o, "runcmd ran on ip-") }, "runcmd ran on ip-…"},
		{"key from the metadata service", "cat ~/.ssh/authorized_keys",
			func(o string) bool { return strings.Contains(o, pub) }, "the key pair's public key " + pub},
	}
	for _, c := range checks {
		out, err := g.run(c.cmd)
		if err != nil || !c.ok(out) {
			t.Errorf("%s: `%s`: %v\n%s\nwant %s", c.name, c.cmd, err, out, c.want)
		}
	}
	checkRootSpansVolume(t, g)

	if _, err := r.Client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{id}}); err != nil {
		t.Fatal(err)
	}
	r.waitState(t, "terminated", id)
	waitPlaneEmpty(t, plane)
}

// checkRootSpansVolume: the root partition ends at the end of the disk
// (within 1 MiB) and its filesystem fills it, on a volume twice the
// image's size.
func checkRootSpansVolume(t *testing.T, g *sshGuest) {
	t.Helper()
	out, err := g.run("cat /sys/class/block/vda/size /sys/class/block/vda2/size /sys/class/block/vda2/start; " +
		"df -B1 --output=size / | tail -n 1")
	f := strings.Fields(out)
	if err != nil || len(f) != 4 {
		t.Fatalf("root volume sizes: %v\n%s", err, out)
	}
	var n [4]int64
	for i, s := range f {
		if n[i], err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("root volume sizes: %q in\n%s", s, out)
		}
	}
	diskSize, partSize, partStart, fsSize := n[0]*512, n[1]*512, n[2]*512, n[3]
	if diskSize != debianRootGiB<<30 {
		t.Errorf("/dev/vda is %d bytes, want %d GiB", diskSize, debianRootGiB)
	}
	// growpart leaves the last 33 sectors (a GPT's backup header) free.
	if end := partStart + partSize; end > diskSize || end < diskSize-1<<20 {
		t.Errorf("root partition ends at byte %d of %d: not grown to the volume", end, diskSize)
	}
	if fsSize < partSize*9/10 {
		t.Errorf("root filesystem is %d bytes on a %d-byte partition: not resized", fsSize, partSize)
	}
	t.Logf("root: disk %d MiB, partition %d MiB, filesystem %d MiB", diskSize>>20, partSize>>20, fsSize>>20)
}

// sshGuest runs commands on a guest as admin with the host's ssh. The
// connection goes out of the instance's bridge only: other regions' bridges
// on this host may carry the same CIDR (the default VPC's 172.31.0.0/16),
// and ssh -B binds an address, not a device. So ssh's ProxyCommand is this
// test binary, which dials with SO_BINDTODEVICE (proxyToDevice).
type sshGuest struct{ ssh, key, addr, bridge string }

func (g *sshGuest) run(cmd string) (string, error) {
	self, err := os.Executable()
	if err != nil {
		return "", err
	}
	c := exec.Command(g.ssh, "-i", g.key, "-o", "StrictHostKeyChecking=no",
		"-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5",
		"-o", "LogLevel=ERROR", "-o", "ProxyCommand="+self+" %h %p", "admin@"+g.addr, cmd)
	c.Env = append(os.Environ(), proxyDeviceEnv+"="+g.bridge)
	var stdout, stderr strings.Builder
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return stdout.String() + stderr.String(), fmt.Errorf("ssh %q: %w", cmd, err)
	}
	return stdout.String(), nil
}

// proxyDeviceEnv, set, makes the test binary ssh's ProxyCommand (see
// TestMain): it relays stdin/stdout to HOST PORT (its arguments) over a
// TCP connection bound to the named device.
const proxyDeviceEnv = "EC2LAB_E2E_PROXY_DEVICE"

// proxyToDevice relays stdin and stdout to host:port through a socket bound
// to device; it returns the process's exit status.
func proxyToDevice(device string, args []string) int {
	if len(args) != 2 {
		fmt.Fprintln(os.Stderr, "proxy: want HOST PORT")
		return 2
	}
	d := net.Dialer{Timeout: 5 * time.Second, Control: func(_, _ string, c syscall.RawConn) error {
		var serr error
		err := c.Control(func(fd uintptr) {
			serr = syscall.SetsockoptString(int(fd), syscall.SOL_SOCKET, syscall.SO_BINDTODEVICE, device)
		})
		return errors.Join(err, serr)
	}}
	conn, err := d.Dial("tcp", net.JoinHostPort(args[0], args[1]))
	if err != nil {
		fmt.Fprintf(os.Stderr, "proxy via %s: %v\n", device, err)
		return 1
	}
	go func() {
		_, _ = io.Copy(conn, os.Stdin)
		_ = conn.(*net.TCPConn).CloseWrite()
	}()
	_, _ = io.Copy(os.Stdout, conn)
	return 0
}

// waitUp retries until ssh runs a command, for at most d.
func (g *sshGuest) waitUp(d time.Duration) error {
	deadline := time.Now().Add(d)
	for {
		out, err := g.run("true")
		if err == nil {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%w: %s", err, out)
		}
		time.Sleep(3 * time.Second)
	}
}

// requireDebianImage returns images/debian/disk.qcow2; without it the test
// fails under CI=true and skips elsewhere.
func requireDebianImage(t *testing.T) string {
	t.Helper()
	disk := filepath.Join(repoRoot(), "images/debian/disk.qcow2")
	if _, err := os.Stat(disk); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("no Debian image %s (run make image-debian; CI=true: failing, not skipping)", disk)
		}
		t.Skipf("no Debian image %s (run make image-debian; under CI=true this fails)", disk)
	}
	return disk
}

func consoleTail(r *region, id string) string {
	res, err := r.Client.GetConsoleOutput(context.Background(), &v1.GetConsoleOutputRequest{InstanceId: id})
	if err != nil {
		return err.Error()
	}
	return tail(string(res.GetOutput()), 4000)
}
