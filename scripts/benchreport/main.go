// Command benchreport turns the raw `go test -bench` output that
// scripts/bench.sh saves into the ec2lab benchmark figures: the median of
// the runs with min and max, a baseline and a ratio. It writes them as a
// JSON array and prints a table.
//
//	go run ./scripts/benchreport -raw var/bench/raw -out var/bench/results.json scheduler store
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// metricRef names one metric of one benchmark in a figure's raw file.
type metricRef struct {
	bench  string  // benchmark name without the -GOMAXPROCS suffix
	metric string  // unit as go test prints it: ns/op, commits/s, ...
	scale  float64 // multiplier to the figure's unit
}

// spec describes one reported figure.
type spec struct {
	name     string
	unit     string
	value    metricRef
	baseName string
	base     *metricRef
	notes    string
}

// figures maps a bench.sh figure (and raw file name) to what it reports.
var figures = map[string][]spec{
	"scheduler": {
		{name: "scheduler.place mean (control plane only)", unit: "µs/placement",
			value: metricRef{"BenchmarkPlace10kHosts100kInstances", "ns/op", 1e-3},
			notes: "in-memory Place() on 10,000 hosts / 3 AZs holding 100,000 instances; no API, store or libvirt"},
		{name: "scheduler.place p99 (control plane only)", unit: "µs/placement",
			value: metricRef{"BenchmarkPlace10kHosts100kInstances", "p99-ns/op", 1e-3},
			notes: "p99 of 2000 single-instance placements per run; in-memory only"},
		{name: "scheduler.place throughput (control plane only)", unit: "placements/s",
			value: metricRef{"BenchmarkPlace10kHosts100kInstances", "placements/s", 1},
			notes: "sequential placements applied to the host list; in-memory only"},
	},
	"store": {
		{name: "store.commit", unit: "commits/s",
			value:    metricRef{"BenchmarkBoltCommit", "commits/s", 1},
			baseName: "raw bbolt commit",
			base:     &metricRef{"BenchmarkRawBoltCommit", "commits/s", 1},
			notes:    "Store.Txn with one 256 B put (fsynced) vs plain bbolt Update+Put; ratio < 1 is store overhead"},
	},
	"snapshot": {
		{name: "snapshot.freeze 100GiB (offline)", unit: "ms",
			value:    metricRef{"BenchmarkFreeze/100GiB", "ns/op", 1e-6},
			baseName: "snapshot.freeze 1GiB (offline)",
			base:     &metricRef{"BenchmarkFreeze/1GiB", "ns/op", 1e-6},
			notes:    "qcow2 overlay on an empty sparse volume; ratio ≈ 1 means O(1) in volume size"},
		{name: "snapshot.freeze 100GiB vs full copy", unit: "ms",
			value:    metricRef{"BenchmarkFreeze/100GiB", "ns/op", 1e-6},
			baseName: "qemu-img convert -O qcow2 (100GiB sparse, 512MiB written)",
			base:     &metricRef{"BenchmarkQemuImgConvert100GiB", "ns/op", 1e-6},
			notes:    "baseline is a full copy timed by bench.sh (wall clock, default cache mode); freeze volume holds no data"},
	},
	// api: BenchmarkAPI10k in pkg/controller, no guests (no reconciler).
	"api": {
		apiLatency("api.describe-instances page of 1000 p50 (control plane only)", "describe-page1000", "p50",
			"DescribeInstances MaxResults=1000 over authenticated loopback gRPC; 10,000 pending instances in bbolt"),
		apiLatency("api.describe-instances page of 1000 p99 (control plane only)", "describe-page1000", "p99",
			"as above, p99 of the run's sequential calls"),
		apiLatency("api.describe-instances filtered p50 (control plane only)", "describe-filtered", "p50",
			"filters tag:team=t3 + instance-state-name=pending (1,000 of 10,000 match) over gRPC"),
		apiLatency("api.describe-instances filtered p99 (control plane only)", "describe-filtered", "p99",
			"as above, p99"),
		{name: "api.run-instances gRPC (control plane only)", unit: "requests/s",
			value: metricRef{"BenchmarkAPI10k/run-grpc", "calls/s", 1},
			notes: "sequential authenticated RunInstances (1 instance each) accepted → pending record; no guest boots; 10,000+ instances in the store"},
		{name: "api.run-instances Query API SigV4 (control plane only)", unit: "requests/s",
			value: metricRef{"BenchmarkAPI10k/run-query-sigv4", "calls/s", 1},
			notes: "same through the EC2 Query API, signed by aws-sdk-go-v2 (SigV4 verified, XML answer)"},
	},
	// volume-from-snapshot: scripts/benchlaunch against ec2d --all-in-one, no guests.
	"volume-from-snapshot": {
		volSnapTime("1GiB", "empty 1 GiB volume"),
		volSnapTime("20GiB", "empty 20 GiB volume"),
		volSnapTime("20GiB-256MiBwritten", "20 GiB volume with 256 MiB written by qemu-io before the snapshot"),
		volSnapBytes("20GiB", "empty 20 GiB volume"),
		volSnapBytes("20GiB-256MiBwritten", "20 GiB volume with 256 MiB written"),
	},
	// launch-from-ami: scripts/benchlaunch, images of 1 and 20 GiB registered
	// from generated bundles; guests terminated as soon as they are running.
	"launch-from-ami": {
		amiTime("1GiB"), amiTime("20GiB"), amiBytes("1GiB"), amiBytes("20GiB"),
		{name: "launch-from-ami.extra on disk per instance, 10 × 20GiB (RunInstances MaxCount=10)", unit: "KiB",
			value:    metricRef{"BenchmarkLaunchFromAMIx10/20GiB", "disk-bytes/instance", 1.0 / 1024},
			baseName: "full qemu-img convert copy of the image disk",
			base:     &metricRef{"BenchmarkQemuImgConvertImage/20GiB", "disk-bytes", 1.0 / 1024},
			notes:    "10 t3.nano from one 20 GiB AMI in one call: new volume files' allocated bytes summed right after all are running, / 10"},
		{name: "launch-from-ami.all-running 10 × 20GiB (RunInstances MaxCount=10)", unit: "s",
			value: metricRef{"BenchmarkLaunchFromAMIx10/20GiB", "ns/op", 1e-9},
			notes: "until DescribeInstances shows all 10 running; then terminated"},
	},
	// copy-snapshot: scripts/benchlaunch, two peer ec2d regions, no guests.
	"copy-snapshot": {
		{name: "copy-snapshot.incremental bytes moved (5th layer; lab-2 holds 1-4)", unit: "KiB",
			value:    metricRef{"BenchmarkCopySnapshotIncremental", "moved-bytes", 1.0 / 1024},
			baseName: "size of the last layer file",
			base:     &metricRef{"BenchmarkCopySnapshotIncremental", "last-layer-bytes", 1.0 / 1024},
			notes:    "CopySnapshot lab-1 → lab-2 of snapshot 5 after snapshot 4 was copied; copied_bytes from lab-2's `snapshot copied` log line; 1 GiB volume, 32 MiB written per layer; ratio ≈ 1 means only the missing layer moved"},
		{name: "copy-snapshot.incremental bytes moved vs whole chain", unit: "KiB",
			value:    metricRef{"BenchmarkCopySnapshotIncremental", "moved-bytes", 1.0 / 1024},
			baseName: "size of the 5-layer chain",
			base:     &metricRef{"BenchmarkCopySnapshotIncremental", "chain-bytes", 1.0 / 1024},
			notes:    "what a copy that moved the whole chain would move"},
		{name: "copy-snapshot.incremental (CopySnapshot → completed)", unit: "ms",
			value:    metricRef{"BenchmarkCopySnapshotIncremental", "ns/op", 1e-6},
			baseName: "CopySnapshot of snapshot 4 (4 layers, none in lab-2)",
			base:     &metricRef{"BenchmarkCopySnapshotChain4", "ns/op", 1e-6},
			notes:    "two ec2d --config regions on loopback gRPC, polled every 20 ms"},
	},
	// launch and launch-concurrent: scripts/benchlaunch, against ec2d
	// --all-in-one and plain `virsh create` of the domain XML ec2lab made.
	"launch": {
		{name: "launch.running (RunInstances → running)", unit: "ms",
			value:    metricRef{"BenchmarkLaunchRunning", "ns/op", 1e-6},
			baseName: "virsh create of ec2lab's domain XML → returns",
			base:     &metricRef{"BenchmarkVirshCreateRunning", "ns/op", 1e-6},
			notes:    "1 t3.nano from the tiny AMI, polled every 100 ms; ratio = control-plane overhead (API, store, reconciler, volume overlay, seed ISO, agent) over libvirt create alone"},
		{name: "launch.marker (RunInstances → boot marker on console)", unit: "s",
			value:    metricRef{"BenchmarkLaunchMarker", "ns/op", 1e-9},
			baseName: "virsh create → boot marker in console log",
			base:     &metricRef{"BenchmarkVirshCreateMarker", "ns/op", 1e-9},
			notes:    "EC2LAB-BOOT-OK instance-id=<id> via GetConsoleOutput vs in the domain's console log file; guest boot dominates"},
	},
	"launch-concurrent": {
		{name: "launch-concurrent.all-running (RunInstances MaxCount=10)", unit: "s",
			value:    metricRef{"BenchmarkLaunchConcurrent10AllRunning", "ns/op", 1e-9},
			baseName: "10 parallel virsh create → all returned",
			base:     &metricRef{"BenchmarkVirshCreate10AllRunning", "ns/op", 1e-9},
			notes:    "10 t3.nano in one call until DescribeInstances shows all running; ratio = control-plane overhead"},
		{name: "launch-concurrent.all-markers (RunInstances MaxCount=10)", unit: "s",
			value:    metricRef{"BenchmarkLaunchConcurrent10AllMarkers", "ns/op", 1e-9},
			baseName: "10 parallel virsh create → all boot markers",
			base:     &metricRef{"BenchmarkVirshCreate10AllMarkers", "ns/op", 1e-9},
			notes:    "until every guest's console shows its boot marker; 10 guests share this host's cores"},
	},
}

// apiLatency is one latency percentile (p50 or p99) of a BenchmarkAPI10k
// sub-benchmark, in ms, with no baseline.
func apiLatency(name, sub, pct, notes string) spec {
	return spec{name: name, unit: "ms", value: metricRef{"BenchmarkAPI10k/" + sub, pct + "-ns/op", 1e-6}, notes: notes}
}

// volSnapTime is CreateVolume(SnapshotId) → available against a full
// qemu-img convert of the same chain, for one source case.
func volSnapTime(c, what string) spec {
	return spec{name: "volume-from-snapshot.create " + c + " (CreateVolume → available)", unit: "ms",
		value:    metricRef{"BenchmarkVolumeFromSnapshot/" + c, "ns/op", 1e-6},
		baseName: "qemu-img convert -O qcow2 of the snapshot chain",
		base:     &metricRef{"BenchmarkQemuImgConvertSnapshot/" + c, "ns/op", 1e-6},
		notes:    what + "; API call polled every 10 ms until available vs a full copy; ratio < 1 means the overlay beats copying"}
}

// volSnapBytes is the new volume's head file on disk against the full copy's.
func volSnapBytes(c, what string) spec {
	return spec{name: "volume-from-snapshot.head on disk " + c, unit: "KiB",
		value:    metricRef{"BenchmarkVolumeFromSnapshot/" + c, "disk-bytes", 1.0 / 1024},
		baseName: "full qemu-img convert copy on disk",
		base:     &metricRef{"BenchmarkQemuImgConvertSnapshot/" + c, "disk-bytes", 1.0 / 1024},
		notes:    what + "; allocated bytes (st_blocks) of the new head overlay vs the copy: the extra bytes a new volume costs"}
}

// amiTime is RunInstances → running from an image of size c against a
// full qemu-img convert of the image's disk.
func amiTime(c string) spec {
	return spec{name: "launch-from-ami.running " + c + " image (RunInstances → running)", unit: "ms",
		value:    metricRef{"BenchmarkLaunchFromAMI/" + c, "ns/op", 1e-6},
		baseName: "qemu-img convert -O qcow2 of the image disk",
		base:     &metricRef{"BenchmarkQemuImgConvertImage/" + c, "ns/op", 1e-6},
		notes:    "1 t3.nano from a " + c + " AMI (tiny root grown to " + c + ", 256 MiB written), polled every 50 ms; flat across sizes = no copy"}
}

// amiBytes is the extra bytes on disk right after one launch against the
// full copy's.
func amiBytes(c string) spec {
	return spec{name: "launch-from-ami.extra on disk " + c + " image", unit: "KiB",
		value:    metricRef{"BenchmarkLaunchFromAMI/" + c, "disk-bytes", 1.0 / 1024},
		baseName: "full qemu-img convert copy on disk",
		base:     &metricRef{"BenchmarkQemuImgConvertImage/" + c, "disk-bytes", 1.0 / 1024},
		notes:    "allocated bytes (st_blocks) of the volume files new in the pool right after running"}
}

// domainTypeNotes prefixes a figure's notes when its raw output names the
// libvirt domain type its guests ran under (a "domain-type: X" line).
var domainTypeNotes = map[string]string{
	"qemu": "TCG guests (domain type qemu) on this host",
	"kvm":  "KVM guests (domain type kvm) on this host",
}

// Samples summarises the runs of one figure.
type Samples struct {
	N      int       `json:"n"`
	Min    float64   `json:"min"`
	Max    float64   `json:"max"`
	Values []float64 `json:"values"`
}

// Result is one entry of results.json.
type Result struct {
	Name          string   `json:"name"`
	Value         float64  `json:"value"`
	Unit          string   `json:"unit"`
	BaselineName  string   `json:"baseline_name"`
	BaselineValue *float64 `json:"baseline_value"`
	Ratio         *float64 `json:"ratio"`
	Samples       Samples  `json:"samples"`
	Notes         string   `json:"notes"`
}

func main() {
	raw := flag.String("raw", "var/bench/raw", "directory holding <figure>.txt go test -bench output")
	out := flag.String("out", "var/bench/results.json", "JSON file to write")
	flag.Parse()
	if err := run(*raw, *out, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, "benchreport:", err)
		os.Exit(1)
	}
}

func run(rawDir, out string, figs []string) error {
	if len(figs) == 0 {
		return errors.New("no figures named")
	}
	var results []Result
	for _, fig := range figs {
		specs, ok := figures[fig]
		if !ok {
			return fmt.Errorf("unknown figure %q", fig)
		}
		samples, config, err := parseFile(filepath.Join(rawDir, fig+".txt"))
		if err != nil {
			return fmt.Errorf("figure %s: %w", fig, err)
		}
		for _, s := range specs {
			r, err := build(s, samples)
			if err != nil {
				return fmt.Errorf("figure %s: %w", fig, err)
			}
			if n := domainTypeNotes[config["domain-type"]]; n != "" {
				r.Notes = n + "; " + r.Notes
			}
			results = append(results, r)
		}
	}
	if err := writeJSON(out, results); err != nil {
		return err
	}
	printTable(os.Stdout, results)
	fmt.Printf("\nwrote %s\n", out)
	return nil
}

// build computes one figure from the parsed samples.
func build(s spec, samples map[string][]float64) (Result, error) {
	vals, err := values(s.value, samples)
	if err != nil {
		return Result{}, err
	}
	r := Result{Name: s.name, Value: median(vals), Unit: s.unit, BaselineName: s.baseName, Notes: s.notes,
		Samples: Samples{N: len(vals), Min: slices.Min(vals), Max: slices.Max(vals), Values: vals}}
	if s.base != nil {
		bv, err := values(*s.base, samples)
		if err != nil {
			return Result{}, err
		}
		b := median(bv)
		r.BaselineValue = &b
		if b != 0 {
			ratio := r.Value / b
			r.Ratio = &ratio
		}
	}
	return r, nil
}

func values(m metricRef, samples map[string][]float64) ([]float64, error) {
	raw := samples[m.bench+" "+m.metric]
	if len(raw) == 0 {
		return nil, fmt.Errorf("no %s samples for %s in the raw output", m.metric, m.bench)
	}
	vals := make([]float64, len(raw))
	for i, v := range raw {
		vals[i] = v * m.scale
	}
	return vals, nil
}

func median(vals []float64) float64 {
	s := slices.Sorted(slices.Values(vals))
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

var procSuffix = regexp.MustCompile(`-\d+$`)

var configLine = regexp.MustCompile(`^([a-z][a-z0-9-]*): (.+)$`)

// parseFile reads go test -bench output into "<bench> <metric>" → values,
// one value per result line, in run order, and its "key: value"
// configuration lines into config.
func parseFile(path string) (samples map[string][]float64, config map[string]string, err error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("open raw output: %w", err)
	}
	defer f.Close()
	out, config := map[string][]float64{}, map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if m := configLine.FindStringSubmatch(sc.Text()); m != nil {
			config[m[1]] = strings.TrimSpace(m[2])
			continue
		}
		fields := strings.Fields(sc.Text())
		if len(fields) < 4 || !strings.HasPrefix(fields[0], "Benchmark") {
			continue
		}
		if _, err := strconv.Atoi(fields[1]); err != nil {
			continue // not a result line
		}
		name := procSuffix.ReplaceAllString(fields[0], "")
		for i := 2; i+1 < len(fields); i += 2 {
			v, err := strconv.ParseFloat(fields[i], 64)
			if err != nil {
				break
			}
			key := name + " " + fields[i+1]
			out[key] = append(out[key], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, nil, fmt.Errorf("read %s: %w", path, err)
	}
	return out, config, nil
}

func writeJSON(path string, results []Result) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("create %s: %w", filepath.Dir(path), err)
	}
	data, err := json.MarshalIndent(results, "", "  ")
	if err != nil {
		return fmt.Errorf("encode results: %w", err)
	}
	if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func printTable(f *os.File, results []Result) {
	w := tabwriter.NewWriter(f, 0, 0, 2, ' ', 0)
	fmt.Fprintln(w, "FIGURE\tMEDIAN\tUNIT\tMIN..MAX (N)\tBASELINE\tBASELINE MEDIAN\tRATIO")
	for _, r := range results {
		base, bval, ratio := "-", "-", "-"
		if r.BaselineName != "" {
			base = r.BaselineName
		}
		if r.BaselineValue != nil {
			bval = num(*r.BaselineValue)
		}
		if r.Ratio != nil {
			ratio = fmt.Sprintf("%.3f", *r.Ratio)
		}
		fmt.Fprintf(w, "%s\t%s\t%s\t%s..%s (%d)\t%s\t%s\t%s\n", r.Name, num(r.Value), r.Unit,
			num(r.Samples.Min), num(r.Samples.Max), r.Samples.N, base, bval, ratio)
	}
	w.Flush()
}

func num(v float64) string {
	switch {
	case v >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case v >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
}
