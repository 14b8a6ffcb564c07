package server

import (
	"context"
	"fmt"
	"log/slog"
	"net"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// PeerAPISpec is the listener other regions' cross-region copies pull
// from: the Compute service for peer keys only (`ec2d keys create --peer`),
// and of it only the copies' calls (api.PeerMethods), over mutual TLS.
type PeerAPISpec struct {
	Listen string `json:"listen"`
	// TLS: CA is a PEM bundle of the peer regions' CAs (a peer must present
	// a certificate one of them signed), Cert and Key this region's server
	// certificate.
	TLS *controller.TLSFiles `json:"tls,omitempty"`
	// Plaintext serves without TLS: it must be set explicitly, on a
	// loopback address (one machine, tests).
	Plaintext bool `json:"plaintext,omitempty"`
}

// validate: mutual TLS, or plaintext only when asked for and on loopback.
func (p *PeerAPISpec) validate() error {
	switch {
	case p == nil:
		return nil
	case p.Listen == "":
		return fmt.Errorf("peer_api: listen is required")
	case p.TLS != nil && p.Plaintext:
		return fmt.Errorf("peer_api: give tls or plaintext, not both")
	case p.TLS != nil && (p.TLS.CA == "" || p.TLS.Cert == "" || p.TLS.Key == ""):
		return fmt.Errorf("peer_api: tls needs ca, cert and key")
	case p.TLS == nil && !p.Plaintext:
		return fmt.Errorf("peer_api: peers pull over mutual TLS: give tls (ca: the peers' CAs, cert, key), or plaintext: true on loopback")
	case p.Plaintext:
		if err := tlsutil.RequireLoopback(p.Listen); err != nil {
			return fmt.Errorf("peer_api: plaintext: %w", err)
		}
	}
	return nil
}

// transport is the server side of the peer API's transport.
func (p *PeerAPISpec) transport() (credentials.TransportCredentials, error) {
	if err := p.validate(); err != nil {
		return nil, err
	}
	if p.TLS == nil {
		return insecure.NewCredentials(), nil
	}
	cfg, err := tlsutil.ServerConfig(p.TLS.Files())
	if err != nil {
		return nil, fmt.Errorf("peer_api tls: %w", err)
	}
	return credentials.NewTLS(cfg), nil
}

// NewPeerGRPCServer is the peer API's server: the Compute service behind
// request authentication and auth.PeerGate, over creds.
func NewPeerGRPCServer(keys auth.KeyStore, compute v1.ComputeServer, creds credentials.TransportCredentials, log *slog.Logger) *grpc.Server {
	gateUnary, gateStream := auth.PeerGate(true, api.PeerMethods...)
	v := auth.NewRPCVerifier(keys, nil)
	gs := grpc.NewServer(append(errgrpc.ServerOptions(), grpc.Creds(creds),
		grpc.ChainUnaryInterceptor(v.Unary(), gateUnary, logUnary(log)),
		grpc.ChainStreamInterceptor(v.Stream(), gateStream))...)
	v1.RegisterComputeServer(gs, compute)
	return gs
}

// servePeerAPI listens for peer regions until ctx ends; it returns the
// address it listens on.
func servePeerAPI(ctx context.Context, spec *PeerAPISpec, keys auth.KeyStore, compute v1.ComputeServer, log *slog.Logger) (string, error) {
	creds, err := spec.transport()
	if err != nil {
		return "", err
	}
	lis, err := net.Listen("tcp", spec.Listen)
	if err != nil {
		return "", fmt.Errorf("peer_api listen: %w", err)
	}
	gs := NewPeerGRPCServer(keys, compute, creds, log)
	go func() {
		<-ctx.Done()
		gs.GracefulStop()
	}()
	go func() {
		if err := gs.Serve(lis); err != nil {
			log.Error("peer API stopped", "err", err)
		}
	}()
	log.Info("serving the peer API", "addr", lis.Addr().String(), "mutual_tls", spec.TLS != nil)
	return lis.Addr().String(), nil
}
