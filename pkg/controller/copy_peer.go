package controller

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/peer"
	"github.com/ec2lab/ec2lab/pkg/tlsutil"
)

// Peer is another region as cross-region copies use it: pkg/peer's Client
// over the peer's gRPC API, or a fake in tests.
type Peer interface {
	Snapshot(ctx context.Context, id string) (peer.Snapshot, error)
	Image(ctx context.Context, id string) (peer.Image, error)
	PullSnapshot(ctx context.Context, id string, wrapPub []byte, r *peer.Receiver) error
	PullImageFiles(ctx context.Context, id string, r *peer.Receiver) error
	Close() error
}

// PeerDialer connects to a peer region's peer API.
type PeerDialer func(ctx context.Context, t peer.Target) (Peer, error)

func dialPeerGRPC(_ context.Context, t peer.Target) (Peer, error) {
	return peer.Dial(t)
}

// peerRegion returns the configured peer called name, or the EC2 error of
// an unknown source region.
func (s *Service) peerRegion(name string) (PeerRegion, error) {
	for _, p := range s.cfg.Peers {
		if p.Name == name {
			if p.GRPCEndpoint == "" || p.CredentialsFile == "" {
				return p, ec2err.New(ec2err.InvalidParameterValue, "Region %s is not configured for copies (needs grpc_endpoint and credentials_file).", name)
			}
			return p, nil
		}
	}
	return PeerRegion{}, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for SourceRegion: unknown region.", name)
}

// dialPeer connects to a configured peer region with the peer key named in
// the config, acting for acct: the account that asked for the copy (the
// copy's owner), never the region as a whole (auth.ActAs tells why).
func (s *Service) dialPeer(ctx context.Context, name, acct string) (Peer, error) {
	p, err := s.peerRegion(name)
	if err != nil {
		return nil, err
	}
	k, _, err := auth.ReadCredentialsFile(p.CredentialsFile, firstNonEmpty(p.Profile, "ec2lab"))
	if err != nil {
		return nil, fmt.Errorf("peer %s credentials: %w", name, err)
	}
	t := peer.Target{Endpoint: p.GRPCEndpoint, Key: k, As: peer.Caller{Region: s.cfg.Region, Account: acct}}
	if t.TLS, err = peerTLS(p); err != nil {
		return nil, err
	}
	return s.peerDial(ctx, t)
}

// peerTLS is the client side of mutual TLS with p (nil: plaintext, which
// Validate allows only when asked for and on loopback).
func peerTLS(p PeerRegion) (*tls.Config, error) {
	if err := p.validatePeerTransport(); err != nil {
		return nil, err
	}
	if p.TLS == nil {
		return nil, nil
	}
	host, _, err := net.SplitHostPort(p.GRPCEndpoint)
	if err != nil {
		return nil, fmt.Errorf("peer %s grpc_endpoint: %w", p.Name, err)
	}
	cfg, err := tlsutil.ClientConfig(p.TLS.Files(), firstNonEmpty(p.TLS.ServerName, host))
	if err != nil {
		return nil, fmt.Errorf("peer %s tls: %w", p.Name, err)
	}
	return cfg, nil
}
