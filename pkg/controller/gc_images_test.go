package controller

import (
	"context"
	"os"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// bootImage stores a direct-kernel image of acct1 in state, with its
// kernel and initrd in both zones' pools and a snapshot for its root.
func (r *rig) bootImage(t *testing.T, state string) Image {
	t.Helper()
	ctx := context.Background()
	img := Image{ID: ids.New(ids.Image), Owner: acct1, Name: "boot", State: state, BootMode: "direct-kernel",
		Architecture: "x86_64", RootDeviceName: "/dev/xvda", AZ: "lab-1a"}
	img.Kernel, img.Initrd = img.ID+".vmlinuz", img.ID+".initrd"
	snap := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct1, State: "completed", AZ: "lab-1a", SizeGiB: 1}
	img.Devices = []ImageDevice{{DeviceName: "/dev/xvda", SnapshotID: snap.ID, SizeGiB: 1, VolumeType: "gp3"}}
	for _, az := range []string{"lab-1a", "lab-1b"} {
		pool, _ := r.svc.Pool(az)
		for _, f := range []string{img.Kernel, img.Initrd} {
			if err := os.WriteFile(pool.Path(f), []byte(f), 0o444); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := put(ctx, r.svc.st, prefixSnapshot+snap.ID, snap); err != nil {
		t.Fatal(err)
	}
	if err := put(ctx, r.svc.st, prefixImage+img.ID, img); err != nil {
		t.Fatal(err)
	}
	return img
}

// bootFiles counts the image's kernel and initrd files left in the pools.
func (r *rig) bootFiles(img Image) int {
	n := 0
	for _, az := range []string{"lab-1a", "lab-1b"} {
		pool, _ := r.svc.Pool(az)
		for _, f := range []string{img.Kernel, img.Initrd} {
			if exists(pool, f) {
				n++
			}
		}
	}
	return n
}

// TestCollectTombstones: a deregistered image goes, with its kernel and
// initrd in every pool, once no instance that is not terminated (and no
// image job) needs it and the grace period passed; its snapshots stay.
func TestCollectTombstones(t *testing.T) {
	tests := []struct {
		name      string
		state     string   // the image's
		instances []string // states of instances launched from it
		job       bool     // a CreateImage job reads it (its instance terminated meanwhile)
		collected bool
	}{
		{name: "unused tombstone", state: "deregistered", collected: true},
		{name: "only terminated instances", state: "deregistered", instances: []string{StateTerminated, StateTerminated}, collected: true},
		{name: "running instance", state: "deregistered", instances: []string{StateTerminated, StateRunning}},
		{name: "stopped instance", state: "deregistered", instances: []string{StateStopped}},
		{name: "pending instance", state: "deregistered", instances: []string{StatePending}},
		{name: "shutting down", state: "deregistered", instances: []string{StateShuttingDown}},
		{name: "image job", state: "deregistered", instances: []string{StateTerminated}, job: true},
		{name: "available image", state: "available"},
		{name: "failed image", state: "failed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
			r.svc.cfg.GCGrace.Duration = time.Millisecond
			ctx := context.Background()
			img := r.bootImage(t, tt.state)
			for _, st := range tt.instances {
				in := Instance{ID: ids.New(ids.Instance), Owner: acct1, ImageID: img.ID, State: st, AZ: "lab-1a"}
				if err := put(ctx, r.svc.st, prefixInstance+in.ID, in); err != nil {
					t.Fatal(err)
				}
				if tt.job {
					job := imageJob{ImageID: ids.New(ids.Image), InstanceID: in.ID}
					if err := put(ctx, r.svc.st, prefixImageJob+job.ImageID, job); err != nil {
						t.Fatal(err)
					}
				}
			}
			r.svc.collectTombstones(ctx, map[string]bool{})
			if _, _, err := store.GetJSON[Image](ctx, r.svc.st, prefixImage+img.ID); err != nil || r.bootFiles(img) != 4 {
				t.Fatalf("first sight removed something (record: %v, files %d of 4): the grace period comes first", err, r.bootFiles(img))
			}
			time.Sleep(2 * time.Millisecond)
			r.svc.collectTombstones(ctx, map[string]bool{})
			_, _, err := store.GetJSON[Image](ctx, r.svc.st, prefixImage+img.ID)
			if gone := err != nil; gone != tt.collected {
				t.Errorf("record collected %v, want %v", gone, tt.collected)
			}
			if want := map[bool]int{true: 0, false: 4}[tt.collected]; r.bootFiles(img) != want {
				t.Errorf("%d boot files left, want %d", r.bootFiles(img), want)
			}
			if _, _, err := store.GetJSON[Snapshot](ctx, r.svc.st, prefixSnapshot+img.Devices[0].SnapshotID); err != nil {
				t.Errorf("the image's snapshot: %v, want it kept", err)
			}
		})
	}
}

// TestTombstoneLetsInstanceRestart: an instance launched from a
// direct-kernel image restarts after the image is deregistered (the
// tombstone keeps its kernel and initrd); once it is terminated the
// garbage collector removes the tombstone and its files.
func TestTombstoneLetsInstanceRestart(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	r.svc.cfg.GCGrace.Duration = time.Millisecond
	ctx := context.Background()
	img := r.bootImage(t, "available")
	img.Devices[0].SnapshotID = "" // an empty root: the fake agent has no layers
	if err := put(ctx, r.svc.st, prefixImage+img.ID, img); err != nil {
		t.Fatal(err)
	}
	res, err := r.svc.RunInstances(ctxFor(acct1), RunRequest{ImageID: img.ID, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1b"})
	if err != nil {
		t.Fatal(err)
	}
	id := res.Instances[0].ID
	r.drive(id)
	if err := r.svc.DeregisterImage(ctxFor(acct1), img.ID, false); err != nil {
		t.Fatal(err)
	}
	collect := func() {
		for range 2 {
			r.svc.collectTombstones(ctx, map[string]bool{})
			time.Sleep(2 * time.Millisecond)
		}
	}
	collect()
	if _, err := r.svc.StopInstances(ctxFor(acct1), []string{id}, false, false); err != nil {
		t.Fatal(err)
	}
	r.drive(id)
	collect()
	if _, err := r.svc.StartInstances(ctxFor(acct1), []string{id}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(id)
	if in := r.get(t, id); in.State != StateRunning || r.bootFiles(img) != 4 {
		t.Fatalf("restart after deregistration: %s with %d of 4 boot files, want running with all", in.State, r.bootFiles(img))
	}
	if _, err := r.svc.TerminateInstances(ctxFor(acct1), []string{id}, false); err != nil {
		t.Fatal(err)
	}
	r.drive(id)
	collect()
	if _, _, err := store.GetJSON[Image](ctx, r.svc.st, prefixImage+img.ID); err == nil || r.bootFiles(img) != 0 {
		t.Fatalf("after terminate: record err %v, %d boot files, want both gone", err, r.bootFiles(img))
	}
}
