package firewall

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/vishvananda/netns"

	"github.com/ec2lab/ec2lab/pkg/netplane/nsrun"
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
	return nsrun.Run(ns, func() error {
		for _, path := range brnfSysctls {
			if err := os.WriteFile(path, []byte("1\n"), 0o644); err != nil {
				return fmt.Errorf("enable %s: %w", path, err)
			}
		}
		return nil
	})
}
