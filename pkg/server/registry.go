package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/registry"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// serveRegistry listens on addr for remote ec2-agent processes (the
// agentv1.Registry service) and dials each registered agent back. Agent
// traffic is plaintext until mutual TLS lands, so both the listen address
// and every agent address must be loopback.
// With tlsDir (a region CA directory, see `ec2d ca`), both directions use
// mutual TLS and any address is allowed.
func serveRegistry(ctx context.Context, addr, tlsDir string, svc *controller.Service, log *slog.Logger) (string, error) {
	creds, dial, err := agentTransport(addr, tlsDir)
	if err != nil {
		return "", err
	}
	lis, err := net.Listen("tcp", addr)
	if err != nil {
		return "", fmt.Errorf("agent listen: %w", err)
	}
	reg := registry.New(svc, dial)
	reg.HeartbeatSeconds = heartbeatSeconds(svc.Config().HeartbeatTimeout.Duration)
	gs := grpc.NewServer(append(errgrpc.ServerOptions(), grpc.Creds(creds))...)
	agentv1.RegisterRegistryServer(gs, reg)
	go func() { <-ctx.Done(); gs.Stop() }()
	go func() {
		if err := gs.Serve(lis); err != nil {
			log.Error("agent registry stopped", "err", err)
		}
	}()
	log.Info("agent registry listening", "addr", lis.Addr().String(), "heartbeat_seconds", reg.HeartbeatSeconds, "mutual_tls", tlsDir != "")
	return lis.Addr().String(), nil
}

// heartbeatSeconds is the interval agents are told to use: a third of the
// timeout (so two lost beats never mark a host unhealthy), at most 3 s.
func heartbeatSeconds(timeout time.Duration) int32 {
	return int32(min(max(timeout/3/time.Second, 1), 3))
}

// agentTransport returns the registry's server credentials and the dialer
// for agents: mutual TLS with the region CA in tlsDir, or plaintext
// restricted to loopback when no CA is configured.
func agentTransport(addr, tlsDir string) (credentials.TransportCredentials, func(string) (agentv1.HostClient, error), error) {
	if tlsDir == "" {
		if err := tlsutil.RequireLoopback(addr); err != nil {
			return nil, nil, fmt.Errorf("--agent-addr: %w (give --agent-tls-dir for mutual TLS)", err)
		}
		return insecure.NewCredentials(), dialAgent, nil
	}
	files := tlsutil.InDir(tlsDir, "ec2d")
	srv, err := tlsutil.ServerConfig(files)
	if err != nil {
		return nil, nil, fmt.Errorf("agent TLS: %w", err)
	}
	dial := func(agentAddr string) (agentv1.HostClient, error) {
		host, _, err := net.SplitHostPort(agentAddr)
		if err != nil {
			return nil, fmt.Errorf("agent address %q: %w", agentAddr, err)
		}
		cli, err := tlsutil.ClientConfig(files, host)
		if err != nil {
			return nil, err
		}
		conn, err := grpc.NewClient(agentAddr, append(errgrpc.DialOptions(), grpc.WithTransportCredentials(credentials.NewTLS(cli)))...)
		if err != nil {
			return nil, fmt.Errorf("dial agent %s: %w", agentAddr, err)
		}
		return agentv1.NewHostClient(conn), nil
	}
	return credentials.NewTLS(srv), dial, nil
}

// dialAgent connects to a remote agent's Host service.
func dialAgent(addr string) (agentv1.HostClient, error) {
	if err := tlsutil.RequireLoopback(addr); err != nil {
		return nil, fmt.Errorf("agent address: %w", err)
	}
	conn, err := grpc.NewClient(addr, append(errgrpc.DialOptions(), grpc.WithTransportCredentials(insecure.NewCredentials()))...)
	if err != nil {
		return nil, fmt.Errorf("dial agent %s: %w", addr, err)
	}
	return agentv1.NewHostClient(conn), nil
}
