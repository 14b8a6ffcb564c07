package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// CreateVolume creates a volume.
func (c *Compute) CreateVolume(ctx context.Context, r *v1.CreateVolumeRequest) (*v1.Volume, error) {
	v, err := c.svc.CreateVolume(ctx, controller.VolumeRequest{AZ: r.GetAvailabilityZone(), SizeGiB: r.GetSize(),
		SnapshotID: r.GetSnapshotId(), Type: r.GetVolumeType(), IOPS: r.GetIops(), Throughput: r.GetThroughput(),
		Encrypted: r.GetEncrypted(), DryRun: r.GetDryRun(), Tags: specTags(r.GetTagSpecifications())["volume"],
		ClientToken: r.GetClientToken()})
	if err != nil {
		return nil, err
	}
	return volumeOut(v), nil
}

// DescribeVolumes lists volumes.
func (c *Compute) DescribeVolumes(ctx context.Context, r *v1.DescribeVolumesRequest) (*v1.DescribeVolumesResponse, error) {
	vols, next, err := c.svc.DescribeVolumes(ctx, r.GetVolumeIds(), filtersIn(r.GetFilters()), page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeVolumesResponse{NextToken: next}
	for _, v := range vols {
		out.Volumes = append(out.Volumes, volumeOut(v))
	}
	return out, nil
}

// AttachVolume attaches a volume.
func (c *Compute) AttachVolume(ctx context.Context, r *v1.AttachVolumeRequest) (*v1.VolumeAttachment, error) {
	a, err := c.svc.AttachVolume(ctx, r.GetVolumeId(), r.GetInstanceId(), r.GetDevice(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return attachmentOut(r.GetVolumeId(), a), nil
}

// DetachVolume detaches a volume.
func (c *Compute) DetachVolume(ctx context.Context, r *v1.DetachVolumeRequest) (*v1.VolumeAttachment, error) {
	a, err := c.svc.DetachVolume(ctx, r.GetVolumeId(), r.GetInstanceId(), r.GetDevice(), r.GetForce(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return attachmentOut(r.GetVolumeId(), a), nil
}

// ModifyVolume grows or retunes a volume.
func (c *Compute) ModifyVolume(ctx context.Context, r *v1.ModifyVolumeRequest) (*v1.VolumeModification, error) {
	m, err := c.svc.ModifyVolume(ctx, r.GetVolumeId(), r.GetSize(), r.GetVolumeType(), r.GetIops(), r.GetThroughput(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return modificationOut(m), nil
}

// DeleteVolume deletes a volume.
func (c *Compute) DeleteVolume(ctx context.Context, r *v1.DeleteVolumeRequest) (*v1.DeleteVolumeResponse, error) {
	if err := c.svc.DeleteVolume(ctx, r.GetVolumeId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteVolumeResponse{}, nil
}

// CreateSnapshot snapshots a volume.
func (c *Compute) CreateSnapshot(ctx context.Context, r *v1.CreateSnapshotRequest) (*v1.Snapshot, error) {
	s, err := c.svc.CreateSnapshot(ctx, r.GetVolumeId(), r.GetDescription(), specTags(r.GetTagSpecifications())["snapshot"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return snapshotOut(s), nil
}

// DescribeSnapshots lists snapshots.
func (c *Compute) DescribeSnapshots(ctx context.Context, r *v1.DescribeSnapshotsRequest) (*v1.DescribeSnapshotsResponse, error) {
	ctx, err := actAs(ctx, v1.Compute_DescribeSnapshots_FullMethodName, r.GetSnapshotIds())
	if err != nil {
		return nil, err
	}
	snaps, next, err := c.svc.DescribeSnapshots(ctx, controller.SnapshotQuery{IDs: r.GetSnapshotIds(), Owners: r.GetOwnerIds(),
		RestorableBy: r.GetRestorableByUserIds(), Filters: filtersIn(r.GetFilters()), Page: page(r.GetMaxResults(), r.GetNextToken())})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeSnapshotsResponse{NextToken: next}
	for _, s := range snaps {
		out.Snapshots = append(out.Snapshots, snapshotOut(s))
	}
	return out, nil
}

// DeleteSnapshot deletes a snapshot.
func (c *Compute) DeleteSnapshot(ctx context.Context, r *v1.DeleteSnapshotRequest) (*v1.DeleteSnapshotResponse, error) {
	if err := c.svc.DeleteSnapshot(ctx, r.GetSnapshotId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteSnapshotResponse{}, nil
}

// RegisterImage registers an AMI from a bundle directory or disk image
// file on the controller's host, or from snapshots.
func (c *Compute) RegisterImage(ctx context.Context, r *v1.RegisterImageRequest) (*v1.RegisterImageResponse, error) {
	req := controller.RegisterRequest{Location: r.GetBundlePath(), Name: r.GetName(), Description: r.GetDescription(),
		Architecture: r.GetArchitecture(), RootDeviceName: r.GetRootDeviceName(), BootMode: r.GetBootMode(),
		Tags: specTags(r.GetTagSpecifications())["image"], DryRun: r.GetDryRun()}
	for _, m := range r.GetBlockDeviceMappings() {
		if m.GetNoDevice() || m.GetVirtualName() != "" {
			continue // nothing to register: instance store comes with the instance type
		}
		ebs := m.GetEbs()
		req.Devices = append(req.Devices, controller.RegisterDevice{DeviceName: m.GetDeviceName(), SnapshotID: ebs.GetSnapshotId(),
			VolumeType: ebs.GetVolumeType(), SizeGiB: ebs.GetVolumeSize(), DeleteOnTermination: ebs.DeleteOnTermination})
	}
	img, err := c.svc.RegisterImage(ctx, req)
	if err != nil {
		return nil, err
	}
	return &v1.RegisterImageResponse{ImageId: img.ID}, nil
}

// CreateImage makes an AMI from an instance's EBS volumes.
func (c *Compute) CreateImage(ctx context.Context, r *v1.CreateImageRequest) (*v1.CreateImageResponse, error) {
	img, err := c.svc.CreateImage(ctx, controller.CreateImageRequest{InstanceID: r.GetInstanceId(), Name: r.GetName(),
		Description: r.GetDescription(), NoReboot: r.GetNoReboot(), Tags: specTags(r.GetTagSpecifications()),
		DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	return &v1.CreateImageResponse{ImageId: img.ID}, nil
}

// DescribeImages lists images.
func (c *Compute) DescribeImages(ctx context.Context, r *v1.DescribeImagesRequest) (*v1.DescribeImagesResponse, error) {
	ctx, err := actAs(ctx, v1.Compute_DescribeImages_FullMethodName, r.GetImageIds())
	if err != nil {
		return nil, err
	}
	imgs, next, err := c.svc.DescribeImagesWith(ctx, controller.ImageQuery{IDs: r.GetImageIds(), Owners: r.GetOwners(),
		ExecutableUsers: r.GetExecutableUsers(), Filters: filtersIn(r.GetFilters()), Page: page(r.GetMaxResults(), r.GetNextToken()),
		IncludeDeprecated: r.GetIncludeDeprecated()})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeImagesResponse{NextToken: next}
	for _, i := range imgs {
		out.Images = append(out.Images, imageOut(i))
	}
	return out, nil
}

// DeregisterImage deregisters an image.
func (c *Compute) DeregisterImage(ctx context.Context, r *v1.DeregisterImageRequest) (*v1.DeregisterImageResponse, error) {
	if err := c.svc.DeregisterImage(ctx, r.GetImageId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeregisterImageResponse{}, nil
}

// ExportImage writes an image as a bundle directory (ec2lab; RegisterImage imports it).
func (c *Compute) ExportImage(ctx context.Context, r *v1.ExportImageRequest) (*v1.ExportImageResponse, error) {
	dir, sum, err := c.svc.ExportImage(ctx, r.GetImageId(), r.GetBundlePath(), r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.ExportImageResponse{BundlePath: dir, ManifestSha256: sum}, nil
}

// CreateKeyPair makes a key pair.
func (c *Compute) CreateKeyPair(ctx context.Context, r *v1.CreateKeyPairRequest) (*v1.KeyPair, error) {
	k, priv, err := c.svc.CreateKeyPair(ctx, r.GetKeyName(), r.GetKeyType(), specTags(r.GetTagSpecifications())["key-pair"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	out := keyPairOut(k, false)
	out.KeyMaterial = priv
	return out, nil
}

// ImportKeyPair imports a public key.
func (c *Compute) ImportKeyPair(ctx context.Context, r *v1.ImportKeyPairRequest) (*v1.KeyPair, error) {
	k, err := c.svc.ImportKeyPair(ctx, r.GetKeyName(), r.GetPublicKeyMaterial(), specTags(r.GetTagSpecifications())["key-pair"], r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return keyPairOut(k, false), nil
}

// DescribeKeyPairs lists key pairs.
func (c *Compute) DescribeKeyPairs(ctx context.Context, r *v1.DescribeKeyPairsRequest) (*v1.DescribeKeyPairsResponse, error) {
	keys, err := c.svc.DescribeKeyPairs(ctx, r.GetKeyNames(), r.GetKeyPairIds(), filtersIn(r.GetFilters()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeKeyPairsResponse{}
	for _, k := range keys {
		out.KeyPairs = append(out.KeyPairs, keyPairOut(k, r.GetIncludePublicKey()))
	}
	return out, nil
}

// DeleteKeyPair deletes a key pair.
func (c *Compute) DeleteKeyPair(ctx context.Context, r *v1.DeleteKeyPairRequest) (*v1.DeleteKeyPairResponse, error) {
	if err := c.svc.DeleteKeyPair(ctx, r.GetKeyName(), r.GetKeyPairId(), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteKeyPairResponse{}, nil
}

// CreateTags tags resources.
func (c *Compute) CreateTags(ctx context.Context, r *v1.CreateTagsRequest) (*v1.CreateTagsResponse, error) {
	if err := c.svc.CreateTags(ctx, r.GetResources(), tagsIn(r.GetTags()), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.CreateTagsResponse{}, nil
}

// DeleteTags removes tags.
func (c *Compute) DeleteTags(ctx context.Context, r *v1.DeleteTagsRequest) (*v1.DeleteTagsResponse, error) {
	if err := c.svc.DeleteTags(ctx, r.GetResources(), tagsIn(r.GetTags()), r.GetDryRun()); err != nil {
		return nil, err
	}
	return &v1.DeleteTagsResponse{}, nil
}

// DescribeTags lists tags.
func (c *Compute) DescribeTags(ctx context.Context, r *v1.DescribeTagsRequest) (*v1.DescribeTagsResponse, error) {
	tags, next, err := c.svc.DescribeTags(ctx, filtersIn(r.GetFilters()), page(r.GetMaxResults(), r.GetNextToken()))
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeTagsResponse{NextToken: next}
	for _, t := range tags {
		out.Tags = append(out.Tags, &v1.TagDescription{ResourceId: t.ResourceID, ResourceType: t.ResourceType, Key: t.Key, Value: t.Value})
	}
	return out, nil
}

// StreamConsole relays the live serial console between a client and the
// instance's agent.
func (c *Compute) StreamConsole(stream v1.Compute_StreamConsoleServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	con, err := c.svc.OpenConsole(stream.Context(), first.GetInstanceId())
	if err != nil {
		return err
	}
	return relayConsole(stream, con, first)
}
