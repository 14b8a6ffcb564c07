package netplane

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"

	"github.com/ec2lab/ec2lab/pkg/network"
)

// dnsmasqArgs is the full command line (without the binary) of the DHCP
// server of subnet s on bridge br: static leases only, no DNS (port 0), no
// system configuration, state files under StateDir. With a DNS server it
// hands out the VPC's domain and, while DNS support is on, the server as
// the guests' resolver.
func (p *Plane) dnsmasqArgs(s Subnet, br string) []string {
	args := []string{
		"--conf-file=/dev/null",
		"--bind-interfaces", "--interface=" + br, "--except-interface=lo",
		"--port=0", "--no-resolv", "--no-hosts", "--dhcp-authoritative",
		"--dhcp-range=" + s.CIDR.Masked().Addr().String() + ",static," + network.Netmask(s.CIDR).String() + ",infinite",
		"--dhcp-option=option:router," + network.Gateway(s.CIDR).String(),
		"--dhcp-hostsfile=" + p.statePath(br, "hosts"),
		"--dhcp-leasefile=" + p.statePath(br, "leases"),
		"--log-facility=" + p.statePath(br, "log"),
		"--pid-file=" + p.statePath(br, "pid"),
	}
	if s.VNI != 0 {
		args = append(args, fmt.Sprintf("--dhcp-option=option:mtu,%d", p.cfg.UnderlayMTU-vxlanOverhead))
	}
	if d := s.DNS; d != nil {
		args = append(args, "--dhcp-option=option:domain-name,"+d.Domain)
		if d.Support {
			args = append(args, "--dhcp-option=option:dns-server,"+d.Server.String())
		}
	}
	return args
}

// hostsFile is the dhcp-hostsfile of s: MAC,IP,hostname,infinite per NIC.
func hostsFile(s Subnet) []byte {
	var b bytes.Buffer
	for _, nic := range s.NICs {
		fmt.Fprintf(&b, "%s,%s,%s,infinite\n", nic.MAC, nic.IP, hostname(nic))
	}
	return b.Bytes()
}

func (p *Plane) statePath(br, ext string) string {
	return filepath.Join(p.cfg.StateDir, br+"."+ext)
}

// ensureDnsmasq writes the hosts file and makes one dnsmasq with exactly
// the expected command line serve br: started when missing, restarted when
// its arguments differ or restart is set (a recreated bridge), and told to
// reread its hosts file (SIGHUP) when that changed.
func (p *Plane) ensureDnsmasq(ctx context.Context, s Subnet, br string, running map[string]process, restart bool) error {
	hostsChanged, err := writeIfChanged(p.statePath(br, "hosts"), hostsFile(s))
	if err != nil {
		return err
	}
	args := p.dnsmasqArgs(s, br)
	cur, ok := running[br]
	if ok && (restart || !slices.Equal(cur.args, args)) {
		if err := stopProcess(ctx, cur.pid); err != nil {
			return fmt.Errorf("restart dnsmasq on %s: %w", br, err)
		}
		ok = false
	}
	if !ok {
		return p.startDnsmasq(ctx, br, args)
	}
	if hostsChanged {
		if err := syscall.Kill(cur.pid, syscall.SIGHUP); err != nil {
			return fmt.Errorf("reload dnsmasq %d on %s: %w", cur.pid, br, err)
		}
		p.log.Info("dnsmasq reloaded", "bridge", br, "pid", cur.pid)
	}
	return nil
}

// startDnsmasq runs dnsmasq, which daemonizes once it is serving (so it
// outlives an agent restart) and reports startup errors before that.
func (p *Plane) startDnsmasq(ctx context.Context, br string, args []string) error {
	argv := append([]string{p.cfg.Dnsmasq}, args...)
	if p.cfg.NetNS != "" {
		argv = append([]string{"ip", "netns", "exec", p.cfg.NetNS}, argv...)
	}
	os.Remove(p.statePath(br, "pid"))
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("start dnsmasq on %s: %w: %s", br, err, strings.TrimSpace(string(out)))
	}
	p.log.Info("dnsmasq started", "bridge", br)
	return nil
}

// writeIfChanged writes data to path unless it already holds exactly that.
func writeIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}
