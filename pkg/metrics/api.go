package metrics

import (
	"context"
	"path"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
)

// Edges, the edge label's values.
const (
	EdgeQuery = "query"
	EdgeGRPC  = "grpc"
)

// CodeOK is the code label of a request that succeeded.
const CodeOK = "OK"

type apiMetrics struct {
	requests *prometheus.CounterVec
	duration *prometheus.HistogramVec
}

func newAPIMetrics() apiMetrics {
	return apiMetrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{Namespace: namespace, Subsystem: "api",
			Name: "requests_total",
			Help: "API requests by edge (query, grpc), action and EC2 code (OK on success)."},
			[]string{"edge", "action", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Namespace: namespace, Subsystem: "api",
			Name:    "request_duration_seconds",
			Help:    "API request latency by edge and action.",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10, 30}},
			[]string{"edge", "action"}),
	}
}

func (a apiMetrics) register(r prometheus.Registerer) { r.MustRegister(a.requests, a.duration) }

// ObserveAPI counts one request. action must come from a bounded set (the
// edges bucket names they do not serve as "unknown"); code is the EC2
// error code, or CodeOK (also for "").
func (m *Metrics) ObserveAPI(edge, action, code string, d time.Duration) {
	if code == "" {
		code = CodeOK
	}
	m.api.requests.WithLabelValues(edge, action, code).Inc()
	m.api.duration.WithLabelValues(edge, action).Observe(d.Seconds())
}

// GRPCServerOptions observe every call of a gRPC server. The interceptors
// are set with grpc.UnaryInterceptor and grpc.StreamInterceptor, which run
// outside every chained one, so a call refused by authentication or
// throttling counts too; its EC2 code is read from the status (errgrpc).
// gRPC answers a method it does not serve before any interceptor, so the
// action label (the method's name) is bounded by the registered services.
func (m *Metrics) GRPCServerOptions() []grpc.ServerOption {
	return []grpc.ServerOption{grpc.UnaryInterceptor(m.unary), grpc.StreamInterceptor(m.stream)}
}

func (m *Metrics) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, h grpc.UnaryHandler) (any, error) {
	start := time.Now()
	resp, err := h(ctx, req)
	m.ObserveAPI(EdgeGRPC, path.Base(info.FullMethod), grpcCode(err), time.Since(start))
	return resp, err
}

func (m *Metrics) stream(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, h grpc.StreamHandler) error {
	start := time.Now()
	err := h(srv, ss)
	m.ObserveAPI(EdgeGRPC, path.Base(info.FullMethod), grpcCode(err), time.Since(start))
	return err
}

// grpcCode is the EC2 code of a gRPC server's error (CodeOK for nil);
// errors without one count as InternalError (ec2err.Code).
func grpcCode(err error) string {
	if err == nil {
		return CodeOK
	}
	return ec2err.Code(errgrpc.ToNative(err))
}
