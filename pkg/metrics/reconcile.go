package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

type reconcileMetrics struct {
	sweep  *prometheus.HistogramVec
	errors *prometheus.CounterVec
	passes *prometheus.CounterVec
	pass   prometheus.Histogram
}

func newReconcileMetrics() reconcileMetrics {
	buckets := []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30, 60}
	return reconcileMetrics{
		sweep: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "reconcile",
			Name: "sweep_duration_seconds", Help: "Duration of each reconciler sweep, by sweep name.", Buckets: buckets},
			[]string{"sweep"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "reconcile",
			Name: "sweep_errors_total", Help: "Sweeps that failed and ended their pass, by sweep name."},
			[]string{"sweep"}),
		passes: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "reconcile",
			Name: "passes_total", Help: "Reconciler passes, by result (completed, aborted: a sweep failed)."},
			[]string{"result"}),
		pass: prometheus.NewHistogram(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "reconcile",
			Name: "pass_duration_seconds", Help: "Duration of reconciler passes.", Buckets: buckets}),
	}
}

func (r reconcileMetrics) register(reg prometheus.Registerer) {
	reg.MustRegister(r.sweep, r.errors, r.passes, r.pass)
}

// Sweeps makes the series of each named sweep exist (at zero) before its
// first run, so a dashboard sees every sweep from the start.
func (m *Metrics) Sweeps(names []string) {
	for _, n := range names {
		m.rec.sweep.WithLabelValues(n)
		m.rec.errors.WithLabelValues(n)
	}
	m.rec.passes.WithLabelValues("completed")
	m.rec.passes.WithLabelValues("aborted")
}

// SweepDone implements controller.Observer.
func (m *Metrics) SweepDone(name string, d time.Duration, err error) {
	m.rec.sweep.WithLabelValues(name).Observe(d.Seconds())
	if err != nil {
		m.rec.errors.WithLabelValues(name).Inc()
	}
}

// PassDone implements controller.Observer.
func (m *Metrics) PassDone(d time.Duration, completed bool) {
	result := "completed"
	if !completed {
		result = "aborted"
	}
	m.rec.passes.WithLabelValues(result).Inc()
	m.rec.pass.Observe(d.Seconds())
}

var _ controller.Observer = (*Metrics)(nil)
