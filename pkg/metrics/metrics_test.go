package metrics

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"google.golang.org/grpc"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
)

// scrape serves m's handler once and parses the exposition.
func scrape(t *testing.T, m *Metrics) map[string]*dto.MetricFamily {
	t.Helper()
	rec := httptest.NewRecorder()
	m.Handler(slog.New(slog.NewTextHandler(io.Discard, nil))).ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/metrics", nil))
	if rec.Code != http.StatusOK {
		t.Fatalf("/metrics: %d %s", rec.Code, rec.Body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(rec.Body.String()))
	if err != nil {
		t.Fatalf("parse exposition: %v", err)
	}
	return fams
}

// find returns the series of fam whose labels include want (nil: none).
func find(fams map[string]*dto.MetricFamily, fam string, want map[string]string) *dto.Metric {
	f, ok := fams[fam]
	if !ok {
		return nil
	}
next:
	for _, m := range f.GetMetric() {
		have := map[string]string{}
		for _, l := range m.GetLabel() {
			have[l.GetName()] = l.GetValue()
		}
		for k, v := range want {
			if have[k] != v {
				continue next
			}
		}
		return m
	}
	return nil
}

func value(t *testing.T, fams map[string]*dto.MetricFamily, fam string, labels map[string]string) float64 {
	t.Helper()
	m := find(fams, fam, labels)
	if m == nil {
		t.Fatalf("no series %s%v", fam, labels)
	}
	switch {
	case m.Counter != nil:
		return m.GetCounter().GetValue()
	case m.Gauge != nil:
		return m.GetGauge().GetValue()
	case m.Histogram != nil:
		return float64(m.GetHistogram().GetSampleCount())
	}
	t.Fatalf("series %s%v has no value", fam, labels)
	return 0
}

func TestRuntimeSeriesKept(t *testing.T) {
	fams := scrape(t, New())
	for _, name := range []string{"go_goroutines", "process_cpu_seconds_total"} {
		if _, ok := fams[name]; !ok && (name != "process_cpu_seconds_total" || isLinux()) {
			t.Errorf("%s missing", name)
		}
	}
}

func TestObserveAPI(t *testing.T) {
	m := New()
	m.ObserveAPI(EdgeQuery, "RunInstances", "", 10*time.Millisecond)
	m.ObserveAPI(EdgeQuery, "RunInstances", CodeOK, 20*time.Millisecond)
	m.ObserveAPI(EdgeQuery, "DescribeInstances", "InvalidInstanceID.NotFound", time.Millisecond)
	fams := scrape(t, m)
	if v := value(t, fams, "ec2lab_api_requests_total", map[string]string{"edge": "query", "action": "RunInstances", "code": "OK"}); v != 2 {
		t.Errorf("RunInstances OK = %v, want 2", v)
	}
	if v := value(t, fams, "ec2lab_api_requests_total", map[string]string{"action": "DescribeInstances", "code": "InvalidInstanceID.NotFound"}); v != 1 {
		t.Errorf("DescribeInstances NotFound = %v, want 1", v)
	}
	h := find(fams, "ec2lab_api_request_duration_seconds", map[string]string{"edge": "query", "action": "RunInstances"}).GetHistogram()
	if h.GetSampleCount() != 2 || h.GetSampleSum() < 0.029 || h.GetSampleSum() > 0.031 {
		t.Errorf("RunInstances latency: %d samples summing %v, want 2 summing 0.03", h.GetSampleCount(), h.GetSampleSum())
	}
}

func TestGRPCInterceptorCodes(t *testing.T) {
	m := New()
	info := &grpc.UnaryServerInfo{FullMethod: "/ec2lab.v1.Compute/DescribeVolumes"}
	ok := func(context.Context, any) (any, error) { return "done", nil }
	notFound := func(context.Context, any) (any, error) {
		return nil, errgrpc.ToGRPC(ec2err.New("InvalidVolume.NotFound", "vol-1 not found"))
	}
	plain := func(context.Context, any) (any, error) { return nil, errors.New("boom") }
	for _, h := range []grpc.UnaryHandler{ok, ok, notFound, plain} {
		_, _ = m.unary(context.Background(), nil, info, h)
	}
	stream := &grpc.StreamServerInfo{FullMethod: "/ec2lab.v1.Compute/CopySnapshotLayer"}
	_ = m.stream(nil, nil, stream, func(any, grpc.ServerStream) error { return nil })
	fams := scrape(t, m)
	for code, want := range map[string]float64{"OK": 2, "InvalidVolume.NotFound": 1, "InternalError": 1} {
		if v := value(t, fams, "ec2lab_api_requests_total", map[string]string{"edge": "grpc", "action": "DescribeVolumes", "code": code}); v != want {
			t.Errorf("DescribeVolumes %s = %v, want %v", code, v, want)
		}
	}
	if v := value(t, fams, "ec2lab_api_requests_total", map[string]string{"edge": "grpc", "action": "CopySnapshotLayer", "code": "OK"}); v != 1 {
		t.Errorf("stream call counted %v, want 1", v)
	}
}

func TestReconcileSeries(t *testing.T) {
	m := New()
	m.Sweeps([]string{"hosts", "instances"})
	m.SweepDone("hosts", time.Millisecond, nil)
	m.SweepDone("instances", time.Millisecond, errors.New("store down"))
	m.PassDone(2*time.Millisecond, false)
	m.PassDone(time.Millisecond, true)
	fams := scrape(t, m)
	checks := []struct {
		fam    string
		labels map[string]string
		want   float64
	}{
		{"ec2lab_reconcile_sweep_duration_seconds", map[string]string{"sweep": "hosts"}, 1},
		{"ec2lab_reconcile_sweep_errors_total", map[string]string{"sweep": "hosts"}, 0},
		{"ec2lab_reconcile_sweep_errors_total", map[string]string{"sweep": "instances"}, 1},
		{"ec2lab_reconcile_passes_total", map[string]string{"result": "completed"}, 1},
		{"ec2lab_reconcile_passes_total", map[string]string{"result": "aborted"}, 1},
		{"ec2lab_reconcile_pass_duration_seconds", nil, 2},
	}
	for _, c := range checks {
		if v := value(t, fams, c.fam, c.labels); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.fam, c.labels, v, c.want)
		}
	}
}

type fakeStats struct {
	st  controller.Stats
	err error
}

func (f fakeStats) Stats(context.Context) (controller.Stats, error) { return f.st, f.err }

func TestResourceGauges(t *testing.T) {
	m := New()
	m.WatchResources(fakeStats{st: controller.Stats{
		Instances: []controller.InstanceCount{{State: "running", Type: "t3.micro", AZ: "lab-1a", Count: 3}},
		Volumes:   []controller.VolumeCount{{State: "in-use", Type: "gp3", Count: 3, SizeGiB: 24}},
		Snapshots: map[string]int{"completed": 2},
		Images:    map[string]int{"available": 1},
		Hosts: []controller.HostUsage{{ID: "h1", AZ: "lab-1a", VCPUs: 8, UsedVCPUs: 3, MemoryMiB: 4096,
			UsedMemoryMiB: 1024, Healthy: true, LastHeartbeat: time.Unix(1700000000, 0)}},
	}})
	fams := scrape(t, m)
	checks := []struct {
		fam    string
		labels map[string]string
		want   float64
	}{
		{"ec2lab_instances", map[string]string{"state": "running", "type": "t3.micro", "zone": "lab-1a"}, 3},
		{"ec2lab_volumes", map[string]string{"state": "in-use", "type": "gp3"}, 3},
		{"ec2lab_volumes_provisioned_bytes", map[string]string{"state": "in-use", "type": "gp3"}, 24 << 30},
		{"ec2lab_snapshots", map[string]string{"state": "completed"}, 2},
		{"ec2lab_images", map[string]string{"state": "available"}, 1},
		{"ec2lab_host_vcpus", map[string]string{"host": "h1", "zone": "lab-1a"}, 8},
		{"ec2lab_host_vcpus_used", map[string]string{"host": "h1"}, 3},
		{"ec2lab_host_memory_bytes", map[string]string{"host": "h1"}, 4096 << 20},
		{"ec2lab_host_memory_used_bytes", map[string]string{"host": "h1"}, 1024 << 20},
		{"ec2lab_host_healthy", map[string]string{"host": "h1"}, 1},
		{"ec2lab_host_last_heartbeat_timestamp_seconds", map[string]string{"host": "h1"}, 1700000000},
	}
	for _, c := range checks {
		if v := value(t, fams, c.fam, c.labels); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.fam, c.labels, v, c.want)
		}
	}
}

// TestResourceErrorKeepsOthers: when the counts cannot be read, the scrape
// still answers the other series.
func TestResourceErrorKeepsOthers(t *testing.T) {
	m := New()
	m.WatchResources(fakeStats{err: errors.New("store closed")})
	m.ObserveAPI(EdgeGRPC, "DescribeImages", "", time.Millisecond)
	fams := scrape(t, m)
	if _, ok := fams["ec2lab_instances"]; ok {
		t.Error("instances served from a failed read")
	}
	if v := value(t, fams, "ec2lab_api_requests_total", map[string]string{"action": "DescribeImages"}); v != 1 {
		t.Errorf("api series %v, want 1", v)
	}
}
