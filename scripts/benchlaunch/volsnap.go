package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// volSnapCases are the source volumes of the volume-from-snapshot figure:
// empty 1 and 20 GiB volumes, and a 20 GiB one with 256 MiB written into
// its head by qemu-io before the snapshot (so the full copy has data to
// copy; an empty chain copies in milliseconds).
var volSnapCases = []struct {
	name    string
	size    int32
	written string // qemu-io write length, "" for none
}{{"1GiB", 1, ""}, {"20GiB", 20, ""}, {"20GiB-256MiBwritten", 20, "256M"}}

// volSnapAZ is the zone of ec2d --all-in-one.
const volSnapAZ = "lab-1a"

// benchVolumeFromSnapshot measures, per case and run: a volume is created
// (and maybe filled) and snapshotted (CreateSnapshot → completed), then
// CreateVolume(SnapshotId) is timed until the new volume is available and
// its head file's disk usage is read. The baseline, interleaved, is a full
// `qemu-img convert -O qcow2` of the same snapshot chain. No guest runs.
func benchVolumeFromSnapshot(ctx context.Context, e *env, runs int) error {
	fmt.Println("domain-type: none (no guests; storage only)")
	for _, c := range volSnapCases {
		src, err := e.newVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: volSnapAZ, Size: c.size, VolumeType: "gp3"})
		if err != nil {
			return err
		}
		if c.written != "" {
			if err := e.fill(ctx, src.GetVolumeId(), c.written); err != nil {
				return err
			}
		}
		snap, err := e.snapshot(ctx, src.GetVolumeId())
		if err != nil {
			return err
		}
		layer, err := e.poolFile(snap.GetVolumeId(), func(name string) bool { return !strings.Contains(name, snap.GetSnapshotId()) })
		if err != nil {
			return err
		}
		for i := range runs {
			start := time.Now()
			v, err := e.newVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: volSnapAZ, SnapshotId: snap.GetSnapshotId(), VolumeType: "gp3"})
			if err != nil {
				return fmt.Errorf("run %d: %w", i+1, err)
			}
			took := time.Since(start)
			head, err := e.poolFile(v.GetVolumeId(), func(string) bool { return true })
			if err != nil {
				return err
			}
			emitBytes("BenchmarkVolumeFromSnapshot/"+c.name, took, diskBytes(head))
			took, copied, err := e.fullCopy(ctx, layer)
			if err != nil {
				return err
			}
			emitBytes("BenchmarkQemuImgConvertSnapshot/"+c.name, took, copied)
		}
	}
	return nil
}

// newVolume creates a volume and polls until it is available.
func (e *env) newVolume(ctx context.Context, req *v1.CreateVolumeRequest) (*v1.Volume, error) {
	v, err := e.client.CreateVolume(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("CreateVolume: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		out, err := e.client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{VolumeIds: []string{v.GetVolumeId()}})
		if err == nil && len(out.GetVolumes()) == 1 {
			switch out.GetVolumes()[0].GetState() {
			case "available":
				return out.GetVolumes()[0], nil
			case "error":
				return nil, fmt.Errorf("volume %s went to error", v.GetVolumeId())
			}
		}
		if err := sleep(ctx, 10*time.Millisecond); err != nil {
			return nil, fmt.Errorf("waiting for %s to be available: %w", v.GetVolumeId(), err)
		}
	}
}

// fill writes length bytes of 0xab at offset 0 of a detached volume's
// head file with qemu-io, as a guest would have.
func (e *env) fill(ctx context.Context, volID, length string) error {
	head, err := e.poolFile(volID, func(string) bool { return true })
	if err != nil {
		return err
	}
	if out, err := exec.CommandContext(ctx, "qemu-io", "-f", "qcow2", "-c", "write -P 0xab 0 "+length, head).CombinedOutput(); err != nil {
		return fmt.Errorf("qemu-io write %s: %w\n%s", head, err, out)
	}
	return nil
}

// snapshot snapshots a volume and polls until the snapshot is completed.
func (e *env) snapshot(ctx context.Context, volID string) (*v1.Snapshot, error) {
	s, err := e.client.CreateSnapshot(ctx, &v1.CreateSnapshotRequest{VolumeId: volID})
	if err != nil {
		return nil, fmt.Errorf("CreateSnapshot %s: %w", volID, err)
	}
	ctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	for {
		out, err := e.client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{SnapshotIds: []string{s.GetSnapshotId()}})
		if err == nil && len(out.GetSnapshots()) == 1 && out.GetSnapshots()[0].GetState() == "completed" {
			return out.GetSnapshots()[0], nil
		}
		if err := sleep(ctx, 50*time.Millisecond); err != nil {
			return nil, fmt.Errorf("waiting for %s to complete: %w", s.GetSnapshotId(), err)
		}
	}
}

// poolFile finds the one qcow2 file of a volume (named <vol-id>.*.qcow2)
// under ec2d's data directory that keep accepts.
func (e *env) poolFile(volID string, keep func(name string) bool) (string, error) {
	matches, err := filepath.Glob(filepath.Join(e.tmp, "data", "pools", "*", volID+".*.qcow2"))
	if err != nil {
		return "", fmt.Errorf("glob %s: %w", volID, err)
	}
	var found []string
	for _, m := range matches {
		if keep(filepath.Base(m)) {
			found = append(found, m)
		}
	}
	if len(found) != 1 {
		return "", fmt.Errorf("volume %s: want one qcow2 file, found %v (of %v)", volID, found, matches)
	}
	return found[0], nil
}

// fullCopy times `qemu-img convert -O qcow2` of the chain under layer into
// a fresh file and returns the copy's disk usage.
func (e *env) fullCopy(ctx context.Context, layer string) (time.Duration, int64, error) {
	dst := filepath.Join(e.tmp, "baseline", "copy.qcow2")
	_ = os.Remove(dst)
	start := time.Now()
	if out, err := exec.CommandContext(ctx, "qemu-img", "convert", "-O", "qcow2", layer, dst).CombinedOutput(); err != nil {
		return 0, 0, fmt.Errorf("qemu-img convert %s: %w\n%s", layer, err, out)
	}
	took := time.Since(start)
	n := diskBytes(dst)
	return took, n, os.Remove(dst)
}

// diskBytes is a file's allocated size on disk (st_blocks × 512).
func diskBytes(path string) int64 {
	var st syscall.Stat_t
	if err := syscall.Stat(path, &st); err != nil {
		slog.Warn("stat", "path", path, "err", err)
		return -1
	}
	return st.Blocks * 512
}

// emitBytes prints one go test -bench result line with a bytes metric.
func emitBytes(name string, d time.Duration, bytes int64) {
	fmt.Printf("%s 1 %d ns/op %d disk-bytes\n", name, d.Nanoseconds(), bytes)
	slog.Info("measured", "bench", name, "seconds", d.Seconds(), "disk_bytes", bytes)
}
