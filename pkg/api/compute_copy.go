package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/peer"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CopySnapshot copies a snapshot from a peer region (or within this one).
func (c *Compute) CopySnapshot(ctx context.Context, r *v1.CopySnapshotRequest) (*v1.CopySnapshotResponse, error) {
	sn, err := c.svc.CopySnapshot(ctx, controller.CopySnapshotRequest{SourceRegion: r.GetSourceRegion(),
		SourceSnapshotID: r.GetSourceSnapshotId(), Description: r.GetDescription(), Encrypted: r.GetEncrypted(),
		DryRun: r.GetDryRun(), Tags: specTags(r.GetTagSpecifications())["snapshot"],
		DestinationRegion: r.GetDestinationRegion(), Unsupported: unsupportedCopyParam(r)})
	if err != nil {
		return nil, err
	}
	return &v1.CopySnapshotResponse{SnapshotId: sn.ID}, nil
}

// unsupportedCopyParam names the first CopySnapshot parameter r carries
// that ec2lab cannot honour ("" when none).
func unsupportedCopyParam(r *v1.CopySnapshotRequest) string {
	switch {
	case r.GetKmsKeyId() != "":
		return "KmsKeyId"
	case r.GetCompletionDurationMinutes() != 0:
		return "CompletionDurationMinutes"
	}
	return ""
}

// CopyImage copies an AMI from a peer region.
func (c *Compute) CopyImage(ctx context.Context, r *v1.CopyImageRequest) (*v1.CopyImageResponse, error) {
	if err := copyImageUnsupported(r); err != nil {
		return nil, err
	}
	img, err := c.svc.CopyImage(ctx, controller.CopyImageRequest{SourceRegion: r.GetSourceRegion(),
		SourceImageID: r.GetSourceImageId(), Name: r.GetName(), Description: r.GetDescription(),
		Tags: specTags(r.GetTagSpecifications())["image"], DryRun: r.GetDryRun(), ClientToken: r.GetClientToken()})
	if err != nil {
		return nil, err
	}
	return &v1.CopyImageResponse{ImageId: img.ID}, nil
}

// GetSnapshotLayers streams a snapshot's chain bottom-up to a peer region,
// skipping the layers it already has (pkg/peer's protocol).
func (c *Compute) GetSnapshotLayers(r *v1.GetSnapshotLayersRequest, stream v1.Compute_GetSnapshotLayersServer) error {
	ctx, err := auth.ActAs(stream.Context(), v1.Compute_GetSnapshotLayers_FullMethodName, r.GetSnapshotId())
	if err != nil {
		return err
	}
	files, wrapped, err := c.svc.SnapshotLayers(ctx, r.GetSnapshotId(), r.GetWrapPublicKey())
	if err != nil {
		return err
	}
	if wrapped != nil {
		if err := peer.SendKey(stream, wrapped); err != nil {
			return err
		}
	}
	have := map[string]bool{}
	for _, h := range r.GetHaveSha256() {
		have[h] = true
	}
	return peer.Send(stream, files, have)
}

// GetImageFiles streams a direct-kernel image's kernel and initrd.
func (c *Compute) GetImageFiles(r *v1.GetImageFilesRequest, stream v1.Compute_GetImageFilesServer) error {
	ctx, err := auth.ActAs(stream.Context(), v1.Compute_GetImageFiles_FullMethodName, r.GetImageId())
	if err != nil {
		return err
	}
	files, err := c.svc.ImageFiles(ctx, r.GetImageId())
	if err != nil {
		return err
	}
	return peer.Send(stream, files, nil)
}

// PeerMethods are the calls a destination region makes for a cross-region
// copy: the only ones a peer key may make, each acting as the account the
// peer asserts (auth.ActAs).
var PeerMethods = []string{v1.Compute_DescribeSnapshots_FullMethodName, v1.Compute_DescribeImages_FullMethodName,
	v1.Compute_GetSnapshotLayers_FullMethodName, v1.Compute_GetImageFiles_FullMethodName}

// actAs is auth.ActAs for a describe call: a peer may ask about exactly one
// resource.
func actAs(ctx context.Context, method string, ids []string) (context.Context, error) {
	one := ""
	if len(ids) == 1 {
		one = ids[0]
	}
	return auth.ActAs(ctx, method, one)
}
