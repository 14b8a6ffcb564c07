package store

import (
	"context"
	"strings"
	"sync"
)

// hub fans committed events out to watchers. Each watcher has its own
// unbounded queue and goroutine, so a slow reader never blocks commits and
// always sees events in commit order.
type hub struct {
	mu       sync.Mutex
	watchers map[*watcher]struct{}
	closed   bool
}

type watcher struct {
	prefix string
	mu     sync.Mutex
	queue  []Event
	wake   chan struct{} // cap 1: "queue grew"
	stop   chan struct{} // closed by hub.close
	out    chan Event
}

func newHub() *hub { return &hub{watchers: map[*watcher]struct{}{}} }

// add registers a watcher for prefix that runs until ctx ends or the hub
// closes. The caller must hold the commit lock so that no commit is half
// published while it registers.
func (h *hub) add(ctx context.Context, prefix string) (<-chan Event, error) {
	w := &watcher{
		prefix: prefix,
		wake:   make(chan struct{}, 1),
		stop:   make(chan struct{}),
		out:    make(chan Event),
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return nil, ErrClosed
	}
	h.watchers[w] = struct{}{}
	go w.run(ctx, h)
	return w.out, nil
}

// publish queues evs, in order, for every watcher whose prefix matches.
func (h *hub) publish(evs []Event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.watchers {
		w.push(evs)
	}
}

func (h *hub) remove(w *watcher) {
	h.mu.Lock()
	delete(h.watchers, w)
	h.mu.Unlock()
}

// close stops every watcher; their channels close shortly after.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		return
	}
	h.closed = true
	for w := range h.watchers {
		close(w.stop)
	}
}

func (w *watcher) push(evs []Event) {
	w.mu.Lock()
	n := len(w.queue)
	for _, ev := range evs {
		if strings.HasPrefix(ev.KV.Key, w.prefix) {
			w.queue = append(w.queue, ev)
		}
	}
	grew := len(w.queue) > n
	w.mu.Unlock()
	if grew {
		select {
		case w.wake <- struct{}{}:
		default:
		}
	}
}

func (w *watcher) take() []Event {
	w.mu.Lock()
	defer w.mu.Unlock()
	q := w.queue
	w.queue = nil
	return q
}

func (w *watcher) run(ctx context.Context, h *hub) {
	defer close(w.out)
	defer h.remove(w)
	for {
		for _, ev := range w.take() {
			select {
			case w.out <- ev:
			case <-ctx.Done():
				return
			case <-w.stop:
				return
			}
		}
		select {
		case <-w.wake:
		case <-ctx.Done():
			return
		case <-w.stop:
			return
		}
	}
}
