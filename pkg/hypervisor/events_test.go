package hypervisor

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// fakeLibvirtEvents is a libvirt lifecycle stream the test drives.
type fakeLibvirtEvents struct {
	registrations atomic.Int32
	failFirst     bool
	ch            chan golibvirt.DomainEventLifecycleMsg
}

func (f *fakeLibvirtEvents) start() (<-chan golibvirt.DomainEventLifecycleMsg, error) {
	if f.registrations.Add(1) == 1 && f.failFirst {
		return nil, errors.New("connection refused")
	}
	return f.ch, nil
}

func (f *fakeLibvirtEvents) send(name string) {
	f.ch <- golibvirt.DomainEventLifecycleMsg{
		Dom: golibvirt.Domain{Name: name}, Event: int32(golibvirt.DomainEventStarted),
	}
}

func recv(t *testing.T, ch <-chan Event) (Event, bool) {
	t.Helper()
	select {
	case ev, ok := <-ch:
		return ev, ok
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
		return Event{}, false
	}
}

func TestEventHubSharesOneRegistration(t *testing.T) {
	f := &fakeLibvirtEvents{ch: make(chan golibvirt.DomainEventLifecycleMsg)}
	hub := newEventHub(f.start)
	ctx := context.Background()

	first, err := hub.subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	goneCtx, gone := context.WithCancel(ctx)
	leaving, err := hub.subscribe(goneCtx)
	if err != nil {
		t.Fatal(err)
	}
	gone()
	if _, ok := recv(t, leaving); ok {
		t.Error("a cancelled subscriber's channel stays open")
	}
	late, err := hub.subscribe(ctx)
	if err != nil {
		t.Fatal(err)
	}

	f.send("d1")
	for name, ch := range map[string]<-chan Event{"first": first, "late": late} {
		if ev, ok := recv(t, ch); !ok || ev.Name != "d1" || ev.State != StateRunning {
			t.Errorf("%s subscriber got %+v (open %v), want d1 running", name, ev, ok)
		}
	}
	if n := f.registrations.Load(); n != 1 {
		t.Errorf("libvirt registrations = %d, want 1 for three subscribers", n)
	}

	close(f.ch) // libvirtd went away
	for name, ch := range map[string]<-chan Event{"first": first, "late": late} {
		if _, ok := recv(t, ch); ok {
			t.Errorf("%s subscriber still open after the stream ended", name)
		}
	}
	if _, err := hub.subscribe(ctx); !errors.Is(err, errEventsEnded) {
		t.Errorf("subscribe after the stream ended: %v, want errEventsEnded", err)
	}
}

func TestEventHubRetriesFailedRegistration(t *testing.T) {
	f := &fakeLibvirtEvents{failFirst: true, ch: make(chan golibvirt.DomainEventLifecycleMsg)}
	hub := newEventHub(f.start)
	if _, err := hub.subscribe(context.Background()); err == nil {
		t.Fatal("subscribe succeeded although registration failed")
	}
	ch, err := hub.subscribe(context.Background())
	if err != nil {
		t.Fatalf("second subscribe: %v", err)
	}
	f.send("d2")
	if ev, ok := recv(t, ch); !ok || ev.Name != "d2" {
		t.Errorf("got %+v (open %v), want d2", ev, ok)
	}
	if n := f.registrations.Load(); n != 2 {
		t.Errorf("registrations = %d, want 2 (one failed, one retried)", n)
	}
}
