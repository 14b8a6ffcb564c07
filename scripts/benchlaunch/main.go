// Command benchlaunch measures the launch figures of scripts/bench.sh on
// this host, for real: it builds the binaries, runs `ec2d --all-in-one` on
// free loopback ports with a unique domain prefix, launches tiny guests
// through the gRPC API and times them until DescribeInstances says running
// and until the guest's boot marker is on its console. The baseline is
// plain `virsh create` of the domain XML ec2lab generated (own overlay on
// the same image layer, own seed ISO copy and console log), interleaved
// with the ec2lab runs so both share the host's noise. Results are printed
// to stdout as go test -bench result lines; progress goes to stderr.
//
//	go run ./scripts/benchlaunch -figure launch -runs 3
//	go run ./scripts/benchlaunch -figure launch-concurrent -runs 1
//	go run ./scripts/benchlaunch -figure volume-from-snapshot -runs 3
//	go run ./scripts/benchlaunch -figure launch-from-ami -runs 3 -count 10
//	go run ./scripts/benchlaunch -figure copy-snapshot -runs 3
//
// volume-from-snapshot boots no guest: it times CreateVolume(SnapshotId)
// against a full qemu-img convert of the same snapshot chain (volsnap.go).
// launch-from-ami times 1 and 20 GiB images to running with the extra
// bytes on disk, then -count instances of one AMI (amilaunch.go).
// copy-snapshot runs two peer regions and measures an incremental
// CopySnapshot's bytes moved against its last layer (copysnap.go).
//
// Everything it creates (instances, baseline domains, ec2d, its temporary
// directory) is removed on exit, including on SIGINT/SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"
)

const (
	libvirtURI   = "qemu:///system"
	instanceType = "t3.nano"
	pollEvery    = 100 * time.Millisecond
)

func main() {
	figure := flag.String("figure", "launch", "figure to measure: launch, launch-concurrent, volume-from-snapshot, launch-from-ami or copy-snapshot")
	runs := flag.Int("runs", 0, "runs per figure (default 3 for launch, 1 for launch-concurrent)")
	count := flag.Int("count", 10, "launch-concurrent: instances per run; launch-from-ami: instances from one AMI")
	flag.Parse()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, nil)))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, *figure, *runs, *count)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "benchlaunch:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, figure string, runs, count int) (err error) {
	var n int
	switch figure {
	case "launch":
		n, runs = 1, defaultInt(runs, 3)
	case "launch-concurrent":
		n, runs = count, defaultInt(runs, 1)
	case "volume-from-snapshot":
		n, runs = 1, defaultInt(runs, 3)
	case "launch-from-ami":
		n, runs = count, defaultInt(runs, 3)
	case "copy-snapshot":
		n, runs = 1, defaultInt(runs, 3)
	default:
		return fmt.Errorf("unknown figure %q (want launch, launch-concurrent, volume-from-snapshot, launch-from-ami or copy-snapshot)", figure)
	}
	if n < 1 || runs < 1 {
		return errors.New("-runs and -count must be positive")
	}
	e := newEnv()
	defer func() {
		if err != nil {
			e.logTail()
		}
		e.cleanup()
	}()
	if figure == "copy-snapshot" {
		return benchCopySnapshot(ctx, e, runs)
	}
	if err := e.setup(ctx, n); err != nil {
		return err
	}
	if figure == "launch-from-ami" {
		return benchLaunchFromAMI(ctx, e, runs, n)
	}
	if figure == "volume-from-snapshot" {
		return benchVolumeFromSnapshot(ctx, e, runs)
	}
	if n == 1 {
		return benchLaunch(ctx, e, runs)
	}
	return benchConcurrent(ctx, e, runs, n)
}

func defaultInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// benchLaunch alternates one ec2lab launch and one virsh create per run.
func benchLaunch(ctx context.Context, e *env, runs int) error {
	var tpl *template
	for i := range runs {
		r, err := e.launch(ctx, 1, tpl == nil)
		if err != nil {
			return fmt.Errorf("ec2lab run %d: %w", i+1, err)
		}
		if tpl == nil {
			tpl = r.tpl
			fmt.Printf("domain-type: %s\n", r.domainType)
		}
		emit("BenchmarkLaunchRunning", r.running)
		emit("BenchmarkLaunchMarker", r.marker)
		b, err := e.virshCreate(ctx, tpl, 1)
		if err != nil {
			return fmt.Errorf("virsh create run %d: %w", i+1, err)
		}
		emit("BenchmarkVirshCreateRunning", b.running)
		emit("BenchmarkVirshCreateMarker", b.marker)
	}
	return nil
}

// benchConcurrent alternates one RunInstances of n and n parallel virsh
// creates per run.
func benchConcurrent(ctx context.Context, e *env, runs, n int) error {
	var tpl *template
	for i := range runs {
		r, err := e.launch(ctx, n, tpl == nil)
		if err != nil {
			return fmt.Errorf("ec2lab run %d: %w", i+1, err)
		}
		if tpl == nil {
			tpl = r.tpl
			fmt.Printf("domain-type: %s\n", r.domainType)
		}
		emit(fmt.Sprintf("BenchmarkLaunchConcurrent%dAllRunning", n), r.running)
		emit(fmt.Sprintf("BenchmarkLaunchConcurrent%dAllMarkers", n), r.marker)
		b, err := e.virshCreate(ctx, tpl, n)
		if err != nil {
			return fmt.Errorf("virsh create run %d: %w", i+1, err)
		}
		emit(fmt.Sprintf("BenchmarkVirshCreate%dAllRunning", n), b.running)
		emit(fmt.Sprintf("BenchmarkVirshCreate%dAllMarkers", n), b.marker)
	}
	return nil
}

// emit prints one go test -bench result line.
func emit(name string, d time.Duration) {
	fmt.Printf("%s 1 %d ns/op\n", name, d.Nanoseconds())
	slog.Info("measured", "bench", name, "seconds", d.Seconds())
}

// timing is how long a launch took to reach running and the boot marker
// (for several guests: the last of them).
type timing struct {
	running, marker time.Duration
	domainType      string
	tpl             *template // baseline template of the first guest, when asked for
}
