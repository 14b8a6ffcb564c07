// Command ec2d is the control plane of one ec2lab region.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/fspath"
	"github.com/ec2lab/ec2lab/pkg/server"
	"github.com/ec2lab/ec2lab/pkg/version"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ec2d:", err)
		os.Exit(1)
	}
}

type flags struct {
	allInOne       bool
	dataDir        string
	configFile     string
	grpcAddr       string
	httpAddr       string
	httpsAddr      string
	agentAddr      string
	agentTLSDir    string
	caDir          string
	grpcTLSHosts   []string
	grpcPlaintext  bool
	domainType     string
	registerImages []string
	logFormat      string
	domainPrefix   string
	imageDirs      []string
	elasticIPPool  []string
	etcdEndpoints  []string
}

func newRootCommand() *cobra.Command {
	var f flags
	cmd := &cobra.Command{
		Use:     "ec2d",
		Short:   "ec2d serves one ec2lab region: EC2-style API, scheduler, state store and reconcilers",
		Version: version.Version,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			return run(cmd.Context(), f)
		},
		SilenceUsage: true,
	}
	cmd.AddCommand(newCACommand())
	cmd.AddCommand(newKeysCommand())
	fl := cmd.Flags()
	fl.BoolVar(&f.allInOne, "all-in-one", false, "run region lab-1 with zone lab-1a and an embedded agent for this host")
	fl.StringVar(&f.dataDir, "data-dir", "./var", "directory for the state store, pools, credentials")
	fl.StringVar(&f.configFile, "config", "", "region config file (YAML); see deploy/")
	fl.StringVar(&f.grpcAddr, "grpc-addr", "127.0.0.1:7700", "gRPC API listen address")
	fl.StringVar(&f.httpAddr, "http-addr", "127.0.0.1:7780", "HTTP listen address (EC2 Query API, /metrics, /healthz, /readyz)")
	fl.StringVar(&f.httpsAddr, "https-addr", "", "also serve the HTTP listener's handler over TLS here, with a certificate from the region CA (--ca-dir); the AWS CLI trusts it with --ca-bundle (empty: none)")
	fl.StringVar(&f.agentAddr, "agent-addr", "", "serve the agent registry for standalone ec2-agent processes here (empty: none)")
	fl.StringVar(&f.agentTLSDir, "agent-tls-dir", "", "region CA directory (ec2d ca init): mutual TLS with agents; without it agent traffic is plaintext and loopback only")
	fl.StringVar(&f.caDir, "ca-dir", "", "region CA directory whose CA issues the gRPC API's TLS certificate; ec2ctl trusts its ca.pem (default: --agent-tls-dir if given, else DATA_DIR/ca, created on first start)")
	fl.StringSliceVar(&f.grpcTLSHosts, "grpc-tls-host", nil, "extra DNS name or IP for the gRPC API's certificate (repeatable; the listen address, localhost and loopback are always in it)")
	fl.BoolVar(&f.grpcPlaintext, "grpc-plaintext-loopback", false, "serve the gRPC API without TLS; refused unless --grpc-addr is a loopback address")
	fl.StringVar(&f.domainType, "domain-type", "", "force guest domain type: kvm or qemu (default: detect)")
	fl.StringArrayVar(&f.registerImages, "register-image", nil, "NAME=BUNDLE_DIR: register an image bundle as an AMI at start unless one of that name exists")
	fl.StringVar(&f.logFormat, "log-format", "text", "log format: text or json")
	fl.StringVar(&f.domainPrefix, "domain-prefix", "", "all-in-one: prefix of the libvirt domain names the embedded agent owns (default ec2lab-)")
	fl.StringArrayVar(&f.imageDirs, "image-dir", nil, "directory RegisterImage may read disk images and bundles from and ExportImage may write into: each account its own DIR/ACCOUNT-ID, the admin key all of it (repeatable; default DATA_DIR/images)")
	fl.StringArrayVar(&f.elasticIPPool, "elastic-ip-pool", nil, "IPv4 CIDR or FIRST-LAST range of the region's Elastic IP pool, added to the config's elastic_ip_pool (repeatable; default: none, AllocateAddress is refused)")
	fl.StringSliceVar(&f.etcdEndpoints, "etcd-endpoints", nil, "keep the state in this etcd cluster (client URLs, comma-separated) instead of DATA_DIR/state.db; "+
		"replaces the config's store.etcd.endpoints (prefix and TLS still come from the config)")
	return cmd
}

func run(parent context.Context, f flags) error {
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := newLogger(f.logFormat)
	if err := fspath.Abs(&f.dataDir, &f.configFile, &f.agentTLSDir, &f.caDir); err != nil {
		return err
	}
	cfg, err := loadConfig(f)
	if err != nil {
		return err
	}
	images := map[string]string{}
	for _, r := range f.registerImages {
		name, dir, ok := strings.Cut(r, "=")
		if !ok || name == "" || dir == "" {
			return fmt.Errorf("--register-image %q: want NAME=BUNDLE_DIR", r)
		}
		if err := fspath.Abs(&dir); err != nil {
			return fmt.Errorf("--register-image %q: %w", r, err)
		}
		images[name] = dir
	}
	log.Info("ec2d starting", "version", version.Version, "region", cfg.Region, "data_dir", f.dataDir)
	return server.Run(ctx, server.Options{Config: cfg, DataDir: f.dataDir, GRPCAddr: f.grpcAddr,
		HTTPAddr: f.httpAddr, HTTPSAddr: f.httpsAddr, AgentAddr: f.agentAddr, AgentTLSDir: f.agentTLSDir, GRPCCADir: f.caDir,
		GRPCTLSHosts: f.grpcTLSHosts, GRPCPlaintextLoopback: f.grpcPlaintext, RegisterImages: images, Log: log})
}

func loadConfig(f flags) (server.Config, error) {
	var cfg server.Config
	switch {
	case f.configFile != "":
		c, err := server.LoadConfig(f.configFile)
		if err != nil {
			return cfg, err
		}
		cfg = c
	case f.allInOne:
		cfg = server.AllInOne(f.dataDir)
		if f.domainPrefix != "" {
			cfg.EmbeddedAgents[0].DomainPrefix = f.domainPrefix
		}
	default:
		return cfg, fmt.Errorf("give --all-in-one or --config FILE")
	}
	if f.domainType != "" {
		cfg.DomainType = f.domainType
	}
	if err := imageDirs(&cfg, f); err != nil {
		return cfg, err
	}
	etcdEndpoints(&cfg.Store, f.etcdEndpoints)
	cfg.ElasticIPPool = append(cfg.ElasticIPPool, f.elasticIPPool...)
	if _, err := controller.ParseElasticIPPool(cfg.ElasticIPPool); err != nil {
		return cfg, fmt.Errorf("--elastic-ip-pool: %w", err)
	}
	if err := cfg.Store.Validate(); err != nil {
		return cfg, err
	}
	return cfg, cfg.MakeAbsolute()
}

// etcdEndpoints applies --etcd-endpoints to the store section.
func etcdEndpoints(sc *server.StoreConfig, endpoints []string) {
	if len(endpoints) == 0 {
		return
	}
	if sc.Etcd == nil {
		sc.Etcd = &server.EtcdStoreConfig{}
	}
	sc.Etcd.Endpoints = endpoints
}

// imageDirs adds --image-dir to the config's image_dirs, or DATA_DIR/images
// (made if missing) when neither names one.
func imageDirs(cfg *server.Config, f flags) error {
	cfg.ImageDirs = append(cfg.ImageDirs, f.imageDirs...)
	if len(cfg.ImageDirs) == 0 {
		def := filepath.Join(f.dataDir, "images")
		if err := fsmode.MkdirAll(def, fsmode.Dir); err != nil {
			return fmt.Errorf("image directory: %w", err)
		}
		cfg.ImageDirs = []string{def}
	}
	return nil
}

func newLogger(format string) *slog.Logger {
	if format == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	return slog.New(slog.NewTextHandler(os.Stderr, nil))
}
