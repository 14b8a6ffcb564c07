package netplane

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/netip"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
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
		"--user=" + p.cfg.DnsmasqUser,
	}
	if s.VNI != 0 {
		args = append(args, fmt.Sprintf("--dhcp-option=option:mtu,%d", p.cfg.UnderlayMTU-vxlanOverhead))
	}
	switch d := s.DNS; {
	case d == nil:
	case d.DHCP != nil:
		args = append(args, dhcpOptionArgs(*d.DHCP)...)
	default:
		args = append(args, "--dhcp-option=option:domain-name,"+d.Domain)
		if d.Support {
			args = append(args, "--dhcp-option=option:dns-server,"+d.Server.String())
		}
	}
	return args
}

// dhcpOptionArgs are dnsmasq's options for a VPC's DHCP option set.
func dhcpOptionArgs(o DHCPOptions) []string {
	var args []string
	if o.DomainName != "" {
		args = append(args, "--dhcp-option=option:domain-name,"+o.DomainName)
	}
	for _, l := range []struct {
		name  string
		addrs []netip.Addr
	}{{"dns-server", o.DNSServers}, {"ntp-server", o.NTPServers}, {"netbios-ns", o.NetBIOSServers}} {
		if len(l.addrs) == 0 {
			continue
		}
		list := make([]string, len(l.addrs))
		for i, a := range l.addrs {
			list[i] = a.String()
		}
		args = append(args, "--dhcp-option=option:"+l.name+","+strings.Join(list, ","))
	}
	if o.NetBIOSNodeType != 0 {
		args = append(args, fmt.Sprintf("--dhcp-option=option:netbios-nodetype,%d", o.NetBIOSNodeType))
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
	hostsChanged, err := p.writeHostsFile(p.statePath(br, "hosts"), hostsFile(s))
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
	// dnsmasq makes its lease and log files with umask 022: make them
	// private first (it opens existing ones and keeps their mode).
	for _, ext := range []string{"leases", "log"} {
		if err := p.privateStateFile(p.statePath(br, ext)); err != nil {
			return fmt.Errorf("start dnsmasq on %s: %w", br, err)
		}
	}
	out, err := exec.CommandContext(ctx, argv[0], argv[1:]...).CombinedOutput()
	if err != nil {
		return fmt.Errorf("start dnsmasq on %s: %w: %s", br, err, strings.TrimSpace(string(out)))
	}
	// dnsmasq writes its pid file 0644 as well: private like the rest.
	if err := os.Chmod(p.statePath(br, "pid"), fsmode.File); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("start dnsmasq on %s: %w", br, err)
	}
	p.log.Info("dnsmasq started", "bridge", br)
	return nil
}

// writeIfChanged writes data to path (fsmode.File) unless it already holds
// exactly that.
func writeIfChanged(path string, data []byte) (bool, error) {
	if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, data) {
		return false, nil
	}
	if err := fsmode.WriteFile(path, data, fsmode.File); err != nil {
		return false, fmt.Errorf("write %s: %w", path, err)
	}
	return true, nil
}

// resolveDnsmasqUser picks the account dnsmasq runs as (Config.DnsmasqUser).
func (p *Plane) resolveDnsmasqUser() error {
	name := p.cfg.DnsmasqUser
	if name == "" {
		name = "dnsmasq"
		if _, err := user.Lookup(name); err != nil {
			name = "nobody"
			p.log.Warn("no dnsmasq account on this host: dnsmasq runs as nobody, who can then read its DHCP hosts files (guest MACs, IPs, names)")
		}
	}
	u, err := user.Lookup(name)
	if err != nil {
		return fmt.Errorf("dnsmasq user %s: %w", name, err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("dnsmasq user %s: %w", name, err)
	}
	p.cfg.DnsmasqUser, p.dnsmasqUID, p.dnsmasqGID = name, uid, gid
	return nil
}

// writeHostsFile writes a bridge's dhcp-hostsfile private to dnsmasq's
// account (fsmode.File, owned by it): dnsmasq rereads it on SIGHUP after it
// dropped root.
func (p *Plane) writeHostsFile(path string, data []byte) (bool, error) {
	changed, err := writeIfChanged(path, data)
	if err != nil {
		return false, err
	}
	if err := os.Chown(path, p.dnsmasqUID, p.dnsmasqGID); err != nil {
		return false, fmt.Errorf("hosts file %s: %w", path, err)
	}
	return changed, nil
}

// privateStateFile makes path, if missing, an empty fsmode.File owned by
// dnsmasq's account; an existing one is made private, keeping its data.
func (p *Plane) privateStateFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE, fsmode.File)
	if err != nil {
		return err
	}
	defer f.Close()
	if err := f.Chmod(fsmode.File); err != nil {
		return err
	}
	return f.Chown(p.dnsmasqUID, p.dnsmasqGID)
}
