package server

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/metrics"
)

// Observability is what ec2d's HTTP listener tells about ec2d itself
// besides /healthz (liveness, always 200).
type Observability struct {
	// Metrics is served at /metrics and counts the Query API's requests;
	// nil serves the default registry (go_* and process_* only).
	Metrics *metrics.Metrics
	// Ready runs the checks /readyz answers (controller.Service.Ready);
	// nil: no /readyz.
	Ready func(context.Context) []controller.ReadyCheck
}

// newMetrics is ec2d's registry watching svc: its sweeps and passes, its
// resources and hosts. Call it before svc.Run.
func newMetrics(svc *controller.Service) *metrics.Metrics {
	m := metrics.New()
	m.Sweeps(svc.SweepNames())
	svc.SetObserver(m)
	m.WatchResources(svc)
	return m
}

// mount serves /metrics and /readyz on mux.
func (o Observability) mount(mux *http.ServeMux, log *slog.Logger) {
	if o.Metrics != nil {
		mux.Handle("/metrics", o.Metrics.Handler(log))
	} else {
		mux.Handle("/metrics", promhttp.Handler())
	}
	if o.Ready != nil {
		mux.Handle("/readyz", newReadyHandler(o.Ready, readyCacheFor))
	}
}

// queryObserver is the Query API's Observe (nil without Metrics).
func (o Observability) queryObserver() func(action, code string, d time.Duration) {
	if o.Metrics == nil {
		return nil
	}
	return func(action, code string, d time.Duration) { o.Metrics.ObserveAPI(metrics.EdgeQuery, action, code, d) }
}

// readyTimeout bounds one run of the readiness checks; readyCacheFor is
// how long their answer is reused, so that an unauthenticated client
// polling /readyz cannot make ec2d write to its store more often.
const (
	readyTimeout  = 5 * time.Second
	readyCacheFor = time.Second
)

// readyHandler answers /readyz: 200 when every check passed, else 503;
// the body has one line per check, "ok NAME" or "fail NAME: why".
type readyHandler struct {
	checks   func(context.Context) []controller.ReadyCheck
	cacheFor time.Duration

	mu     sync.Mutex // one run of the checks at a time
	at     time.Time
	status int
	body   string
}

func newReadyHandler(checks func(context.Context) []controller.ReadyCheck, cacheFor time.Duration) *readyHandler {
	return &readyHandler{checks: checks, cacheFor: cacheFor}
}

func (h *readyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	status, body := h.answer(r.Context())
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}

func (h *readyHandler) answer(ctx context.Context) (int, string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if !h.at.IsZero() && time.Since(h.at) < h.cacheFor {
		return h.status, h.body
	}
	// the answer is shared for cacheFor: one caller hanging up must not
	// make it a failure for the others
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), readyTimeout)
	defer cancel()
	h.status, h.body = readyReport(h.checks(ctx))
	h.at = time.Now()
	return h.status, h.body
}

// readyReport renders checks as /readyz's status and body.
func readyReport(checks []controller.ReadyCheck) (int, string) {
	status := http.StatusOK
	var b strings.Builder
	for _, c := range checks {
		if c.Err != nil {
			status = http.StatusServiceUnavailable
			fmt.Fprintf(&b, "fail %s: %v\n", c.Name, c.Err)
			continue
		}
		fmt.Fprintf(&b, "ok %s\n", c.Name)
	}
	return status, b.String()
}
