package api

import (
	"context"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// GetEbsEncryptionByDefault answers the caller's setting in this region.
func (c *Compute) GetEbsEncryptionByDefault(ctx context.Context, r *v1.GetEbsEncryptionByDefaultRequest) (*v1.EbsEncryptionByDefault, error) {
	on, err := c.svc.GetEbsEncryptionByDefault(ctx, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.EbsEncryptionByDefault{EbsEncryptionByDefault: on}, nil
}

// EnableEbsEncryptionByDefault encrypts the caller's new volumes.
func (c *Compute) EnableEbsEncryptionByDefault(ctx context.Context, r *v1.EnableEbsEncryptionByDefaultRequest) (*v1.EbsEncryptionByDefault, error) {
	on, err := c.svc.SetEbsEncryptionByDefault(ctx, true, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.EbsEncryptionByDefault{EbsEncryptionByDefault: on}, nil
}

// DisableEbsEncryptionByDefault stops encrypting the caller's new volumes
// unless asked.
func (c *Compute) DisableEbsEncryptionByDefault(ctx context.Context, r *v1.DisableEbsEncryptionByDefaultRequest) (*v1.EbsEncryptionByDefault, error) {
	on, err := c.svc.SetEbsEncryptionByDefault(ctx, false, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.EbsEncryptionByDefault{EbsEncryptionByDefault: on}, nil
}

// GetEbsDefaultKmsKeyId answers the default key's alias.
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) GetEbsDefaultKmsKeyId(ctx context.Context, r *v1.GetEbsDefaultKmsKeyIdRequest) (*v1.EbsDefaultKmsKeyId, error) {
	id, err := c.svc.GetEbsDefaultKMSKeyID(ctx, r.GetDryRun())
	if err != nil {
		return nil, err
	}
	return &v1.EbsDefaultKmsKeyId{KmsKeyId: id}, nil
}

// ModifyEbsDefaultKmsKeyId is refused (no KMS).
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) ModifyEbsDefaultKmsKeyId(ctx context.Context, _ *v1.ModifyEbsDefaultKmsKeyIdRequest) (*v1.EbsDefaultKmsKeyId, error) {
	id, err := c.svc.ModifyEbsDefaultKMSKeyID(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.EbsDefaultKmsKeyId{KmsKeyId: id}, nil
}

// ResetEbsDefaultKmsKeyId is refused (no KMS).
//
//lint:ignore ST1003 the generated gRPC interface names it after the EC2 operation
func (c *Compute) ResetEbsDefaultKmsKeyId(ctx context.Context, _ *v1.ResetEbsDefaultKmsKeyIdRequest) (*v1.EbsDefaultKmsKeyId, error) {
	id, err := c.svc.ResetEbsDefaultKMSKeyID(ctx)
	if err != nil {
		return nil, err
	}
	return &v1.EbsDefaultKmsKeyId{KmsKeyId: id}, nil
}
