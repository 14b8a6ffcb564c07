package metrics

import (
	"context"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/ec2lab/ec2lab/pkg/controller"
)

// StatsSource answers the resource counts (controller.Service.Stats).
type StatsSource interface {
	Stats(ctx context.Context) (controller.Stats, error)
}

// statsTimeout bounds one scrape's read of the counts.
const statsTimeout = 10 * time.Second

const (
	gib = 1 << 30
	mib = 1 << 20
)

// resourceCollector reads the counts at scrape time.
type resourceCollector struct {
	src StatsSource

	instances, volumes, volumeBytes, snapshots, images *prometheus.Desc
	hostVCPUs, hostVCPUsUsed, hostMem, hostMemUsed     *prometheus.Desc
	hostHealthy, hostHeartbeat                         *prometheus.Desc
}

// WatchResources adds the resource and host gauges, read from src at
// every scrape.
func (m *Metrics) WatchResources(src StatsSource) {
	d := func(name, help string, labels ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(namespace, "", name), help, labels, nil)
	}
	m.reg.MustRegister(&resourceCollector{src: src,
		instances:     d("instances", "Instances by state, type and zone.", "state", "type", "zone"),
		volumes:       d("volumes", "Volumes by state and type.", "state", "type"),
		volumeBytes:   d("volumes_provisioned_bytes", "Provisioned size of the volumes, by state and type.", "state", "type"),
		snapshots:     d("snapshots", "Snapshots by state.", "state"),
		images:        d("images", "Images (AMIs) by state.", "state"),
		hostVCPUs:     d("host_vcpus", "vCPUs of each host.", "host", "zone"),
		hostVCPUsUsed: d("host_vcpus_used", "vCPUs the host's instances hold.", "host", "zone"),
		hostMem:       d("host_memory_bytes", "Memory of each host.", "host", "zone"),
		hostMemUsed:   d("host_memory_used_bytes", "Memory the host's instances hold.", "host", "zone"),
		hostHealthy:   d("host_healthy", "1 when the host heartbeats within the timeout, else 0.", "host", "zone"),
		hostHeartbeat: d("host_last_heartbeat_timestamp_seconds", "When the host last heartbeated.", "host", "zone"),
	})
}

func (c *resourceCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.instances, c.volumes, c.volumeBytes, c.snapshots, c.images,
		c.hostVCPUs, c.hostVCPUsUsed, c.hostMem, c.hostMemUsed, c.hostHealthy, c.hostHeartbeat} {
		ch <- d
	}
}

func (c *resourceCollector) Collect(ch chan<- prometheus.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), statsTimeout)
	defer cancel()
	st, err := c.src.Stats(ctx)
	if err != nil {
		ch <- prometheus.NewInvalidMetric(c.instances, err)
		return
	}
	g := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	for _, n := range st.Instances {
		g(c.instances, float64(n.Count), n.State, n.Type, n.AZ)
	}
	for _, n := range st.Volumes {
		g(c.volumes, float64(n.Count), n.State, n.Type)
		g(c.volumeBytes, float64(n.SizeGiB)*gib, n.State, n.Type)
	}
	for state, n := range st.Snapshots {
		g(c.snapshots, float64(n), state)
	}
	for state, n := range st.Images {
		g(c.images, float64(n), state)
	}
	for _, h := range st.Hosts {
		g(c.hostVCPUs, float64(h.VCPUs), h.ID, h.AZ)
		g(c.hostVCPUsUsed, float64(h.UsedVCPUs), h.ID, h.AZ)
		g(c.hostMem, float64(h.MemoryMiB)*mib, h.ID, h.AZ)
		g(c.hostMemUsed, float64(h.UsedMemoryMiB)*mib, h.ID, h.AZ)
		g(c.hostHealthy, boolValue(h.Healthy), h.ID, h.AZ)
		if !h.LastHeartbeat.IsZero() {
			g(c.hostHeartbeat, float64(h.LastHeartbeat.UnixNano())/1e9, h.ID, h.AZ)
		}
	}
}

func boolValue(b bool) float64 {
	if b {
		return 1
	}
	return 0
}
