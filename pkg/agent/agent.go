// Package agent is the host agent: it serves agentv1.Host on one
// hypervisor host, turning the controller's requests into libvirt domains
// (through pkg/hypervisor), volume files (pkg/storage, the AZ's shared EBS
// pool and the host-local instance store) and NoCloud seeds (pkg/cloudinit).
// Its own state lives in libvirt (domains and their ec2lab metadata) and in
// StateDir; Recover rebuilds the view and removes leftovers after a crash.
//
// Naming: the libvirt domain of instance i-X is DomainPrefix+"i-X". Volume
// IDs in requests (VolumeRef.volume_id, CreateVolumeRequest.volume_id,
// SnapshotVolumeRequest.volume_id, Disk.path) are FILE NAMES in the pool
// (the controller owns the naming, e.g. "vol-0abc….qcow2"); absolute paths
// in Disk.path are taken as they are.
package agent

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/fspath"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// Config is what one agent needs to know about its host.
type Config struct {
	HostID, Region, AZ string
	// DomainPrefix starts every libvirt domain name this agent owns, so
	// several agents can share one libvirtd (tests use distinct prefixes).
	DomainPrefix string
	DomainType   virttype.Decision
	// SharedPool is the AZ's EBS pool (volumes, snapshot layers).
	SharedPool *storage.Pool
	// LocalPool is the host-local instance store.
	LocalPool *storage.Pool
	// StateDir holds seeds/<id>.iso, console/<id>.log and specs/<id>.json.
	StateDir string
	Version  string
	// VTEP is this host's VXLAN endpoint; unset, subnets are host-local
	// bridges (single-host mode). See network.go.
	VTEP netip.Addr
	// NetNS, when set, is the named network namespace (ip netns) holding
	// this agent's data plane (bridges, VXLAN, dnsmasq, metadata service,
	// security groups); the agent itself stays in its own namespace.
	// Guests' taps are adopted into it (taps.go). Tests use it to pose as
	// several hosts on one machine.
	NetNS string
	// NATUplink opts this host in to NAT egress: its subnets masquerade out
	// of this interface (netplane.Config.NATUplink). Empty, the default,
	// instances reach nothing beyond their subnet.
	NATUplink string
	// PublicUplink is the interface this host answers its instances'
	// Elastic IPs on (netplane.Config.PublicUplink). Empty, the default:
	// no Elastic IP is reachable through this host.
	PublicUplink string
}

// Agent implements agentv1.HostServer.
type Agent struct {
	agentv1.UnimplementedHostServer
	cfg Config
	hv  hypervisor.Hypervisor
	log *slog.Logger

	mu    sync.Mutex
	locks map[string]*sync.Mutex // per instance
	// allocMu serialises host resource allocation (pinned CPUs, GPUs)
	// together with the define that records it.
	allocMu sync.Mutex

	memlockOnce sync.Once
	memlockOK   bool
	// net is the host data plane (network.go).
	net agentNet
	// md is the instance metadata service (imds.go).
	md metadataService
	// dns is the VPCs' DNS servers (vpcdns.go).
	dns dnsService
}

var _ agentv1.HostServer = (*Agent)(nil)

// New checks cfg and creates the state directories.
func New(cfg Config, hv hypervisor.Hypervisor, log *slog.Logger) (*Agent, error) {
	if cfg.DomainPrefix == "" || cfg.SharedPool == nil || cfg.LocalPool == nil || cfg.StateDir == "" {
		return nil, fmt.Errorf("agent config: need DomainPrefix, SharedPool, LocalPool and StateDir")
	}
	if cfg.DomainType.Type == "" {
		return nil, fmt.Errorf("agent config: no domain type")
	}
	if err := fspath.RequireAbs("agent config: state dir", cfg.StateDir); err != nil {
		return nil, err
	}
	if log == nil {
		log = slog.Default()
	}
	// QEMU (libvirt-qemu) opens seeds: that branch is traversable
	// (fsmode.Dir); consoles (written by virtlogd) and specs are root's.
	if err := fsmode.MkdirAll(cfg.StateDir, fsmode.Dir); err != nil {
		return nil, fmt.Errorf("agent state dir: %w", err)
	}
	for d, mode := range map[string]os.FileMode{"seeds": fsmode.Dir, "console": fsmode.PrivateDir, "specs": fsmode.PrivateDir} {
		if err := fsmode.MkdirAll(filepath.Join(cfg.StateDir, d), mode); err != nil {
			return nil, fmt.Errorf("agent state dir: %w", err)
		}
	}
	return &Agent{cfg: cfg, hv: hv, log: log, locks: map[string]*sync.Mutex{}}, nil
}

// lock serialises operations on one instance.
func (a *Agent) lock(id string) func() {
	a.mu.Lock()
	l, ok := a.locks[id]
	if !ok {
		l = &sync.Mutex{}
		a.locks[id] = l
	}
	a.mu.Unlock()
	l.Lock()
	return l.Unlock
}

func (a *Agent) domainName(id string) string { return a.cfg.DomainPrefix + id }

func (a *Agent) instanceID(domain string) string { return domain[len(a.cfg.DomainPrefix):] }

func (a *Agent) seedPath(id string) string {
	return filepath.Join(a.cfg.StateDir, "seeds", id+".iso")
}

func (a *Agent) consolePath(id string) string {
	return filepath.Join(a.cfg.StateDir, "console", id+".log")
}

func (a *Agent) specPath(id string) string {
	return filepath.Join(a.cfg.StateDir, "specs", id+".json")
}

// ephemeralName is instance-store disk n of instance id in LocalPool.
func ephemeralName(id string, n int) string { return fmt.Sprintf("%s-ephemeral%d.qcow2", id, n) }

// volumePath resolves a Disk.path: relative to SharedPool, absolute as is.
func (a *Agent) volumePath(p string) string {
	if filepath.IsAbs(p) {
		return p
	}
	return a.cfg.SharedPool.Path(p)
}

func (a *Agent) pool(instanceStore bool) *storage.Pool {
	if instanceStore {
		return a.cfg.LocalPool
	}
	return a.cfg.SharedPool
}
