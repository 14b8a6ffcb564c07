package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
	"google.golang.org/grpc/codes"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

const (
	streamID     = "i-0b10c57ea3000001"
	streamSecret = "5e7a3c1d-0b1c-4d57-8ea3-000000000001"
	// The root volume is 16 MiB larger than the image's ext4: the guest
	// writes its test data past the file system, at 512 MiB.
	regionMiB = 512
)

// streamDisk is one volume of the guest under test: ami ← base ← mid ←
// head after two live snapshots (the encrypted one has no ami).
type streamDisk struct {
	dev, base, mid, head string
	offset               int // MiB into the device of the guest's data
	key                  []byte
}

// TestAgentStreamVolumeLive boots one tiny guest with a plain root volume
// and an encrypted data volume. Before each live snapshot the guest writes
// data of its own; then both chains are merged live (mid dropped), the root
// one is flattened too, and the guest must still read every byte while the
// dropped files are deleted under it.
func TestAgentStreamVolumeLive(t *testing.T) {
	h := newHarness(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	start := time.Now()
	t.Cleanup(func() { _ = h.hv.UndefineSecret(context.Background(), streamSecret) })
	root := &streamDisk{dev: "vda", base: "vol-s.0.qcow2", offset: regionMiB}
	data := &streamDisk{dev: "vdb", base: "vol-e.0.qcow2", key: []byte("0123456789abcdef0123456789abcdef")}
	h.bootStreamGuest(ctx, t, root, data)
	con := hvtest.OpenConsole(t, h.hv, h.agent.domainName(streamID))
	disks := []*streamDisk{root, data}
	for gen, snap := range []string{"snap-1", "snap-2", ""} {
		for _, d := range disks {
			// Each generation writes 4 MiB, the first 1 MiB over the last one's.
			con.Run(fmt.Sprintf("dd if=/dev/urandom of=/dev/%s bs=1M seek=%d count=4 2>/dev/null; sync", d.dev, d.offset+3*gen), time.Minute)
			if snap != "" {
				h.liveSnapshot(ctx, t, d, snap)
			}
		}
	}
	sums := map[string]string{}
	for _, d := range disks {
		sums[d.dev] = guestSum(t, con, d)
	}
	t.Logf("guest booted and wrote 3 generations in %v", time.Since(start).Round(time.Millisecond))

	t.Run("stream onto base drops mid", func(t *testing.T) {
		for _, d := range disks {
			h.streamOnto(ctx, t, d, d.base)
			h.mustNotHold(t, d.mid)
			if err := os.Remove(h.agent.cfg.SharedPool.Path(d.mid)); err != nil {
				t.Fatalf("delete the dropped layer: %v", err)
			}
			if got := guestSum(t, con, d); got != sums[d.dev] {
				t.Errorf("%s: guest reads %s after the merge, wrote %s", d.dev, got, sums[d.dev])
			}
		}
		h.checkDefinition(t, disks)
	})
	t.Run("flatten the root volume", func(t *testing.T) {
		h.streamOnto(ctx, t, root, "")
		if got := guestSum(t, con, root); got != sums[root.dev] {
			t.Errorf("guest reads %s after flattening, wrote %s", got, sums[root.dev])
		}
	})
	t.Run("refused: not a layer below, not an open head", func(t *testing.T) { h.streamRefusals(ctx, t, data) })
	t.Run("files are sound once stopped", func(t *testing.T) {
		con.Close()
		if _, err := h.client.StopInstance(ctx, &agentv1.StopInstanceRequest{InstanceId: streamID, Force: true}); err != nil {
			t.Fatal(err)
		}
		hvtest.Run(t, "qemu-img", "check", h.agent.cfg.SharedPool.Path(root.head))
		if got := fileSum(t, h.agent.cfg.SharedPool.Path(root.head), root.offset); got != sums[root.dev] {
			t.Errorf("the flattened head holds %s at the guest's offset, the guest wrote %s", got, sums[root.dev])
		}
		if err := h.agent.cfg.SharedPool.Check(ctx, data.head, data.key); err != nil {
			t.Error(err)
		}
	})
	if _, err := h.client.DestroyInstance(ctx, &agentv1.InstanceRef{InstanceId: streamID}); err != nil {
		t.Fatal(err)
	}
	t.Logf("whole test %v", time.Since(start).Round(time.Millisecond))
}

// bootStreamGuest creates both volumes and boots the guest with them.
func (h *harness) bootStreamGuest(ctx context.Context, t *testing.T, root, data *streamDisk) {
	c := h.client
	if _, err := c.CreateVolume(ctx, &agentv1.CreateVolumeRequest{VolumeId: root.base, BackingLayer: "ami-tiny.qcow2", SizeBytes: (regionMiB + 16) << 20}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.CreateVolume(ctx, &agentv1.CreateVolumeRequest{VolumeId: data.base, SizeBytes: 16 << 20, EncryptionKey: data.key}); err != nil {
		t.Fatal(err)
	}
	root.head, data.head = root.base, data.base
	req := h.createRequest(streamID, root.base)
	req.Disks = append(req.Disks, &agentv1.Disk{VolumeId: "vol-0e0000000000001", Path: data.base, Target: "vdb",
		SecretUuid: streamSecret, EncryptionKey: data.key})
	req.Start = true
	if _, err := c.CreateInstance(ctx, req); err != nil {
		t.Fatal(err)
	}
	hvtest.WaitFile(t, h.agent.consolePath(streamID), 0, "ec2lab: ready", 90*time.Second)
}

// liveSnapshot freezes d's head as snap: the first snapshot's layer is the
// base, the second's the mid layer.
func (h *harness) liveSnapshot(ctx context.Context, t *testing.T, d *streamDisk, snap string) {
	t.Helper()
	res, err := h.client.SnapshotVolume(ctx, &agentv1.SnapshotVolumeRequest{VolumeId: d.head, SnapshotId: snap,
		InstanceId: streamID, EncryptionKey: d.key})
	if err != nil {
		t.Fatalf("snapshot %s: %v", d.head, err)
	}
	if d.head != d.base {
		d.mid = d.head
	}
	d.head = res.Head
}

// streamOnto merges d live onto base and checks the chain as qemu-img
// shows it: head → base (→ the AMI for the root volume), relative names.
func (h *harness) streamOnto(ctx context.Context, t *testing.T, d *streamDisk, base string) {
	t.Helper()
	start := time.Now()
	info, err := h.client.StreamVolume(ctx, &agentv1.StreamVolumeRequest{InstanceId: streamID, VolumeId: d.head, NewBacking: base})
	if err != nil {
		t.Fatalf("StreamVolume %s onto %q: %v", d.head, base, err)
	}
	t.Logf("%s: live merge onto %q took %v", d.dev, base, time.Since(start).Round(time.Millisecond))
	want := []string{d.head}
	if base != "" {
		want = append(want, base)
		if d.dev == "vda" {
			want = append(want, "ami-tiny.qcow2")
		}
	}
	if !slices.Equal(info.Chain, want) {
		t.Errorf("%s: answered chain %v, want %v", d.dev, info.Chain, want)
	}
	names, backing := qemuChain(t, h.agent.cfg.SharedPool.Path(d.head))
	if !slices.Equal(names, want) || backing != base {
		t.Errorf("%s: qemu-img shows chain %v with backing name %q, want %v and %q", d.dev, names, backing, want, base)
	}
}

// qemuChain is `qemu-img info --backing-chain`: the files' base names and
// the backing name stored in the head.
func qemuChain(t *testing.T, path string) ([]string, string) {
	t.Helper()
	out := hvtest.Run(t, "qemu-img", "info", "-U", "--output=json", "--backing-chain", path)
	var chain []struct {
		Filename string `json:"filename"`
		Backing  string `json:"backing-filename"`
	}
	if err := json.Unmarshal([]byte(out), &chain); err != nil {
		t.Fatalf("parse qemu-img info: %v\n%s", err, out)
	}
	var names []string
	for _, c := range chain {
		names = append(names, filepath.Base(c.Filename))
	}
	return names, chain[0].Backing
}

// mustNotHold checks QEMU closed the dropped layer.
func (h *harness) mustNotHold(t *testing.T, layer string) {
	t.Helper()
	pid, err := os.ReadFile("/run/libvirt/qemu/" + h.agent.domainName(streamID) + ".pid")
	if err != nil {
		t.Fatalf("QEMU pid: %v", err)
	}
	fds, _ := filepath.Glob("/proc/" + strings.TrimSpace(string(pid)) + "/fd/*")
	for _, fd := range fds {
		if target, _ := os.Readlink(fd); target == h.agent.cfg.SharedPool.Path(layer) {
			t.Errorf("QEMU still has %s open", layer)
		}
	}
}

// checkDefinition checks the persistent definition and the agent's spec
// no longer name the dropped layers, so the next boot finds the chains.
func (h *harness) checkDefinition(t *testing.T, disks []*streamDisk) {
	t.Helper()
	dom, err := h.hv.Raw().DomainLookupByName(h.agent.domainName(streamID))
	if err != nil {
		t.Fatal(err)
	}
	x, err := h.hv.Raw().DomainGetXMLDesc(dom, golibvirt.DomainXMLInactive)
	if err != nil {
		t.Fatal(err)
	}
	s, err := h.agent.loadSpec(streamID)
	if err != nil {
		t.Fatal(err)
	}
	pool := h.agent.cfg.SharedPool
	for _, d := range disks {
		if strings.Contains(x, pool.Path(d.mid)) {
			t.Errorf("the persistent definition still names %s:\n%s", d.mid, x)
		}
		for _, disk := range s.Domain.Disks {
			if disk.Target == d.dev && d.key != nil && (len(disk.Backing) != 1 || disk.Backing[0].Path != pool.Path(d.base)) {
				t.Errorf("saved spec chain of %s = %+v, want only %s", d.dev, disk.Backing, d.base)
			}
		}
	}
}

func (h *harness) streamRefusals(ctx context.Context, t *testing.T, d *streamDisk) {
	tests := []struct {
		name string
		req  *agentv1.StreamVolumeRequest
		code codes.Code
		ec2  string
	}{
		{"base not below the head", &agentv1.StreamVolumeRequest{InstanceId: streamID, VolumeId: d.base, NewBacking: d.head}, codes.InvalidArgument, "InvalidParameterValue"},
		{"no such head", &agentv1.StreamVolumeRequest{InstanceId: streamID, VolumeId: "vol-missing.qcow2"}, codes.NotFound, "InvalidVolume.NotFound"},
		{"no instance", &agentv1.StreamVolumeRequest{VolumeId: d.head}, codes.InvalidArgument, "MissingParameter"},
	}
	for _, tt := range tests {
		_, err := h.client.StreamVolume(ctx, tt.req)
		if ec2err.Code(err) != tt.ec2 || errgrpc.Code(ec2err.Code(err)) != tt.code {
			t.Errorf("%s: %v, want %v %s", tt.name, err, tt.code, tt.ec2)
		}
	}
	// The dropped layer is gone; a volume the instance lacks is no head.
	_, err := h.client.StreamVolume(ctx, &agentv1.StreamVolumeRequest{InstanceId: streamID, VolumeId: d.mid})
	if errgrpc.Code(ec2err.Code(err)) != codes.NotFound {
		t.Errorf("stream of the deleted mid layer: %v, want NotFound", err)
	}
	h.copyRoot(t, "vol-other.qcow2")
	_, err = h.client.StreamVolume(ctx, &agentv1.StreamVolumeRequest{InstanceId: streamID, VolumeId: "vol-other.qcow2"})
	if ec2err.Code(err) != ec2err.IncorrectState || errgrpc.Code(ec2err.Code(err)) != codes.FailedPrecondition {
		t.Errorf("stream of a file the instance does not have open: %v, want IncorrectState", err)
	}
}

// guestSum is the SHA-256 the guest reads over its 10 MiB of d, from the
// device (the page cache dropped first).
func guestSum(t *testing.T, con *hvtest.Console, d *streamDisk) string {
	t.Helper()
	out := con.Run(fmt.Sprintf("echo 3 > /proc/sys/vm/drop_caches; dd if=/dev/%s bs=1M skip=%d count=10 2>/dev/null | sha256sum", d.dev, d.offset), time.Minute)
	sum, _, _ := strings.Cut(strings.TrimSpace(out), " ")
	if len(sum) != 64 {
		t.Fatalf("guest checksum of %s: %q", d.dev, out)
	}
	return sum
}

// fileSum is the SHA-256 of the same 10 MiB read from a stopped volume file.
func fileSum(t *testing.T, path string, offsetMiB int) string {
	t.Helper()
	raw := filepath.Join(t.TempDir(), "region.raw")
	// A raw window over the qcow2 (qemu-img dd in QEMU 7.2 counts skipped
	// blocks in count=, so it is avoided).
	src := fmt.Sprintf("driver=raw,offset=%d,size=%d,file.driver=qcow2,file.file.filename=%s", offsetMiB<<20, 10<<20, path)
	hvtest.Run(t, "qemu-img", "convert", "-O", "raw", "--image-opts", src, raw)
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
