package controller

import (
	"context"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// Volume status checks, as DescribeVolumeStatus reports them.
//
// io-enabled says whether the volume can do I/O. ec2lab never disables a
// volume's I/O (EC2 does after a possible inconsistency, unless
// autoEnableIO is set), so it fails only for a volume that could not be
// made (state error). A volume at rest in its pool (available, or attached
// to an instance that is not running) passes. One in use by a running
// instance passes while its host reports the instance's domain running;
// while the host is away, or the domain is not (yet) reported running, it
// is insufficient-data: nothing then shows the I/O path works.
//
// io-performance (io1, io2 and gp3 only, as on EC2): ec2lab enforces the
// provisioned IOPS and throughput as limits but does not measure what a
// volume achieves, so it reads insufficient-data while the volume is in use
// by a running instance and not-applicable otherwise. It does not change
// the overall status, which follows io-enabled.
//
// ec2lab schedules no volume events and asks for no actions.

// VolumeStatus is EC2's VolumeStatusItem of one volume. IOPerformance is
// "" for volume types EC2 does not check; InstanceID is the instance the
// volume is attached to ("" when none).
type VolumeStatus struct {
	VolumeID, AZ, Status     string
	IOEnabled, IOPerformance string
	InstanceID               string
}

// VolumeStatusQuery is DescribeVolumeStatus' input.
type VolumeStatusQuery struct {
	IDs     []string
	Filters []Filter
	Page    Page
	DryRun  bool
}

// DescribeVolumeStatus reports the status checks of the caller's volumes,
// filtered and paginated, by volume ID.
func (s *Service) DescribeVolumeStatus(ctx context.Context, q VolumeStatusQuery) ([]VolumeStatus, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(q.Page, len(q.IDs) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	for _, id := range q.IDs {
		if !ids.Valid(ids.Volume, id) {
			return nil, "", ec2err.New(ec2err.InvalidVolumeIDMalformed, "Invalid id: \"%s\" (expecting \"vol-...\")", id)
		}
	}
	if q.DryRun {
		return nil, "", DryRun()
	}
	vols, err := s.volumesOf(ctx, acct)
	if err != nil {
		return nil, "", err
	}
	hosts := s.hostsByID(ctx)
	all := make([]VolumeStatus, 0, len(vols))
	for _, v := range vols {
		all = append(all, s.volumeStatus(ctx, *v, hosts))
	}
	return selectPage(all, selection[VolumeStatus]{IDs: q.IDs, Filters: q.Filters, Page: q.Page,
		ID: func(st VolumeStatus) string { return st.VolumeID }, Field: volumeStatusField,
		NotFound: func(id string) error {
			return ec2err.New(ec2err.InvalidVolumeNotFound, "The volume '%s' does not exist.", id)
		}})
}

// volumeStatus judges one volume's checks.
func (s *Service) volumeStatus(ctx context.Context, v Volume, hosts map[string]HostRecord) VolumeStatus {
	st := VolumeStatus{VolumeID: v.ID, AZ: v.AZ}
	inUse := false
	switch v.State {
	case "error":
		st.IOEnabled = CheckFailed
	case "available":
		st.IOEnabled = CheckPassed
	case "in-use":
		st.InstanceID = attachedInstance(v)
		st.IOEnabled, inUse = s.attachedIO(ctx, st.InstanceID, hosts)
	default: // creating, deleting: no file to judge yet, or soon none
		st.IOEnabled = StatusInsufficientData
	}
	switch st.IOEnabled {
	case CheckPassed:
		st.Status = StatusOK
	case CheckFailed:
		st.Status = StatusImpaired
	default:
		st.Status = StatusInsufficientData
	}
	if performanceChecked(v.Type) {
		st.IOPerformance = StatusNotApplicable
		if inUse {
			st.IOPerformance = StatusInsufficientData
		}
	}
	return st
}

func attachedInstance(v Volume) string {
	if v.Attachment == nil {
		return ""
	}
	return v.Attachment.InstanceID
}

// performanceChecked: EC2 checks the I/O performance of io1, io2 and gp3.
func performanceChecked(typ string) bool { return typ == "io1" || typ == "io2" || typ == "gp3" }

// attachedIO is io-enabled of a volume attached to instance id, and
// whether a running instance uses it.
func (s *Service) attachedIO(ctx context.Context, id string, hosts map[string]HostRecord) (string, bool) {
	in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
	if err != nil {
		return StatusInsufficientData, false
	}
	if in.State != StateRunning {
		return CheckPassed, false // at rest in the pool
	}
	h, known := hosts[in.HostID]
	if !known || !h.Healthy || in.Impaired {
		return StatusInsufficientData, true
	}
	rep, reported := s.reports.get(in.HostID)
	if d, listed := rep.domains[in.ID]; reported && listed && d.state == "running" {
		return CheckPassed, true
	}
	return StatusInsufficientData, true
}

// volumeStatusField answers DescribeVolumeStatus' filters; the event and
// action filters match nothing (there are none).
func volumeStatusField(st VolumeStatus, name string) ([]string, bool) {
	switch name {
	case "availability-zone":
		return []string{st.AZ}, true
	case "volume-status.status":
		return []string{st.Status}, true
	case "volume-status.details-name":
		if st.IOPerformance != "" {
			return []string{"io-enabled", "io-performance"}, true
		}
		return []string{"io-enabled"}, true
	case "volume-status.details-status":
		return append(nonEmpty(st.IOEnabled), nonEmpty(st.IOPerformance)...), true
	}
	kind, field, _ := strings.Cut(name, ".")
	switch {
	case kind == "event" && (field == "description" || field == "event-id" || field == "event-type" ||
		field == "not-after" || field == "not-before"):
		return nil, true
	case kind == "action" && (field == "code" || field == "description" || field == "event-id"):
		return nil, true
	}
	return nil, false
}
