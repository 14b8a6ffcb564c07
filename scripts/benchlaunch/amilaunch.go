package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// amiSizes are the root disk sizes of the launch-from-ami images. Each is
// the tiny guest's root disk grown to that size with amiWritten of data
// written past the tiny filesystem, so both images hold the same data and
// differ only in virtual size.
var amiSizes = []int{1, 20}

const amiWritten = "256M"

// benchLaunchFromAMI registers a 1 and a 20 GiB image from generated
// bundles, then per run and size times RunInstances → running and sums the
// new volume head files on disk right after, terminating at once; the
// baseline, interleaved, is a full qemu-img convert of the image's disk.
// Last, count instances of the 20 GiB image in one call: their total extra
// bytes on disk right after all are running.
func benchLaunchFromAMI(ctx context.Context, e *env, runs, count int) error {
	amis, layers := map[int]string{}, map[int]string{}
	for _, size := range amiSizes {
		ami, layer, err := e.registerSized(ctx, size)
		if err != nil {
			return err
		}
		amis[size], layers[size] = ami, layer
	}
	for i := range runs {
		for _, size := range amiSizes {
			name := fmt.Sprintf("%dGiB", size)
			took, extra, dt, err := e.launchCounted(ctx, amis[size], 1)
			if err != nil {
				return fmt.Errorf("run %d %s: %w", i+1, name, err)
			}
			if i == 0 && size == amiSizes[0] {
				fmt.Printf("domain-type: %s\n", dt)
			}
			emitBytes("BenchmarkLaunchFromAMI/"+name, took, extra)
			took, copied, err := e.fullCopy(ctx, layers[size])
			if err != nil {
				return err
			}
			emitBytes("BenchmarkQemuImgConvertImage/"+name, took, copied)
		}
	}
	big := amiSizes[len(amiSizes)-1]
	took, extra, _, err := e.launchCounted(ctx, amis[big], count)
	if err != nil {
		return fmt.Errorf("%d instances: %w", count, err)
	}
	fmt.Printf("BenchmarkLaunchFromAMIx%d/%dGiB 1 %d ns/op %d disk-bytes %d disk-bytes/instance\n",
		count, big, took.Nanoseconds(), extra, extra/int64(count))
	slog.Info("measured", "bench", "LaunchFromAMIx", "count", count, "seconds", took.Seconds(), "disk_bytes", extra)
	return nil
}

// registerSized writes a bundle whose root disk is size GiB and registers
// it; it returns the AMI and its root snapshot's layer file in the pool.
func (e *env) registerSized(ctx context.Context, size int) (string, string, error) {
	dir := filepath.Join(e.tmp, "bundles", fmt.Sprintf("%dg", size))
	if err := writeSizedBundle(ctx, dir, size); err != nil {
		return "", "", err
	}
	res, err := e.client.RegisterImage(ctx, &v1.RegisterImageRequest{Name: fmt.Sprintf("bench-%dg", size), BundlePath: dir})
	if err != nil {
		return "", "", fmt.Errorf("RegisterImage %s: %w", dir, err)
	}
	out, err := e.client.DescribeImages(ctx, &v1.DescribeImagesRequest{ImageIds: []string{res.GetImageId()}})
	if err != nil || len(out.GetImages()) != 1 || len(out.GetImages()[0].GetBlockDeviceMappings()) == 0 {
		return "", "", fmt.Errorf("DescribeImages %s: %v %v", res.GetImageId(), out, err)
	}
	snap := out.GetImages()[0].GetBlockDeviceMappings()[0].GetEbs().GetSnapshotId()
	layers, _ := filepath.Glob(filepath.Join(e.tmp, "data", "pools", "*", snap+".qcow2"))
	if len(layers) != 1 {
		return "", "", fmt.Errorf("image %s: want one layer file for %s, found %v", res.GetImageId(), snap, layers)
	}
	slog.Info("image registered", "ami", res.GetImageId(), "size_gib", size, "layer", layers[0])
	return res.GetImageId(), layers[0], nil
}

// writeSizedBundle copies the tiny bundle into dir with its root disk
// grown to size GiB and amiWritten of 0xcd written at 512 MiB.
func writeSizedBundle(ctx context.Context, dir string, size int) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", dir, err)
	}
	b, err := os.ReadFile("images/tiny/manifest.json")
	if err != nil {
		return fmt.Errorf("tiny manifest: %w", err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return fmt.Errorf("tiny manifest: %w", err)
	}
	root := filepath.Join(dir, "root.qcow2")
	cmds := [][]string{
		{"cp", "images/tiny/vmlinuz", "images/tiny/initrd", "images/tiny/root.qcow2", dir + "/"},
		{"qemu-img", "resize", "-q", "-f", "qcow2", root, fmt.Sprintf("%dG", size)},
		{"qemu-io", "-f", "qcow2", "-c", "write -P 0xcd 512M " + amiWritten, root},
	}
	for _, c := range cmds {
		if out, err := exec.CommandContext(ctx, c[0], c[1:]...).CombinedOutput(); err != nil {
			return fmt.Errorf("%v: %w\n%s", c, err, out)
		}
	}
	dev := m["block_device_mappings"].([]any)[0].(map[string]any)
	dev["size_bytes"], dev["sha256"] = int64(size)<<30, ""
	m["name"] = fmt.Sprintf("bench-%dg", size)
	if b, err = json.Marshal(m); err != nil {
		return fmt.Errorf("bundle manifest: %w", err)
	}
	return os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644)
}

// launchCounted runs n instances of ami, times them to running, sums the
// disk usage of the volume files that appeared in the pools meanwhile and
// terminates them.
func (e *env) launchCounted(ctx context.Context, ami string, n int) (time.Duration, int64, string, error) {
	before := e.volumeFiles()
	start := time.Now()
	res, err := e.client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: ami, InstanceType: instanceType,
		MinCount: int32(n), MaxCount: int32(n)})
	if err != nil {
		return 0, 0, "", fmt.Errorf("RunInstances: %w", err)
	}
	var ids []string
	for _, in := range res.GetInstances() {
		ids = append(ids, in.GetInstanceId())
	}
	e.track(ids)
	var domType string
	running := map[string]bool{}
	wctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	for len(running) < n {
		if err := e.pollRunning(wctx, ids, running, &domType); err != nil {
			return 0, 0, "", err
		}
		if len(running) == n {
			break
		}
		if err := sleep(wctx, 50*time.Millisecond); err != nil {
			return 0, 0, "", fmt.Errorf("waiting for %d running (%d): %w", n, len(running), err)
		}
	}
	took := time.Since(start)
	var extra int64
	for _, f := range e.volumeFiles() {
		if !slices.Contains(before, f) {
			extra += diskBytes(f)
		}
	}
	return took, extra, domType, e.terminate(ctx, ids)
}

// volumeFiles lists the volume qcow2 files in ec2d's pools.
func (e *env) volumeFiles() []string {
	m, _ := filepath.Glob(filepath.Join(e.tmp, "data", "pools", "*", "vol-*.qcow2"))
	return m
}
