package e2e

import (
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
)

// timings are the durations of the tests that called requireHost.
var timings struct {
	sync.Mutex
	byTest map[string]time.Duration
}

// timeTest records how long t takes, for the summary TestMain writes.
func timeTest(t *testing.T) {
	start := time.Now()
	t.Cleanup(func() {
		timings.Lock()
		defer timings.Unlock()
		if timings.byTest == nil {
			timings.byTest = map[string]time.Duration{}
		}
		timings.byTest[t.Name()] = time.Since(start)
	})
}

// TestMain removes the binaries built for this run and, when
// $EC2LAB_E2E_TIMINGS names a file, writes each test's duration there
// (slowest first): `go test` shows nothing of a passing package.
func TestMain(m *testing.M) {
	if dev := os.Getenv(proxyDeviceEnv); dev != "" { // ssh's ProxyCommand (debian_test.go)
		os.Exit(proxyToDevice(dev, os.Args[1:]))
	}
	code := m.Run()
	if binDir != "" {
		_ = os.RemoveAll(binDir)
	}
	if path := os.Getenv("EC2LAB_E2E_TIMINGS"); path != "" {
		if err := os.WriteFile(path, []byte(timingReport()), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, "e2e timings:", err)
		}
	}
	os.Exit(code)
}

func timingReport() string {
	timings.Lock()
	defer timings.Unlock()
	names := make([]string, 0, len(timings.byTest))
	var total time.Duration
	for n, d := range timings.byTest {
		names = append(names, n)
		total += d
	}
	sort.Slice(names, func(i, j int) bool { return timings.byTest[names[i]] > timings.byTest[names[j]] })
	var b strings.Builder
	fmt.Fprintf(&b, "e2e test durations (total %v):\n", total.Round(time.Second))
	for _, n := range names {
		fmt.Fprintf(&b, "%8v  %s\n", timings.byTest[n].Round(100*time.Millisecond), n)
	}
	return b.String()
}
