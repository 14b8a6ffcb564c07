package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// copyLayers is how many snapshots the copy-snapshot chain has; each
// layer holds copyLayerData written by qemu-io at a distinct offset.
const (
	copyLayers    = 5
	copyLayerData = "32M"
)

// regionConfig is an ec2d --config for one zone and one embedded agent;
// peers is "" or a YAML peers: block.
const regionConfig = `region: %[1]s
availability_zones:
  - {name: %[1]sa, pool: %[2]s/pools/%[1]sa}
embedded_agents:
  - {host_id: h-%[1]s, availability_zone: %[1]sa, domain_prefix: %[3]s, local_pool: %[2]s/local, state_dir: %[2]s/agent}
libvirt_uri: ` + libvirtURI + `
domain_type: auto
%[4]s`

// startRegion starts an ec2d for region in e's temp dir (binaries in bin;
// "" builds them) and dials it; before runs on the stopped data dir first
// (nil: nothing).
func (e *env) startRegion(ctx context.Context, region, bin, peers string, before func(ec2d, data string) error) (string, error) {
	root, bin, err := e.prepareDir(ctx, bin)
	if err != nil {
		return "", err
	}
	data := filepath.Join(e.tmp, "data")
	if before != nil {
		if err := before(filepath.Join(bin, "ec2d"), data); err != nil {
			return "", err
		}
	}
	if e.grpcAddr, err = freeAddr(); err != nil {
		return "", err
	}
	if e.httpAddr, err = freeAddr(); err != nil {
		return "", err
	}
	cfg := filepath.Join(e.tmp, "region.yaml")
	if err := os.WriteFile(cfg, fmt.Appendf(nil, regionConfig, region, data, e.prefix, peers), 0o644); err != nil {
		return "", fmt.Errorf("write %s: %w", cfg, err)
	}
	args := []string{"--config", cfg, "--data-dir", data, "--grpc-addr", e.grpcAddr, "--http-addr", e.httpAddr,
		"--register-image", "tiny=" + filepath.Join(root, "images/tiny")}
	if err := e.startEC2d(ctx, filepath.Join(bin, "ec2d"), args); err != nil {
		return "", err
	}
	return bin, e.dial(ctx, data)
}

// benchCopySnapshot starts lab-1 (e) and lab-2 (peer of lab-1). Per run it
// builds a chain of copyLayers snapshots of a fresh lab-1 volume, copies
// snapshot copyLayers-1 to lab-2 (the whole chain so far), then times
// CopySnapshot of the last one: the bytes lab-2 logs as moved against the
// last layer's file size. No guest runs.
func benchCopySnapshot(ctx context.Context, e *env, runs int) (err error) {
	// lab-1 serves lab-2's pulls on its peer API (plaintext: loopback only)
	// to a peer key made for lab-2 before it starts
	peerAPI, err := freeAddr()
	if err != nil {
		return err
	}
	peerCreds := filepath.Join(e.tmp, "peer-credentials")
	peerKey := func(ec2d, data string) error {
		out, err := exec.CommandContext(ctx, ec2d, "keys", "create", "--data-dir", data, "--peer", "lab-2",
			"--profile", "lab-2", "--credentials", peerCreds).CombinedOutput()
		if err != nil {
			return fmt.Errorf("ec2d keys create --peer: %w: %s", err, out)
		}
		return os.Chmod(data, 0o711) // made 0700; QEMU must reach the pools inside
	}
	bin, err := e.startRegion(ctx, "lab-1", "", fmt.Sprintf("peer_api: {listen: \"%s\", plaintext: true}\n", peerAPI), peerKey)
	if err != nil {
		return fmt.Errorf("lab-1: %w", err)
	}
	e2 := newEnv()
	defer func() {
		if err != nil {
			e2.logTail()
		}
		e2.cleanup()
	}()
	peers := fmt.Sprintf("peers:\n  - {name: lab-1, endpoint: \"http://%s\", grpc_endpoint: \"%s\", credentials_file: %s, profile: lab-2, plaintext: true}\n",
		e.httpAddr, peerAPI, peerCreds)
	if _, err := e2.startRegion(ctx, "lab-2", bin, peers, nil); err != nil {
		return fmt.Errorf("lab-2: %w", err)
	}
	fmt.Println("domain-type: none (no guests; storage only)")
	for i := range runs {
		snaps, layers, err := e.snapshotChain(ctx)
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		var chain int64
		for _, l := range layers {
			chain += fileBytes(l)
		}
		took, moved, err := e2.copyFrom1(ctx, snaps[copyLayers-2])
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		fmt.Printf("BenchmarkCopySnapshotChain%d 1 %d ns/op %d moved-bytes %d chain-bytes\n",
			copyLayers-1, took.Nanoseconds(), moved, chain-fileBytes(layers[copyLayers-1]))
		took, moved, err = e2.copyFrom1(ctx, snaps[copyLayers-1])
		if err != nil {
			return fmt.Errorf("run %d: %w", i+1, err)
		}
		fmt.Printf("BenchmarkCopySnapshotIncremental 1 %d ns/op %d moved-bytes %d last-layer-bytes %d chain-bytes\n",
			took.Nanoseconds(), moved, fileBytes(layers[copyLayers-1]), chain)
		slog.Info("measured", "bench", "CopySnapshotIncremental", "seconds", took.Seconds(), "moved_bytes", moved)
	}
	return nil
}

// snapshotChain writes copyLayerData into a fresh 1 GiB lab-1 volume's
// head before each of copyLayers snapshots; it returns the snapshots and
// their layer files, oldest first.
func (e *env) snapshotChain(ctx context.Context) ([]string, []string, error) {
	v, err := e.newVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1, VolumeType: "gp3"})
	if err != nil {
		return nil, nil, err
	}
	head, err := e.poolFile(v.GetVolumeId(), func(string) bool { return true })
	if err != nil {
		return nil, nil, err
	}
	var snaps, layers []string
	for i := 1; i <= copyLayers; i++ {
		w := fmt.Sprintf("write -P 0x%02x %dM %s", 0x10+i, 64*i, copyLayerData)
		if out, err := exec.CommandContext(ctx, "qemu-io", "-f", "qcow2", "-c", w, head).CombinedOutput(); err != nil {
			return nil, nil, fmt.Errorf("qemu-io %s: %w\n%s", head, err, out)
		}
		sn, err := e.snapshot(ctx, v.GetVolumeId())
		if err != nil {
			return nil, nil, err
		}
		snaps, layers = append(snaps, sn.GetSnapshotId()), append(layers, head)
		head = filepath.Join(filepath.Dir(head), v.GetVolumeId()+"."+sn.GetSnapshotId()+".qcow2")
		if _, err := os.Stat(head); err != nil {
			return nil, nil, fmt.Errorf("new head after %s: %w", sn.GetSnapshotId(), err)
		}
	}
	return snaps, layers, nil
}

var copiedRE = regexp.MustCompile(`msg="snapshot copied" snapshot=(snap-[0-9a-f]+) .*copied_bytes=(\d+)`)

// copyFrom1 copies a lab-1 snapshot into this region, times it until the
// copy is completed and returns the bytes this ec2d logged as moved.
func (e *env) copyFrom1(ctx context.Context, src string) (time.Duration, int64, error) {
	start := time.Now()
	res, err := e.client.CopySnapshot(ctx, &v1.CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotId: src})
	if err != nil {
		return 0, 0, fmt.Errorf("CopySnapshot %s: %w", src, err)
	}
	id := res.GetSnapshotId()
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		out, err := e.client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{SnapshotIds: []string{id}})
		if err == nil && len(out.GetSnapshots()) == 1 {
			switch out.GetSnapshots()[0].GetState() {
			case "completed":
				took := time.Since(start)
				n, err := e.loggedCopied(ctx, id)
				return took, n, err
			case "error":
				return 0, 0, fmt.Errorf("copy %s of %s went to error", id, src)
			}
		}
		if err := sleep(ctx, 20*time.Millisecond); err != nil {
			return 0, 0, fmt.Errorf("waiting for copy %s of %s: %w", id, src, err)
		}
	}
}

// loggedCopied waits for ec2d's `snapshot copied` log line for id and
// returns its copied_bytes.
func (e *env) loggedCopied(ctx context.Context, id string) (int64, error) {
	for {
		b, err := os.ReadFile(e.ec2dLog)
		if err != nil {
			return 0, fmt.Errorf("read ec2d log: %w", err)
		}
		for _, m := range copiedRE.FindAllStringSubmatch(string(b), -1) {
			if m[1] == id {
				return strconv.ParseInt(m[2], 10, 64)
			}
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return 0, fmt.Errorf("no `snapshot copied` log line for %s: %w", id, err)
		}
	}
}

// fileBytes is a file's size (what a copy moves), -1 if unknown.
func fileBytes(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}
