// Package metrics owns ec2d's Prometheus collectors: the API edges'
// requests, the reconciler's sweeps and passes, and the region's resources
// and host capacity read from the controller at scrape time. Every label is
// bounded (edges, action names, EC2 codes, states, types, zones, the
// region's hosts, sweep names), never a resource ID.
//
// The domain (pkg/controller) imports no metrics library: it reports to a
// controller.Observer and answers controller.Service.Stats, and this
// package turns both into series.
package metrics

import (
	"log/slog"
	"net/http"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

const namespace = "ec2lab"

// Metrics is ec2d's registry with its collectors. Build it with New.
type Metrics struct {
	reg *prometheus.Registry
	api apiMetrics
	rec reconcileMetrics
}

// New builds the registry: the Go runtime and process collectors, the API
// and reconciler series. Resources join it through WatchResources.
func New() *Metrics {
	m := &Metrics{reg: prometheus.NewRegistry(), api: newAPIMetrics(), rec: newReconcileMetrics()}
	m.reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	m.api.register(m.reg)
	m.rec.register(m.reg)
	return m
}

// Registry is the registry the collectors are in (tests gather from it).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the registry in the exposition format; a collector that
// fails is logged and its series left out, the others still served.
func (m *Metrics) Handler(log *slog.Logger) http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		ErrorLog:      slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg, // promhttp_metric_handler_* series
	})
}
