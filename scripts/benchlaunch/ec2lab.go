package main

import (
	"context"
	"fmt"
	"log/slog"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// launch runs n tiny instances in one RunInstances call, times them to
// running and to their boot markers, optionally makes a baseline template
// of the first one's domain XML (while it runs: the template needs its
// disk), then terminates them and waits until they are terminated.
func (e *env) launch(ctx context.Context, n int, wantTemplate bool) (timing, error) {
	start := time.Now()
	res, err := e.client.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: e.ami, InstanceType: instanceType,
		MinCount: int32(n), MaxCount: int32(n)})
	if err != nil {
		return timing{}, fmt.Errorf("RunInstances: %w", err)
	}
	var ids []string
	for _, in := range res.GetInstances() {
		ids = append(ids, in.GetInstanceId())
	}
	e.track(ids)
	slog.Info("ec2lab: launched", "ids", ids)
	t, err := e.waitLaunched(ctx, ids, start)
	if err != nil {
		return t, err
	}
	if wantTemplate {
		out, err := exec.CommandContext(ctx, "virsh", "-c", libvirtURI, "dumpxml", e.prefix+ids[0]).Output()
		if err != nil {
			return t, fmt.Errorf("virsh dumpxml %s%s: %w", e.prefix, ids[0], err)
		}
		if t.tpl, err = loadTemplate(ctx, string(out), ids[0], filepath.Join(e.tmp, "baseline")); err != nil {
			return t, err
		}
	}
	return t, e.terminate(ctx, ids)
}

// waitLaunched polls DescribeInstances until every instance is running and
// each running instance's console until it shows its boot marker.
func (e *env) waitLaunched(ctx context.Context, ids []string, start time.Time) (timing, error) {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	var t timing
	running, marked := map[string]bool{}, map[string]bool{}
	for {
		if len(running) < len(ids) {
			if err := e.pollRunning(ctx, ids, running, &t.domainType); err != nil {
				return t, err
			}
			if len(running) == len(ids) {
				t.running = time.Since(start)
			}
		}
		for id := range running {
			if marked[id] {
				continue
			}
			out, err := e.client.GetConsoleOutput(ctx, &v1.GetConsoleOutputRequest{InstanceId: id})
			if err != nil {
				return t, fmt.Errorf("GetConsoleOutput %s: %w", id, err)
			}
			if strings.Contains(string(out.GetOutput()), "EC2LAB-BOOT-OK instance-id="+id) {
				marked[id] = true
			}
		}
		if len(marked) == len(ids) {
			t.marker = time.Since(start)
			return t, nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return t, fmt.Errorf("waiting for %d running (%d) and marked (%d): %w", len(ids), len(running), len(marked), err)
		}
	}
}

// pollRunning adds the instances DescribeInstances shows running to
// running; an instance that ended up anywhere but pending or running is an
// error.
func (e *env) pollRunning(ctx context.Context, ids []string, running map[string]bool, domType *string) error {
	out, err := e.client.DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: ids})
	if err != nil {
		return fmt.Errorf("DescribeInstances: %w", err)
	}
	for _, r := range out.GetReservations() {
		for _, in := range r.GetInstances() {
			switch in.GetState().GetName() {
			case "running":
				running[in.GetInstanceId()] = true
				*domType = in.GetDomainType()
			case "pending":
			default:
				return fmt.Errorf("instance %s is %s: %s", in.GetInstanceId(), in.GetState().GetName(),
					in.GetStateReason().GetMessage())
			}
		}
	}
	return nil
}

// terminate terminates ids and waits until DescribeInstances shows them
// terminated and no domain of ours is left for them.
func (e *env) terminate(ctx context.Context, ids []string) error {
	if _, err := e.client.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: ids}); err != nil {
		return fmt.Errorf("TerminateInstances: %w", err)
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	for {
		out, err := e.client.DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: ids})
		if err == nil {
			done := true
			for _, r := range out.GetReservations() {
				for _, in := range r.GetInstances() {
					done = done && in.GetState().GetName() == "terminated"
				}
			}
			if done {
				e.untrack(ids)
				return nil
			}
		}
		if err := sleep(ctx, 500*time.Millisecond); err != nil {
			return fmt.Errorf("waiting for %v to terminate: %w", ids, err)
		}
	}
}

func (e *env) track(ids []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range ids {
		e.instances[id] = true
	}
}

func (e *env) untrack(ids []string) {
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, id := range ids {
		delete(e.instances, id)
	}
}

func (e *env) launched() []string {
	e.mu.Lock()
	defer e.mu.Unlock()
	var ids []string
	for id := range e.instances {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}
