package api

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// layerChunkSize is the payload of one streamed LayerChunk.
const layerChunkSize = 1 << 20

// CopySnapshot copies a snapshot from a peer region (or within this one).
func (c *Compute) CopySnapshot(ctx context.Context, r *v1.CopySnapshotRequest) (*v1.CopySnapshotResponse, error) {
	sn, err := c.svc.CopySnapshot(ctx, controller.CopySnapshotRequest{SourceRegion: r.GetSourceRegion(),
		SourceSnapshotID: r.GetSourceSnapshotId(), Description: r.GetDescription(), Encrypted: r.GetEncrypted(),
		DryRun: r.GetDryRun(), Tags: specTags(r.GetTagSpecifications())["snapshot"]})
	if err != nil {
		return nil, err
	}
	return &v1.CopySnapshotResponse{SnapshotId: sn.ID}, nil
}

// CopyImage copies an AMI from a peer region.
func (c *Compute) CopyImage(ctx context.Context, r *v1.CopyImageRequest) (*v1.CopyImageResponse, error) {
	img, err := c.svc.CopyImage(ctx, controller.CopyImageRequest{SourceRegion: r.GetSourceRegion(),
		SourceImageID: r.GetSourceImageId(), Name: r.GetName(), Description: r.GetDescription(),
		Tags: specTags(r.GetTagSpecifications())["image"], DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.CopyImageResponse{ImageId: img.ID}, nil
}

// GetSnapshotLayers streams a snapshot's chain bottom-up to a peer region,
// skipping the layers it already has.
func (c *Compute) GetSnapshotLayers(r *v1.GetSnapshotLayersRequest, stream v1.Compute_GetSnapshotLayersServer) error {
	files, wrapped, err := c.svc.SnapshotLayers(stream.Context(), r.GetSnapshotId(), r.GetWrapPublicKey())
	if err != nil {
		return err
	}
	if wrapped != nil {
		if err := stream.Send(&v1.LayerChunk{WrappedKey: wrapped}); err != nil {
			return err
		}
	}
	have := map[string]bool{}
	for _, h := range r.GetHaveSha256() {
		have[h] = true
	}
	return sendFiles(stream, files, have)
}

// GetImageFiles streams a direct-kernel image's kernel and initrd.
func (c *Compute) GetImageFiles(r *v1.GetImageFilesRequest, stream v1.Compute_GetImageFilesServer) error {
	files, err := c.svc.ImageFiles(stream.Context(), r.GetImageId())
	if err != nil {
		return err
	}
	return sendFiles(stream, files, nil)
}

type chunkSender interface{ Send(*v1.LayerChunk) error }

func sendFiles(stream chunkSender, files []controller.LayerFile, have map[string]bool) error {
	for _, f := range files {
		head := &v1.LayerChunk{LayerName: f.Name, Sha256: f.SHA256, Size: f.Size, BackingName: f.Backing, Kind: f.Kind}
		if have[f.SHA256] {
			head.Skipped = true
			if err := stream.Send(head); err != nil {
				return err
			}
			continue
		}
		if err := sendFile(stream, f, head); err != nil {
			return err
		}
	}
	return nil
}

// sendFile streams one file; head (offset 0) carries its metadata.
func sendFile(stream chunkSender, f controller.LayerFile, head *v1.LayerChunk) error {
	in, err := os.Open(f.Path)
	if err != nil {
		return fmt.Errorf("layer %s: %w", f.Name, err)
	}
	defer in.Close()
	buf := make([]byte, layerChunkSize)
	var off int64
	for first := true; ; first = false {
		n, err := io.ReadFull(in, buf)
		if n > 0 || first {
			c := &v1.LayerChunk{LayerName: f.Name, Offset: off, Data: buf[:n]}
			if first {
				head.Data = buf[:n]
				c = head
			}
			if serr := stream.Send(c); serr != nil {
				return serr
			}
			off += int64(n)
		}
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("layer %s: %w", f.Name, err)
		}
	}
}
