package netplane

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/netplane/nsrun"
)

// bridgeSysctls are the IPv4 settings of a subnet bridge: forwarding only
// with NAT (so without it the subnet has no route out even on a host that
// forwards), loose reverse-path filtering (two VPCs reusing a CIDR route it
// to two bridges; strict filtering would drop the second one's ARP and
// packets) and ARP answers only for the bridge's own addresses.
func bridgeSysctls(br string, nat bool) map[string]string {
	fwd := "0"
	if nat {
		fwd = "1"
	}
	dir := filepath.Join("ipv4/conf", br)
	return map[string]string{
		filepath.Join(dir, "forwarding"): fwd,
		filepath.Join(dir, "rp_filter"):  "2",
		filepath.Join(dir, "arp_ignore"): "1",
	}
}

// uplinkSysctls let NAT replies arriving on the uplink be forwarded. The
// Plane turns this on for a configured uplink and never turns it off (the
// operator opted in; the edge table drops whatever is not a NAT reply).
func uplinkSysctls(uplink string) map[string]string {
	return map[string]string{filepath.Join("ipv4/conf", uplink, "forwarding"): "1"}
}

// writeSysctls sets /proc/sys/net/<key> = value in the Plane's namespace,
// skipping values already right.
func (p *Plane) writeSysctls(kv map[string]string) error {
	keys := make([]string, 0, len(kv))
	for k := range kv {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return p.InNetNS(func() error {
		var errs []error
		for _, k := range keys {
			path := filepath.Join("/proc/sys/net", k)
			if cur, err := os.ReadFile(path); err == nil && strings.TrimSpace(string(cur)) == kv[k] {
				continue
			}
			if err := os.WriteFile(path, []byte(kv[k]+"\n"), 0o644); err != nil {
				errs = append(errs, fmt.Errorf("sysctl net/%s: %w", k, err))
			}
		}
		return errors.Join(errs...)
	})
}

// InNetNS runs fn on an OS thread switched into the Plane's namespace (at
// once, on the caller's goroutine, without a NetNS): /proc/sys/net and the
// sockets fn opens belong to that namespace, also when used from any
// thread later.
func (p *Plane) InNetNS(fn func() error) error {
	if p.cfg.NetNS == "" {
		return fn()
	}
	return nsrun.Run(p.ns, fn)
}
