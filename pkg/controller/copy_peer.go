package controller

import (
	"context"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

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

// dialPeer opens a client of a peer region's public API, signing every
// call with the peer access key named in the config (as ec2ctl does).
func (s *Service) dialPeer(ctx context.Context, name string) (ec2labv1.ComputeClient, func(), error) {
	p, err := s.peerRegion(name)
	if err != nil {
		return nil, nil, err
	}
	k, _, err := auth.ReadCredentialsFile(p.CredentialsFile, firstNonEmpty(p.Profile, "ec2lab"))
	if err != nil {
		return nil, nil, fmt.Errorf("peer %s credentials: %w", name, err)
	}
	conn, err := grpc.NewClient("passthrough:///"+p.GRPCEndpoint, append(errgrpc.DialOptions(),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithPerRPCCredentials(auth.ClientCredentials(k)))...)
	if err != nil {
		return nil, nil, fmt.Errorf("peer %s: %w", name, err)
	}
	return ec2labv1.NewComputeClient(conn), func() { conn.Close() }, nil
}
