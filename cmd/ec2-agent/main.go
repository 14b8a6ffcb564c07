// Command ec2-agent runs on each hypervisor host: it serves the agent API
// to the controller and drives the host's libvirtd.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/agent"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/fsmode"
	"github.com/ec2lab/ec2lab/pkg/fspath"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/storage"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
	"github.com/ec2lab/ec2lab/pkg/version"
	"github.com/ec2lab/ec2lab/pkg/virttype"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

func main() {
	if err := newRootCommand().Execute(); err != nil {
		fmt.Fprintln(os.Stderr, "ec2-agent:", err)
		os.Exit(1)
	}
}

type flags struct {
	controller, listen, advertise  string
	hostID, region, az, prefix     string
	pool, localPool, stateDir      string
	libvirtURI, domainType         string
	tlsDir, tlsName                string
	natUplink, publicUplink, netns string
	vtep                           netip.Addr
}

func newRootCommand() *cobra.Command {
	var f flags
	host, _ := os.Hostname()
	cmd := &cobra.Command{
		Use:          "ec2-agent",
		Short:        "ec2-agent owns one hypervisor host: libvirt domains, qcow2 volumes, NoCloud seeds",
		Version:      version.Version,
		Args:         cobra.NoArgs,
		SilenceUsage: true,
		RunE:         func(cmd *cobra.Command, _ []string) error { return run(cmd.Context(), f) },
	}
	fl := cmd.Flags()
	fl.StringVar(&f.controller, "controller", "127.0.0.1:7701", "controller's agent endpoint (Registry)")
	fl.StringVar(&f.listen, "listen", "127.0.0.1:7710", "address the agent API listens on")
	fl.StringVar(&f.advertise, "advertise", "", "address the controller reaches this agent at (default: --listen)")
	fl.StringVar(&f.hostID, "host-id", "h-"+host, "host ID")
	fl.StringVar(&f.region, "region", "lab-1", "region")
	fl.StringVar(&f.az, "availability-zone", "lab-1a", "availability zone of this host")
	fl.StringVar(&f.prefix, "domain-prefix", "ec2lab-", "prefix of the libvirt domain names this agent owns")
	fl.StringVar(&f.pool, "pool", "/var/lib/ec2lab/pools/lab-1a", "the AZ's shared volume pool directory")
	fl.StringVar(&f.localPool, "local-pool", "/var/lib/ec2lab/local", "host-local instance store directory")
	fl.StringVar(&f.stateDir, "state-dir", "/var/lib/ec2lab/agent", "agent state (seeds, console logs)")
	fl.StringVar(&f.libvirtURI, "libvirt-uri", "qemu:///system", "libvirtd to drive")
	fl.StringVar(&f.domainType, "domain-type", "", "force kvm or qemu (default: detect)")
	fl.StringVar(&f.tlsDir, "tls-dir", "", "directory with ca.pem and this host's certificate (ec2d ca issue NAME): mutual TLS with the controller")
	fl.StringVar(&f.tlsName, "tls-name", "", "certificate name in --tls-dir (default: --host-id)")
	fl.StringVar(&f.natUplink, "nat-uplink", "", "opt in to NAT egress: masquerade instance traffic out of this interface (default: none, no way out)")
	fl.StringVar(&f.publicUplink, "public-uplink", "", "answer this host's instances' Elastic IPs on this interface (1:1 NAT; default: none, Elastic IPs unreachable through this host)")
	fl.TextVar(&f.vtep, "vtep", netip.Addr{}, "this host's VXLAN endpoint address: subnets span hosts over VXLAN (default: none, host-local subnets)")
	fl.StringVar(&f.netns, "netns", "", "named network namespace (ip netns) holding this agent's data plane: bridges, VXLAN, DHCP, metadata service, security groups (default: the agent's own)")
	return cmd
}

func run(parent context.Context, f flags) error {
	ctx, stop := signal.NotifyContext(parent, os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	if err := fspath.Abs(&f.pool, &f.localPool, &f.stateDir, &f.tlsDir); err != nil {
		return err
	}
	serverCreds, controllerCreds, err := transport(f)
	if err != nil {
		return err
	}
	dec, err := virttype.Detect(f.domainType)
	if err != nil {
		return err
	}
	log.Info("domain type chosen for guests", "type", dec.Type, "reason", dec.Reason)
	hv, err := hypervisor.Connect(ctx, f.libvirtURI)
	if err != nil {
		return err
	}
	defer hv.Close()
	if _, err := fsmode.Tighten(ctx, log, fsmode.DefaultOwners(), f.pool, f.localPool, f.stateDir); err != nil {
		return fmt.Errorf("tenant file modes: %w", err)
	}
	shared, err := storage.New(f.pool)
	if err != nil {
		return err
	}
	local, err := storage.New(f.localPool)
	if err != nil {
		return err
	}
	ag, err := agent.New(agent.Config{HostID: f.hostID, Region: f.region, AZ: f.az, DomainPrefix: f.prefix, DomainType: dec,
		SharedPool: shared, LocalPool: local, StateDir: f.stateDir, Version: version.Version, NATUplink: f.natUplink, PublicUplink: f.publicUplink,
		VTEP: f.vtep, NetNS: f.netns}, hv, log)
	if err != nil {
		return err
	}
	if err := ag.Recover(ctx); err != nil {
		return err
	}
	lis, err := net.Listen("tcp", f.listen)
	if err != nil {
		return err
	}
	gs := grpc.NewServer(append(errgrpc.ServerOptions(), grpc.Creds(serverCreds))...)
	agentv1.RegisterHostServer(gs, ag)
	go func() { <-ctx.Done(); gs.GracefulStop() }()
	go register(ctx, ag, f, controllerCreds, log)
	log.Info("ec2-agent serving", "listen", lis.Addr().String(), "host", f.hostID, "az", f.az)
	return gs.Serve(lis)
}

// transport picks mutual TLS when --tls-dir is given, and otherwise
// plaintext restricted to loopback.
func transport(f flags) (server, client credentials.TransportCredentials, err error) {
	if f.tlsDir == "" {
		if err := tlsutil.RequireLoopback(f.listen, f.controller); err != nil {
			return nil, nil, fmt.Errorf("%w (give --tls-dir for mutual TLS)", err)
		}
		return insecure.NewCredentials(), insecure.NewCredentials(), nil
	}
	name := f.tlsName
	if name == "" {
		name = f.hostID
	}
	files := tlsutil.InDir(f.tlsDir, name)
	srv, err := tlsutil.ServerConfig(files)
	if err != nil {
		return nil, nil, err
	}
	host, _, err := net.SplitHostPort(f.controller)
	if err != nil {
		return nil, nil, fmt.Errorf("--controller %q: %w", f.controller, err)
	}
	cli, err := tlsutil.ClientConfig(files, host)
	if err != nil {
		return nil, nil, err
	}
	return credentials.NewTLS(srv), credentials.NewTLS(cli), nil
}

// register registers with the controller and heartbeats until ctx ends,
// through the same code as agents embedded in ec2d (agent.RunHeartbeats).
func register(ctx context.Context, ag *agent.Agent, f flags, creds credentials.TransportCredentials, log *slog.Logger) {
	conn, err := grpc.NewClient(f.controller, append(errgrpc.DialOptions(), grpc.WithTransportCredentials(creds))...)
	if err != nil {
		log.Error("controller connection", "err", err)
		return
	}
	defer conn.Close()
	addr := f.advertise
	if addr == "" {
		addr = f.listen
	}
	_ = ag.RunHeartbeats(ctx, agentv1.NewRegistryClient(conn), addr, 3*time.Second)
}
