package server

import (
	"fmt"
	"net/netip"
	"os"
	"path/filepath"

	"sigs.k8s.io/yaml"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/fspath"
	"github.com/ec2lab/ec2lab/pkg/throttle"
)

// Config is ec2d's configuration: the region plus how this process serves it.
type Config struct {
	controller.Config
	// EmbeddedAgents run in this process, each posing as one host.
	EmbeddedAgents []AgentSpec `json:"embedded_agents"`
	// LibvirtURI is the libvirtd embedded agents drive.
	LibvirtURI string `json:"libvirt_uri"`
	// DomainType forces kvm or qemu; "auto" (default) detects.
	DomainType string `json:"domain_type"`
	// PeerAPI, when set, serves other regions' cross-region copies
	// (peerapi.go).
	PeerAPI *PeerAPISpec `json:"peer_api,omitempty"`
	// Throttling sizes the per-account request buckets of both edges
	// (EC2's defaults; `disabled: true` turns throttling off).
	Throttling throttle.Config `json:"throttling"`
	// Store selects the state store (store.go): bbolt in the data dir
	// unless `store: {etcd: ...}` names an etcd cluster.
	Store StoreConfig `json:"store"`
}

// AgentSpec is one embedded agent.
type AgentSpec struct {
	HostID       string `json:"host_id"`
	AZ           string `json:"availability_zone"`
	DomainPrefix string `json:"domain_prefix"`
	LocalPool    string `json:"local_pool"`
	StateDir     string `json:"state_dir"`
	// NATUplink opts the host in to NAT egress out of this interface
	// (agent.Config.NATUplink); empty, the default, means no way out.
	NATUplink string `json:"nat_uplink,omitempty"`
	// PublicUplink is the interface the host answers its instances'
	// Elastic IPs on (agent.Config.PublicUplink); empty, the default,
	// Elastic IPs are not reachable through this host.
	PublicUplink string `json:"public_uplink,omitempty"`
	// VTEP is the host's VXLAN endpoint address (agent.Config.VTEP);
	// empty, subnets stay host-local.
	VTEP netip.Addr `json:"vtep,omitzero"`
	// NetNS is the named network namespace of the host's data plane
	// (agent.Config.NetNS); empty, the process's own.
	NetNS string `json:"netns,omitempty"`
}

// AllInOne is the config of `ec2d --all-in-one`: region lab-1, zone lab-1a,
// one embedded agent for this host, everything under dataDir.
func AllInOne(dataDir string) Config {
	host, _ := os.Hostname()
	if host == "" {
		host = "localhost"
	}
	return Config{
		Config: controller.Config{Region: "lab-1", AvailabilityZones: []controller.ZoneSpec{
			{Name: "lab-1a", ID: "lab-1-az1", Pool: filepath.Join(dataDir, "pools", "lab-1a")}}},
		EmbeddedAgents: []AgentSpec{{HostID: "h-" + host, AZ: "lab-1a", DomainPrefix: "ec2lab-",
			LocalPool: filepath.Join(dataDir, "local"), StateDir: filepath.Join(dataDir, "agent")}},
		LibvirtURI: "qemu:///system", DomainType: "auto",
	}
}

// LoadConfig reads a YAML config file.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	var c Config
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		return Config{}, fmt.Errorf("parse config %s: %w", path, err)
	}
	if c.LibvirtURI == "" {
		c.LibvirtURI = "qemu:///system"
	}
	c.Config = c.Config.WithDefaults()
	if err := c.PeerAPI.validate(); err != nil {
		return Config{}, err
	}
	if err := c.Throttling.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	if err := c.Store.Validate(); err != nil {
		return Config{}, fmt.Errorf("config %s: %w", path, err)
	}
	return c, c.Config.Validate()
}

// MakeAbsolute resolves every path of the config against the working
// directory (fspath), so none reaches a child process relative.
func (c *Config) MakeAbsolute() error {
	for i := range c.AvailabilityZones {
		if err := fspath.Abs(&c.AvailabilityZones[i].Pool); err != nil {
			return fmt.Errorf("zone %s pool: %w", c.AvailabilityZones[i].Name, err)
		}
	}
	for i := range c.Peers {
		if err := fspath.Abs(&c.Peers[i].CredentialsFile); err != nil {
			return fmt.Errorf("peer %s credentials: %w", c.Peers[i].Name, err)
		}
		if err := absTLS(c.Peers[i].TLS); err != nil {
			return fmt.Errorf("peer %s tls: %w", c.Peers[i].Name, err)
		}
	}
	if c.PeerAPI != nil {
		if err := absTLS(c.PeerAPI.TLS); err != nil {
			return fmt.Errorf("peer_api tls: %w", err)
		}
	}
	if err := c.Store.makeAbsolute(); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	for i := range c.EmbeddedAgents {
		a := &c.EmbeddedAgents[i]
		if err := fspath.Abs(&a.LocalPool, &a.StateDir); err != nil {
			return fmt.Errorf("embedded agent %s: %w", a.HostID, err)
		}
	}
	return fspath.AbsAll(c.ImageDirs)
}

func absTLS(f *controller.TLSFiles) error {
	if f == nil {
		return nil
	}
	return fspath.Abs(&f.CA, &f.Cert, &f.Key)
}
