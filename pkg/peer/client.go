package peer

import (
	"context"
	"crypto/tls"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Client is a peer region's public gRPC API as a destination's copies use
// it. Errors the peer answers come back as *ec2err.Error.
type Client struct {
	conn *grpc.ClientConn
	c    ec2labv1.ComputeClient
	key  auth.Key
	as   Caller
}

// Caller is who a copy acts for: an account of this (the destination)
// region. Every call asserts it to the source, signed with the peer key
// and bound to the call's method and resource (auth.ActAs), so the source
// lets the copy read only what that account may.
type Caller struct {
	Region, Account string
}

// Target is how to reach a peer region's peer API.
type Target struct {
	Endpoint string // host:port
	// TLS is mutual TLS with the peer; nil is plaintext, which the
	// caller allows only on loopback.
	TLS *tls.Config
	Key auth.Key // the peer key the source made for this region
	As  Caller
}

// Dial connects to a peer's peer API, signing every call with the peer
// key and asserting the caller on each.
func Dial(t Target) (*Client, error) {
	creds := insecure.NewCredentials()
	if t.TLS != nil {
		creds = credentials.NewTLS(t.TLS)
	}
	opts := append(errgrpc.DialOptions(), grpc.WithTransportCredentials(creds))
	conn, err := grpc.NewClient("passthrough:///"+t.Endpoint, append(opts, auth.SigningDialOptions(t.Key)...)...)
	if err != nil {
		return nil, fmt.Errorf("peer %s: %w", t.Endpoint, err)
	}
	return &Client{conn: conn, c: ec2labv1.NewComputeClient(conn), key: t.Key, as: t.As}, nil
}

// assert returns ctx carrying the caller's assertion for one call to
// method about resource.
func (c *Client) assert(ctx context.Context, method, resource string) context.Context {
	return auth.WithAssertion(ctx, c.key, method, auth.Assertion{Region: c.as.Region, Account: c.as.Account,
		Resource: resource, Date: time.Now(), Nonce: auth.NewNonce()})
}

// Close ends the connection.
func (c *Client) Close() error { return c.conn.Close() }

// Snapshot is what a copy needs of the source snapshot.
type Snapshot struct {
	SizeGiB   int32
	Encrypted bool
}

// Snapshot describes one of the peer's snapshots the key may read.
func (c *Client) Snapshot(ctx context.Context, id string) (Snapshot, error) {
	res, err := c.c.DescribeSnapshots(c.assert(ctx, ec2labv1.Compute_DescribeSnapshots_FullMethodName, id), &ec2labv1.DescribeSnapshotsRequest{SnapshotIds: []string{id}})
	if err != nil {
		return Snapshot{}, err
	}
	if len(res.GetSnapshots()) != 1 {
		return Snapshot{}, ec2err.New(ec2err.InvalidSnapshotNotFound, "The snapshot '%s' does not exist.", id)
	}
	sn := res.GetSnapshots()[0]
	return Snapshot{SizeGiB: sn.GetVolumeSize(), Encrypted: sn.GetEncrypted()}, nil
}

// Image is what a copy needs of the source image.
type Image struct {
	Description, Architecture, BootMode, KernelCommandLine, RootDeviceName string
	Devices                                                                []ImageDevice
}

// ImageDevice is one EBS device of a source image.
type ImageDevice struct {
	DeviceName, SnapshotID, VolumeType string
	SizeGiB                            int32
	DeleteOnTermination                bool
}

// Image describes one of the peer's available images the key may launch.
func (c *Client) Image(ctx context.Context, id string) (Image, error) {
	res, err := c.c.DescribeImages(c.assert(ctx, ec2labv1.Compute_DescribeImages_FullMethodName, id), &ec2labv1.DescribeImagesRequest{ImageIds: []string{id}})
	if err != nil {
		return Image{}, err
	}
	if len(res.GetImages()) != 1 || res.GetImages()[0].GetState() != "available" {
		return Image{}, ec2err.New(ec2err.InvalidAMIIDNotFound, "The image id '[%s]' does not exist", id)
	}
	src := res.GetImages()[0]
	img := Image{Description: src.GetDescription(), Architecture: src.GetArchitecture(), BootMode: src.GetBootMode(),
		KernelCommandLine: src.GetKernelCommandLine(), RootDeviceName: src.GetRootDeviceName()}
	for _, m := range src.GetBlockDeviceMappings() {
		e := m.GetEbs()
		if e.GetSnapshotId() == "" {
			continue
		}
		img.Devices = append(img.Devices, ImageDevice{DeviceName: m.GetDeviceName(), SnapshotID: e.GetSnapshotId(),
			VolumeType: e.GetVolumeType(), SizeGiB: e.GetVolumeSize(), DeleteOnTermination: e.GetDeleteOnTermination()})
	}
	return img, nil
}

// PullSnapshot streams the snapshot's chain into r: the layers r.Have
// does not hold, and the volume key wrapped to wrapPub when encrypted.
func (c *Client) PullSnapshot(ctx context.Context, id string, wrapPub []byte, r *Receiver) error {
	req := &ec2labv1.GetSnapshotLayersRequest{SnapshotId: id, WrapPublicKey: wrapPub}
	for sum := range r.Have {
		req.HaveSha256 = append(req.HaveSha256, sum)
	}
	stream, err := c.c.GetSnapshotLayers(c.assert(ctx, ec2labv1.Compute_GetSnapshotLayers_FullMethodName, id), req)
	if err != nil {
		return err
	}
	return r.Receive(stream)
}

// PullImageFiles streams a direct-kernel image's kernel and initrd into r
// (r.Rename sees their kinds).
func (c *Client) PullImageFiles(ctx context.Context, id string, r *Receiver) error {
	stream, err := c.c.GetImageFiles(c.assert(ctx, ec2labv1.Compute_GetImageFiles_FullMethodName, id), &ec2labv1.GetImageFilesRequest{ImageId: id})
	if err != nil {
		return err
	}
	return r.Receive(stream)
}
