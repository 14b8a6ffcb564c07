package controller

import (
	"fmt"
	"os"
	"time"

	"sigs.k8s.io/yaml"

	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// Config describes one region.
type Config struct {
	Region            string     `json:"region"`
	AvailabilityZones []ZoneSpec `json:"availability_zones"`
	// Peers are other regions (for DescribeRegions and cross-region copies).
	Peers []PeerRegion `json:"peers"`
	// Endpoint is this region's public endpoint, as DescribeRegions shows it.
	Endpoint string `json:"endpoint"`
	// AccountID owns the resources of the admin key made on first start.
	AccountID string `json:"account_id"`
	// VCPUQuota is the per-account limit of running on-demand vCPUs
	// (quotas: running_on_demand_vcpus overrides it).
	VCPUQuota int `json:"vcpu_quota"`
	// Quotas are the account quotas (quotas.go): region-wide and
	// per-account values that replace EC2's defaults.
	Quotas           QuotaConfig `json:"quotas"`
	CPUOvercommit    float64     `json:"cpu_overcommit"`
	MemoryOvercommit float64     `json:"memory_overcommit"`
	// Strategy is the scheduler's weigher: spread (default) or pack.
	Strategy      string               `json:"strategy"`
	InstanceTypes []instancetypes.Type `json:"instance_types"`
	// HeartbeatTimeout marks a host unhealthy after this long without a heartbeat.
	HeartbeatTimeout Duration `json:"heartbeat_timeout"`
	// GCGrace is how long an unowned domain or file must stay unowned before
	// the garbage collector removes it.
	GCGrace Duration `json:"gc_grace"`
	// TerminatedRetention keeps terminated instances visible (EC2: about an hour).
	TerminatedRetention Duration `json:"terminated_retention"`
	// StopTimeout bounds a graceful ACPI shutdown before power-off.
	StopTimeout Duration `json:"stop_timeout"`
	// MaxChainDepth caps a volume's backing chain (files, head included);
	// the compactor (compactor.go) flattens longer chains. Default 16.
	MaxChainDepth int `json:"max_chain_depth"`
	// ImageDirs are the directories of the controller's host that
	// RegisterImage may read disk images and bundles from and ExportImage
	// may write bundles into: each account its own DIR/ACCOUNT-ID, the
	// admin key all of them (image_dirs.go); API callers reach no other
	// file. ec2d adds --image-dir and, when none is given, DATA_DIR/images.
	ImageDirs []string `json:"image_dirs"`
	// ElasticIPPool is the region's pool of Elastic IP addresses: IPv4
	// CIDRs (their network and broadcast addresses left out when larger
	// than a /31) or first-last ranges. Empty, the default: AllocateAddress
	// answers AddressLimitExceeded. ec2d adds --elastic-ip-pool.
	ElasticIPPool []string `json:"elastic_ip_pool,omitempty"`
}

// ZoneSpec is one availability zone and the directory its hosts share for
// EBS volumes and snapshot layers.
type ZoneSpec struct {
	Name string `json:"name"`
	ID   string `json:"id"`
	Pool string `json:"pool"`
}

// PeerRegion is another ec2lab region.
type PeerRegion struct {
	Name     string `json:"name"`
	Endpoint string `json:"endpoint"`
	// GRPCEndpoint is the peer's gRPC API address (host:port), which
	// CopySnapshot and CopyImage pull from.
	GRPCEndpoint string `json:"grpc_endpoint"`
	// CredentialsFile and Profile name an access key of the peer region
	// (its credentials file format) that cross-region copies sign with.
	CredentialsFile string `json:"credentials_file"`
	Profile         string `json:"profile"`
	// TLS is mutual TLS with the peer's peer API (ec2d's peer_api): its CA
	// verifies the peer, our certificate (signed by a CA the peer trusts)
	// identifies this region.
	TLS *TLSFiles `json:"tls,omitempty"`
	// Plaintext pulls without TLS. It must be set explicitly and the
	// grpc_endpoint must be on loopback (one machine, tests).
	Plaintext bool `json:"plaintext,omitempty"`
}

// TLSFiles name PEM files for mutual TLS: CA holds the certificates (one or
// more) that must have signed the other side's, Cert and Key are ours.
// ServerName, for a client, is the name or IP the server's certificate
// must carry (default: the endpoint's host).
type TLSFiles struct {
	CA         string `json:"ca"`
	Cert       string `json:"cert"`
	Key        string `json:"key"`
	ServerName string `json:"server_name,omitempty"`
}

// Files is f as tlsutil takes it.
func (f TLSFiles) Files() tlsutil.Files { return tlsutil.Files{CA: f.CA, Cert: f.Cert, Key: f.Key} }

// validatePeerTransport: a peer pulled from is reached over mutual TLS, or
// in plaintext only when asked for and on loopback.
func (p PeerRegion) validatePeerTransport() error {
	switch {
	case p.GRPCEndpoint == "":
		return nil // listed for DescribeRegions only
	case p.TLS != nil && p.Plaintext:
		return fmt.Errorf("peer %s: give tls or plaintext, not both", p.Name)
	case p.TLS != nil && (p.TLS.CA == "" || p.TLS.Cert == "" || p.TLS.Key == ""):
		return fmt.Errorf("peer %s: tls needs ca, cert and key", p.Name)
	case p.TLS == nil && !p.Plaintext:
		return fmt.Errorf("peer %s: copies pull over mutual TLS: give tls (ca, cert, key), or plaintext: true on loopback", p.Name)
	case p.Plaintext:
		if err := tlsutil.RequireLoopback(p.GRPCEndpoint); err != nil {
			return fmt.Errorf("peer %s: plaintext: %w", p.Name, err)
		}
	}
	return nil
}

// Duration is a time.Duration that reads "30s" from YAML/JSON.
type Duration struct{ time.Duration }

// UnmarshalJSON parses "30s" or a number of seconds.
func (d *Duration) UnmarshalJSON(b []byte) error {
	s := string(b)
	if len(s) > 1 && s[0] == '"' {
		v, err := time.ParseDuration(s[1 : len(s)-1])
		d.Duration = v
		return err
	}
	var secs float64
	if _, err := fmt.Sscan(s, &secs); err != nil {
		return fmt.Errorf("duration %s: %w", s, err)
	}
	d.Duration = time.Duration(secs * float64(time.Second))
	return nil
}

// MarshalJSON writes the duration as "30s".
func (d Duration) MarshalJSON() ([]byte, error) { return []byte(`"` + d.String() + `"`), nil }

// LoadConfig reads a YAML region config.
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return Config{}, fmt.Errorf("read config: %w", err)
	}
	var c Config
	if err := yaml.UnmarshalStrict(b, &c); err != nil {
		return Config{}, fmt.Errorf("parse config %s: %w", path, err)
	}
	return c.withDefaults(), c.withDefaults().Validate()
}

func (c Config) withDefaults() Config {
	if c.Region == "" {
		c.Region = "lab-1"
	}
	if c.AccountID == "" {
		c.AccountID = "000000000001"
	}
	if c.VCPUQuota == 0 {
		c.VCPUQuota = 256
	}
	if c.CPUOvercommit == 0 {
		c.CPUOvercommit = 4
	}
	if c.MemoryOvercommit == 0 {
		c.MemoryOvercommit = 1
	}
	if c.Strategy == "" {
		c.Strategy = "spread"
	}
	if c.HeartbeatTimeout.Duration == 0 {
		c.HeartbeatTimeout.Duration = 15 * time.Second
	}
	if c.GCGrace.Duration == 0 {
		c.GCGrace.Duration = 2 * time.Minute
	}
	if c.TerminatedRetention.Duration == 0 {
		c.TerminatedRetention.Duration = time.Hour
	}
	if c.StopTimeout.Duration == 0 {
		c.StopTimeout.Duration = 60 * time.Second
	}
	if c.MaxChainDepth == 0 {
		c.MaxChainDepth = 16
	}
	for i := range c.AvailabilityZones {
		if c.AvailabilityZones[i].ID == "" {
			c.AvailabilityZones[i].ID = fmt.Sprintf("%s-az%d", c.Region, i+1)
		}
	}
	return c
}

// WithDefaults fills unset fields.
func (c Config) WithDefaults() Config { return c.withDefaults() }

// Validate checks the config is usable.
func (c Config) Validate() error {
	if err := c.Quotas.validate(); err != nil {
		return fmt.Errorf("region %s: %w", c.Region, err)
	}
	if len(c.AvailabilityZones) == 0 {
		return fmt.Errorf("region %s: no availability zones configured", c.Region)
	}
	seen := map[string]bool{}
	for _, z := range c.AvailabilityZones {
		if z.Name == "" || z.Pool == "" {
			return fmt.Errorf("region %s: zone needs name and pool", c.Region)
		}
		if seen[z.Name] {
			return fmt.Errorf("region %s: zone %s listed twice", c.Region, z.Name)
		}
		seen[z.Name] = true
	}
	if _, err := ParseElasticIPPool(c.ElasticIPPool); err != nil {
		return fmt.Errorf("region %s: %w", c.Region, err)
	}
	for _, p := range c.Peers {
		if err := p.validatePeerTransport(); err != nil {
			return fmt.Errorf("region %s: %w", c.Region, err)
		}
	}
	return nil
}

// Zone returns the zone spec by name.
func (c Config) Zone(name string) (ZoneSpec, bool) {
	for _, z := range c.AvailabilityZones {
		if z.Name == name {
			return z, true
		}
	}
	return ZoneSpec{}, false
}
