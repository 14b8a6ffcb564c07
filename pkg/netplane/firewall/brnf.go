package firewall

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"

	"github.com/vishvananda/netns"
)

// brnfSysctls make bridged IPv4/IPv6 frames traverse the inet hooks (and
// conntrack). They are per network namespace on Linux ≥ 5.3.
var brnfSysctls = []string{
	"/proc/sys/net/bridge/bridge-nf-call-iptables",
	"/proc/sys/net/bridge/bridge-nf-call-ip6tables",
}

// enableBrNetfilter loads br_netfilter when needed and turns its sysctls on
// inside namespace ns (zero handle = this process's namespace).
func enableBrNetfilter(ns netns.NsHandle) error {
	if _, err := os.Stat("/proc/sys/net/bridge"); errors.Is(err, os.ErrNotExist) {
		if out, err := exec.Command("modprobe", "br_netfilter").CombinedOutput(); err != nil {
			return fmt.Errorf("modprobe br_netfilter: %v: %s", err, strings.TrimSpace(string(out)))
		}
	}
	return inNetNS(ns, func() error {
		for _, path := range brnfSysctls {
			if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
				return fmt.Errorf("enable %s: %w", path, err)
			}
		}
		return nil
	})
}

// inNetNS runs fn on an OS thread switched into ns. /proc/sys/net shows
// the namespace of the thread that opens it.
func inNetNS(ns netns.NsHandle, fn func() error) error {
	if !ns.IsOpen() {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread, left in ns, exits with the goroutine.
		runtime.LockOSThread()
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("enter netns: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
