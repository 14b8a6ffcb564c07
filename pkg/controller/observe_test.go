package controller

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/store"
)

// recordingObserver keeps what the reconciler reported.
type recordingObserver struct {
	mu     sync.Mutex
	sweeps []string
	errs   []string
	passes []bool
}

func (o *recordingObserver) SweepDone(name string, _ time.Duration, err error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sweeps = append(o.sweeps, name)
	if err != nil {
		o.errs = append(o.errs, name)
	}
}

func (o *recordingObserver) PassDone(_ time.Duration, completed bool) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.passes = append(o.passes, completed)
}

// TestObserverToldOfEverySweep: a pass reports each registered sweep in
// order and then itself, and records when it completed.
func TestObserverToldOfEverySweep(t *testing.T) {
	r := newRig(t, 8, hostSpec{vcpus: 4, mem: 4096})
	o := &recordingObserver{}
	r.svc.SetObserver(o)
	if !r.svc.LastPass().IsZero() {
		t.Fatal("LastPass set before any pass")
	}
	before := time.Now()
	r.svc.reconcileOnce(context.Background())
	if !slices.Equal(o.sweeps, r.svc.SweepNames()) || len(o.sweeps) == 0 {
		t.Errorf("sweeps reported %q, want %q", o.sweeps, r.svc.SweepNames())
	}
	if len(o.errs) != 0 || !slices.Equal(o.passes, []bool{true}) {
		t.Errorf("errors %q, passes %v; want none and one completed pass", o.errs, o.passes)
	}
	if r.svc.LastPass().Before(before) {
		t.Errorf("LastPass %v, before the pass began (%v)", r.svc.LastPass(), before)
	}
}

// TestObserverToldOfFailedGate: a gate's error is reported against its
// sweep, and the pass as not completed.
func TestObserverToldOfFailedGate(t *testing.T) {
	r := newRig(t, 8, hostSpec{vcpus: 4, mem: 4096})
	o := &recordingObserver{}
	r.svc.SetObserver(o)
	r.svc.hooks.sweeps = []sweep{{name: "ok", run: func(context.Context) error { return nil }},
		{name: "broken", run: func(context.Context) error { return errors.New("boom") }},
		{name: "never", run: func(context.Context) error { return nil }}}
	r.svc.reconcileOnce(context.Background())
	if !slices.Equal(o.sweeps, []string{"ok", "broken"}) || !slices.Equal(o.errs, []string{"broken"}) {
		t.Errorf("sweeps %q errors %q", o.sweeps, o.errs)
	}
	if !slices.Equal(o.passes, []bool{false}) || !r.svc.LastPass().IsZero() {
		t.Errorf("passes %v, LastPass %v: want one aborted pass and no completion", o.passes, r.svc.LastPass())
	}
}

// TestStatsCounts: instances by state/type/zone, volumes by state/type
// with their size, snapshots and images by state, and host usage.
func TestStatsCounts(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ids := r.run(t, 2, "lab-1a")
	r.drive(ids[0])
	if _, err := r.svc.CreateVolume(ctxFor(acct1), VolumeRequest{AZ: "lab-1b", SizeGiB: 3}); err != nil {
		t.Fatal(err)
	}
	st, err := r.svc.Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	want := []InstanceCount{{State: StatePending, Type: "lab.tiny", AZ: "lab-1a", Count: 1},
		{State: StateRunning, Type: "lab.tiny", AZ: "lab-1a", Count: 1}}
	if !slices.Equal(st.Instances, want) {
		t.Errorf("instances %+v, want %+v", st.Instances, want)
	}
	var vols, gib int64
	for _, v := range st.Volumes {
		vols += int64(v.Count)
		gib += v.SizeGiB
	}
	// the root volumes of the two instances (1 GiB each) and the 3 GiB one
	if vols != 3 || gib != 5 {
		t.Errorf("volumes %+v: %d volumes of %d GiB, want 3 of 5", st.Volumes, vols, gib)
	}
	if st.Images["available"] != 1 || len(st.Snapshots) != 0 {
		t.Errorf("images %v snapshots %v", st.Images, st.Snapshots)
	}
	if len(st.Hosts) != 2 {
		t.Fatalf("hosts %+v, want 2", st.Hosts)
	}
	a := st.Hosts[0]
	if a.ID != "h-lab-1a" || a.VCPUs != 8 || a.UsedVCPUs != 2 || a.MemoryMiB != 8192 || a.UsedMemoryMiB != 512 || !a.Healthy {
		t.Errorf("host lab-1a %+v, want 2 of 8 vCPUs and 512 of 8192 MiB used", a)
	}
}

// failingStore refuses every write.
type failingStore struct{ store.Store }

func (failingStore) Txn(context.Context, ...store.Op) (int64, error) {
	return 0, errors.New("disk full")
}

func checksText(cs []ReadyCheck) string {
	var b strings.Builder
	for _, c := range cs {
		b.WriteString(c.Name)
		if c.Err != nil {
			b.WriteString(": " + c.Err.Error())
		}
		b.WriteString("\n")
	}
	return b.String()
}

func TestReady(t *testing.T) {
	r := newRig(t, 8, hostSpec{vcpus: 4, mem: 4096})
	ctx := context.Background()
	if got := checksText(r.svc.Ready(ctx)); got != "store\nagents\nreconciler: no pass completed yet\n" {
		t.Errorf("before a pass:\n%s", got)
	}
	r.svc.reconcileOnce(ctx)
	if got := checksText(r.svc.Ready(ctx)); got != "store\nagents\nreconciler\n" {
		t.Errorf("ready rig:\n%s", got)
	}
	if _, err := r.svc.st.Get(ctx, readyProbeKey); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("probe key left behind: %v", err)
	}

	// lab-1b's only host stops heartbeating
	if _, err := update(ctx, r.svc.st, prefixHost+"h-lab-1b", func(h *HostRecord) error {
		h.LastHeartbeat = r.svc.now().Add(-time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got := checksText(r.svc.Ready(ctx)); got != "store\nagents: zone lab-1b has no live agent\nreconciler\n" {
		t.Errorf("stale lab-1b:\n%s", got)
	}

	// the store refuses writes
	r.svc.cache.Store = failingStore{r.svc.cache.Store}
	if got := checksText(r.svc.Ready(ctx)); !strings.HasPrefix(got, "store: write probe: disk full\n") {
		t.Errorf("failing store:\n%s", got)
	}
}
