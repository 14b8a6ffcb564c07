package controller

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/storage"
)

// snapChain builds, in lab-1a's pool, a detached volume with n snapshots
// taken by storage.Freeze (as the agent does), each generation writing its
// own data, and records them. It returns the volume ID and snapshot IDs.
func snapChain(t *testing.T, r *rig, n int) (string, []string) {
	t.Helper()
	hvtest.RequireTool(t, "qemu-img")
	hvtest.RequireTool(t, "qemu-io")
	ctx := context.Background()
	pool, _ := r.svc.Pool("lab-1a")
	vol := ids.New(ids.Volume)
	head := vol + ".0.qcow2"
	if err := pool.Create(ctx, head, 8<<20, storage.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var snaps []string
	for i := 0; i <= n; i++ {
		// Each generation overwrites the start and adds its own MiB.
		qemuWrite(t, pool.Path(head), fmt.Sprintf("write -P 0x%02x 0 64k", 0x10+i))
		qemuWrite(t, pool.Path(head), fmt.Sprintf("write -P 0x%02x %dM 512k", 0x40+i, i+1))
		if i == n {
			break
		}
		sn := ids.New(ids.Snapshot)
		next := vol + "." + sn + ".qcow2"
		if err := pool.Freeze(ctx, head, next, nil); err != nil {
			t.Fatal(err)
		}
		rec := Snapshot{ID: sn, Owner: acct1, VolumeID: vol, AZ: "lab-1a", Layer: head, State: "completed", Progress: "100%", SizeGiB: 1}
		if err := put(ctx, r.svc.st, prefixSnapshot+sn, rec); err != nil {
			t.Fatal(err)
		}
		snaps, head = append(snaps, sn), next
	}
	v := Volume{ID: vol, Owner: acct1, AZ: "lab-1a", SizeGiB: 1, Type: "gp3", State: "available", Head: head, Generation: n}
	if err := put(ctx, r.svc.st, prefixVolume+vol, v); err != nil {
		t.Fatal(err)
	}
	return vol, snaps
}

func qemuWrite(t *testing.T, path, cmd string) {
	t.Helper()
	if out, err := exec.Command("qemu-io", "-f", "qcow2", "-c", cmd, path).CombinedOutput(); err != nil {
		t.Fatalf("qemu-io %q: %v\n%s", cmd, err, out)
	}
}

// rawSum is the SHA-256 of the data a volume file shows (its whole chain).
func rawSum(t *testing.T, pool *storage.Pool, name string) string {
	t.Helper()
	raw := filepath.Join(t.TempDir(), "raw")
	if out, err := exec.Command("qemu-img", "convert", "-U", "-O", "raw", pool.Path(name), raw).CombinedOutput(); err != nil {
		t.Fatalf("convert %s: %v\n%s", name, err, out)
	}
	b, err := os.ReadFile(raw)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// dataOf maps every named file (volume head, snapshot layers) to its data.
func dataOf(t *testing.T, r *rig, names []string) map[string]string {
	pool, _ := r.svc.Pool("lab-1a")
	m := map[string]string{}
	for _, n := range names {
		m[n] = rawSum(t, pool, n)
	}
	return m
}

func TestCompactorMergesDeletedSnapshots(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	r.svc.cfg.GCGrace.Duration = time.Nanosecond
	ctx := context.Background()
	pool, _ := r.svc.Pool("lab-1a")
	vol, snaps := snapChain(t, r, 5)
	v := r.volume(t, vol)
	layers := r.layers(t, snaps)
	before := dataOf(t, r, append([]string{v.Head}, layers...))

	for _, i := range []int{1, 2} { // snapshots 2 and 3
		if err := r.svc.DeleteSnapshot(ctxFor(acct1), snaps[i], false); err != nil {
			t.Fatal(err)
		}
	}
	if n := r.svc.compactOnce(ctx); n != 1 {
		t.Fatalf("compaction merged %d times, want 1", n)
	}
	info, err := pool.Info(ctx, v.Head)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{v.Head, layers[4], layers[3], layers[0]}
	if !slices.Equal(info.Chain, want) {
		t.Fatalf("volume chain after compaction = %v, want %v", info.Chain, want)
	}
	for name, sum := range before {
		if name == layers[1] || name == layers[2] {
			continue
		}
		if got := rawSum(t, pool, name); got != sum {
			t.Errorf("%s: data changed by compaction", name)
		}
		if err := pool.Check(ctx, name, nil); err != nil {
			t.Error(err)
		}
	}
	if st, err := os.Stat(pool.Path(layers[3])); err != nil || st.Mode().Perm() != 0o400 {
		t.Errorf("merged snapshot layer mode: %v %v, want read-only", st.Mode(), err)
	}
	if n := r.svc.compactOnce(ctx); n != 0 {
		t.Errorf("second pass merged %d times, want 0", n)
	}
	for range 2 { // first sight, then past the grace period
		r.svc.collectFiles(ctx, map[string]bool{})
		time.Sleep(time.Millisecond)
	}
	files, _ := pool.Files(ctx)
	if !slices.Equal(files, sortedCopy(want)) {
		t.Fatalf("pool files after GC = %v, want %v", files, sortedCopy(want))
	}
}

func TestCompactorCapsChainDepth(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	r.svc.cfg.MaxChainDepth = 4
	ctx := context.Background()
	pool, _ := r.svc.Pool("lab-1a")
	vol, snaps := snapChain(t, r, 5)
	v := r.volume(t, vol)
	names := append([]string{v.Head}, r.layers(t, snaps)...)
	before := dataOf(t, r, names)
	if n := r.svc.compactOnce(ctx); n != 1 {
		t.Fatalf("compaction merged %d times, want 1", n)
	}
	info, err := pool.Info(ctx, v.Head)
	if err != nil {
		t.Fatal(err)
	}
	if len(info.Chain) != 4 {
		t.Fatalf("volume chain after compaction = %v, want 4 files", info.Chain)
	}
	for name, sum := range before {
		if got := rawSum(t, pool, name); got != sum {
			t.Errorf("%s: data changed by compaction", name)
		}
	}
	if err := pool.Check(ctx, v.Head, nil); err != nil {
		t.Error(err)
	}
}

func (r *rig) volume(t *testing.T, id string) Volume {
	t.Helper()
	v, err := r.svc.ownedVolume(ctxFor(acct1), acct1, id)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func (r *rig) layers(t *testing.T, snaps []string) []string {
	t.Helper()
	var out []string
	for _, id := range snaps {
		sn, err := r.svc.visibleSnapshot(context.Background(), acct1, id)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, sn.Layer)
	}
	return out
}

func sortedCopy(s []string) []string { return slices.Sorted(slices.Values(s)) }
