package controller

import (
	"context"
	"fmt"

	"github.com/ec2lab/ec2lab/pkg/host"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// A volume's writable head: its file name, its creation in the pool and
// the I/O limits its disk gets. Launches and attachments both use them.

// headName is the file name of a volume's writable head, generation gen.
func headName(volID string, gen int) string { return fmt.Sprintf("%s.%d.qcow2", volID, gen) }

// materialize creates a volume's head file if it does not exist yet: an
// overlay on its snapshot's layer, or an empty sparse file.
func (s *Service) materialize(ctx context.Context, ag host.Host, v Volume) error {
	if _, err := ag.InspectVolume(ctx, v.Head); err == nil {
		return nil
	}
	backing := ""
	if v.SnapshotID != "" {
		snap, _, err := store.GetJSON[Snapshot](ctx, s.st, prefixSnapshot+v.SnapshotID)
		if err != nil {
			return fmt.Errorf("volume %s: snapshot %s: %w", v.ID, v.SnapshotID, err)
		}
		if err := s.ensureLayer(ctx, snap, v.AZ); err != nil {
			return fmt.Errorf("volume %s: %w", v.ID, err)
		}
		backing = snap.Layer
	}
	key, err := s.volumeKey(v)
	if err != nil {
		return err
	}
	_, err = ag.CreateVolume(ctx, host.VolumeCreate{Name: v.Head,
		SizeBytes: int64(v.SizeGiB) << 30, BackingLayer: backing, EncryptionKey: key})
	if err != nil {
		return fmt.Errorf("create volume %s: %w", v.ID, err)
	}
	return nil
}

func iotune(v Volume) host.IOTune {
	return host.IOTune{TotalIOPSSec: int64(v.IOPS), TotalBytesSec: int64(v.Throughput) << 20}
}
