package controller_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/metrics"
	"github.com/ec2lab/ec2lab/pkg/server"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// observedRig is an EdgeRig served through both edges with ec2d's
// metrics and readiness, as server.Run wires them.
func observedRig(t *testing.T) (*controller.EdgeRig, *edges) {
	t.Helper()
	rig := controller.NewEdgeRig(t)
	m := metrics.New()
	m.Sweeps(rig.Svc.SweepNames())
	rig.Svc.SetObserver(m)
	m.WatchResources(rig.Svc)
	e := newObservedEdges(t, rig.Svc, nil, server.Observability{Metrics: m, Ready: rig.Svc.Ready}, rig.Acct1)
	return rig, e
}

// TestMetricsAfterWorkload drives a short workload through the Query API
// and the gRPC server, runs a reconciler pass, then scrapes /metrics.
func TestMetricsAfterWorkload(t *testing.T) {
	rig, e := observedRig(t)
	ctx := context.Background()
	sdk, g := e.sdk[rig.Acct1], e.grpc[rig.Acct1]
	if _, err := sdk.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(rig.AMI), InstanceType: types.InstanceType("lab.tiny"),
		MinCount: aws.Int32(1), MaxCount: aws.Int32(1), Placement: &types.Placement{AvailabilityZone: aws.String("lab-1b")}}); err != nil {
		t.Fatalf("RunInstances: %v", err)
	}
	for range 2 {
		_, err := sdk.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-0123456789abcdef0"}})
		if o := sdkOutcome(err); o.code != "InvalidInstanceID.NotFound" {
			t.Fatalf("DescribeInstances of a missing instance: %v", err)
		}
	}
	if _, err := g.DescribeInstances(ctx, &v1.DescribeInstancesRequest{InstanceIds: []string{rig.Instance}}); err != nil {
		t.Fatalf("gRPC DescribeInstances: %v", err)
	}
	_, err := g.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{VolumeIds: []string{"vol-0123456789abcdef0"}})
	if o := grpcOutcome(err); o.code != "InvalidVolume.NotFound" {
		t.Fatalf("gRPC DescribeVolumes of a missing volume: %v", err)
	}
	// unsigned, with an action no API has: refused, its name not a label
	resp, err := http.PostForm(e.url, url.Values{"Action": {"NoSuchAction-" + rig.Instance}, "Version": {"2016-11-15"}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	rig.Reconcile()

	fams := scrapeMetrics(t, e.url)
	checks := []struct {
		fam    string
		labels map[string]string
		want   float64
	}{
		{"ec2lab_api_requests_total", map[string]string{"edge": "query", "action": "RunInstances", "code": "OK"}, 1},
		{"ec2lab_api_requests_total", map[string]string{"edge": "query", "action": "DescribeInstances", "code": "InvalidInstanceID.NotFound"}, 2},
		{"ec2lab_api_requests_total", map[string]string{"edge": "query", "action": "unknown", "code": "MissingAuthenticationToken"}, 1},
		{"ec2lab_api_requests_total", map[string]string{"edge": "grpc", "action": "DescribeInstances", "code": "OK"}, 1},
		{"ec2lab_api_requests_total", map[string]string{"edge": "grpc", "action": "DescribeVolumes", "code": "InvalidVolume.NotFound"}, 1},
		{"ec2lab_api_request_duration_seconds", map[string]string{"edge": "query", "action": "DescribeInstances"}, 2},
		{"ec2lab_instances", map[string]string{"state": "running", "type": "lab.tiny", "zone": "lab-1a"}, 1},
		{"ec2lab_reconcile_sweep_duration_seconds", map[string]string{"sweep": "instances"}, 1},
		{"ec2lab_reconcile_sweep_errors_total", map[string]string{"sweep": "instances"}, 0},
		{"ec2lab_reconcile_passes_total", map[string]string{"result": "completed"}, 1},
		{"ec2lab_host_vcpus", map[string]string{"host": "h-lab-1a", "zone": "lab-1a"}, 8},
		{"ec2lab_images", map[string]string{"state": "available"}, 1},
	}
	for _, c := range checks {
		if v, ok := seriesValue(fams, c.fam, c.labels); !ok || v != c.want {
			t.Errorf("%s%v = %v (found %v), want %v", c.fam, c.labels, v, ok, c.want)
		}
	}
	// the instance launched into lab-1b, whatever state the pass left it in
	var inB float64
	for _, m := range fams["ec2lab_instances"].GetMetric() {
		if labelsOf(m)["zone"] == "lab-1b" {
			inB += m.GetGauge().GetValue()
		}
	}
	if inB != 1 {
		t.Errorf("instances in lab-1b: %v, want 1", inB)
	}
	if v, _ := seriesValue(fams, "ec2lab_host_vcpus_used", map[string]string{"host": "h-lab-1a"}); v < 1 {
		t.Errorf("vCPUs used on h-lab-1a: %v, want at least the running instance's", v)
	}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			for _, l := range m.GetLabel() {
				if strings.Contains(l.GetValue(), "i-") || strings.Contains(l.GetValue(), "vol-") {
					t.Errorf("%s has a resource ID in label %s=%q", f.GetName(), l.GetName(), l.GetValue())
				}
			}
		}
	}
	if _, ok := fams["go_goroutines"]; !ok {
		t.Error("go_goroutines missing: the runtime collectors were dropped")
	}
}

// TestReadyz: a ready rig answers 200; a zone without a live agent, or a
// store that refuses writes, answers 503 naming the failed check.
func TestReadyz(t *testing.T) {
	rig, e := observedRig(t)
	if code, body := get(t, e.url+"/readyz"); code != http.StatusServiceUnavailable || !strings.Contains(body, "fail reconciler: no pass completed yet") {
		t.Errorf("before a pass: %d\n%s", code, body)
	}
	rig.Reconcile()
	// each state through a new handler: one answer is reused for a second
	if code, body := get(t, newObservedEdges(t, rig.Svc, nil, server.Observability{Ready: rig.Svc.Ready}).url+"/readyz"); code != http.StatusOK ||
		body != "ok store\nok agents\nok reconciler\n" {
		t.Errorf("ready rig: %d\n%s", code, body)
	}
	rig.StaleZone(t, "lab-1b")
	code, body := get(t, newObservedEdges(t, rig.Svc, nil, server.Observability{Ready: rig.Svc.Ready}).url+"/readyz")
	if code != http.StatusServiceUnavailable || body != "ok store\nfail agents: zone lab-1b has no live agent\nok reconciler\n" {
		t.Errorf("lab-1b without an agent: %d\n%s", code, body)
	}
	rig.FailStore(errors.New("disk full"))
	code, body = get(t, newObservedEdges(t, rig.Svc, nil, server.Observability{Ready: rig.Svc.Ready}).url+"/readyz")
	if code != http.StatusServiceUnavailable || !strings.HasPrefix(body, "fail store: write probe: disk full\n") {
		t.Errorf("store refusing writes: %d\n%s", code, body)
	}
	if code, _ := get(t, e.url+"/healthz"); code != http.StatusOK {
		t.Errorf("/healthz %d: liveness must not follow readiness", code)
	}
}

func get(t *testing.T, u string) (int, string) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, string(b)
}

func scrapeMetrics(t *testing.T, base string) map[string]*dto.MetricFamily {
	t.Helper()
	code, body := get(t, base+"/metrics")
	if code != http.StatusOK {
		t.Fatalf("/metrics: %d\n%s", code, body)
	}
	p := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := p.TextToMetricFamilies(strings.NewReader(body))
	if err != nil {
		t.Fatalf("parse /metrics: %v", err)
	}
	return fams
}

func labelsOf(m *dto.Metric) map[string]string {
	out := map[string]string{}
	for _, l := range m.GetLabel() {
		out[l.GetName()] = l.GetValue()
	}
	return out
}

// seriesValue is the value of fam's series with labels (exactly these,
// for the labels named): a counter's or gauge's value, a histogram's count.
func seriesValue(fams map[string]*dto.MetricFamily, fam string, labels map[string]string) (float64, bool) {
next:
	for _, m := range fams[fam].GetMetric() {
		have := labelsOf(m)
		for k, v := range labels {
			if have[k] != v {
				continue next
			}
		}
		switch {
		case m.Counter != nil:
			return m.GetCounter().GetValue(), true
		case m.Gauge != nil:
			return m.GetGauge().GetValue(), true
		case m.Histogram != nil:
			return float64(m.GetHistogram().GetSampleCount()), true
		}
	}
	return 0, false
}
