package agent

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/ec2lab/ec2lab/pkg/cloudinit"
	"github.com/ec2lab/ec2lab/pkg/hypervisor"
	"github.com/ec2lab/ec2lab/pkg/storage"
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// CreateInstance defines (and with start=true boots) the instance's domain.
// It is idempotent by instance ID: an existing domain is returned as is.
// On any failure everything made so far is undone.
func (a *Agent) CreateInstance(ctx context.Context, req *agentv1.CreateInstanceRequest) (*agentv1.InstanceStatus, error) {
	id := req.GetInstanceId()
	if id == "" {
		return nil, missing("InstanceId")
	}
	defer a.lock(id)()
	if d, err := a.hv.Get(ctx, a.domainName(id)); err == nil {
		if d.State != hypervisor.StateStopped || a.createdFiles(id) {
			return a.status(ctx, id)
		}
		// A define sent just before the agent died can land after the
		// restarted agent's Recover removed the files of a create it took
		// for abandoned: create it again.
		a.log.Warn("create: a stopped domain without its spec or seed (interrupted create); defining it again", "instance", id)
		if err := a.hv.Undefine(ctx, d.Name); err != nil {
			return nil, fmt.Errorf("create %s: %w", id, err)
		}
	} else if !errors.Is(err, hypervisor.ErrNotFound) {
		return nil, err
	}
	s, err := a.buildSpec(req)
	if err != nil {
		return nil, err
	}
	if err := a.fillChains(ctx, s.Domain.Disks); err != nil {
		return nil, err
	}
	r := &revert{}
	defer r.Fail()
	if err := a.provision(ctx, req, s, r); err != nil {
		return nil, fmt.Errorf("create %s: %w", id, err)
	}
	if req.GetStart() {
		a.md.booting(id)
		if err := a.hv.Start(ctx, s.Domain.Name); err != nil {
			return nil, fmt.Errorf("create %s: %w", id, err)
		}
		r.Add(func() { _ = a.hv.Destroy(context.WithoutCancel(ctx), s.Domain.Name) })
		if err := a.adoptTaps(ctx, id, s.Domain.NICs); err != nil {
			return nil, fmt.Errorf("create %s: %w", id, err)
		}
	}
	r.Success()
	a.log.Info("instance created", "instance", id, "domain", s.Domain.Name, "started", req.GetStart())
	return a.status(ctx, id)
}

// createdFiles reports whether a finished create's spec and seed exist.
func (a *Agent) createdFiles(id string) bool {
	for _, p := range []string{a.specPath(id), a.seedPath(id)} {
		if _, err := os.Stat(p); err != nil {
			return false
		}
	}
	return true
}

// provision makes the seed, instance-store disks, secrets and definition,
// registering the undo of each on r.
func (a *Agent) provision(ctx context.Context, req *agentv1.CreateInstanceRequest, s *instanceSpec, r *revert) error {
	id := req.GetInstanceId()
	undoCtx := context.WithoutCancel(ctx)
	if err := a.writeSeed(ctx, req); err != nil {
		return err
	}
	r.Add(func() { _ = os.Remove(a.seedPath(id)) })
	if err := a.addMetadata(req); err != nil {
		return err
	}
	r.Add(func() { _ = a.dropMetadata(id) })
	for n, size := range s.Ephemeral {
		name := ephemeralName(id, n)
		if err := a.cfg.LocalPool.Create(ctx, name, size, storage.CreateOptions{}); err != nil {
			return fmt.Errorf("instance store %d: %w", n, err)
		}
		r.Add(func() { _ = a.cfg.LocalPool.Delete(undoCtx, name) })
	}
	for _, d := range req.GetDisks() {
		if d.GetSecretUuid() == "" || len(d.GetEncryptionKey()) == 0 {
			continue
		}
		if err := a.hv.DefineSecret(ctx, d.GetSecretUuid(), d.GetEncryptionKey()); err != nil {
			return err
		}
		r.Add(func() { _ = a.hv.UndefineSecret(undoCtx, d.GetSecretUuid()) })
	}
	r.Add(func() { _ = os.Remove(a.specPath(id)) })
	if err := a.define(ctx, id, s); err != nil {
		return err
	}
	r.Add(func() { _ = a.hv.Undefine(undoCtx, s.Domain.Name) })
	return nil
}

func (a *Agent) writeSeed(ctx context.Context, req *agentv1.CreateInstanceRequest) error {
	md := cloudinit.MetaData{
		InstanceID: req.GetInstanceId(), Hostname: req.GetHostname(),
		AvailabilityZone: or(req.GetAvailabilityZone(), a.cfg.AZ), Region: or(req.GetRegion(), a.cfg.Region),
		InstanceType: req.GetInstanceType(), ImageID: req.GetImageId(), PublicKeys: req.GetPublicKeys(),
	}
	if md.Hostname == "" {
		md.Hostname = md.InstanceID
	}
	if err := cloudinit.BuildSeedISO(ctx, a.seedPath(md.InstanceID), md, req.GetUserData()); err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	return nil
}

func or(s, def string) string {
	if s != "" {
		return s
	}
	return def
}

// buildSpec maps the request to a domain spec (no side effects).
func (a *Agent) buildSpec(req *agentv1.CreateInstanceRequest) (*instanceSpec, error) {
	id := req.GetInstanceId()
	if req.GetVcpus() <= 0 || req.GetMemoryMib() <= 0 {
		return nil, missing("vcpus and memory_mib")
	}
	if len(req.GetDisks()) == 0 {
		return nil, missing("disks (root volume)")
	}
	s := &instanceSpec{Dedicated: req.GetDedicatedCpus(), GPUCount: int(req.GetGpus())}
	s.Domain = hypervisor.DomainSpec{
		Name: a.domainName(id), UUID: newUUID(), DomainType: a.cfg.DomainType.Type,
		VCPUs: int(req.GetVcpus()), MemoryMiB: req.GetMemoryMib(),
		CPUQuotaPercent: int(req.GetCpuBaselinePercent()), Hugepages: req.GetHugepages(),
		LockMemory: req.GetHugepages() && a.canLockMemory(),
		Kernel:     req.GetKernelPath(), Initrd: req.GetInitrdPath(), Cmdline: req.GetKernelCmdline(),
		BootMode: bootMode(req), SeedISO: a.seedPath(id), ConsoleLog: a.consolePath(id),
		Metadata: hypervisor.Metadata{InstanceID: id, OwnerID: req.GetOwnerId(), InstanceType: req.GetInstanceType(), ImageID: req.GetImageId()},
	}
	for _, d := range req.GetDisks() {
		s.Domain.Disks = append(s.Domain.Disks, a.diskFromProto(d))
	}
	nics, err := a.domainNICs(req)
	if err != nil {
		return nil, err
	}
	s.Domain.NICs = nics
	for i, d := range s.Domain.Disks {
		if d.Target == "" {
			s.Domain.Disks[i].Target = freeTarget(s.Domain.Disks)
		}
	}
	for n, e := range req.GetInstanceStore() {
		s.Ephemeral = append(s.Ephemeral, e.GetSizeBytes())
		s.Domain.Disks = append(s.Domain.Disks, hypervisor.Disk{
			Path: a.cfg.LocalPool.Path(ephemeralName(id, n)), Target: freeTarget(s.Domain.Disks), Serial: fmt.Sprintf("ephemeral%d", n),
		})
	}
	return s, nil
}

func bootMode(req *agentv1.CreateInstanceRequest) string {
	if m := req.GetBootMode(); m != "" {
		return m
	}
	if req.GetKernelPath() != "" {
		return hypervisor.BootDirectKernel
	}
	return hypervisor.BootBIOS
}

func (a *Agent) diskFromProto(d *agentv1.Disk) hypervisor.Disk {
	return hypervisor.Disk{
		Path: a.volumePath(d.GetPath()), Target: d.GetTarget(), ReadOnly: d.GetReadOnly(),
		Serial: volumeSerial(d.GetVolumeId()), SecretUUID: d.GetSecretUuid(),
		IOTune: hypervisor.IOTune{TotalIOPSSec: uint64(d.GetIotune().GetTotalIopsSec()), TotalBytesSec: uint64(d.GetIotune().GetTotalBytesSec())},
	}
}

// volumeSerial fits a volume ID in virtio-blk's 20-byte serial the way EC2
// does for NVMe ("vol-0123…" → "vol0123…").
func volumeSerial(id string) string {
	if len(id) > 20 && strings.HasPrefix(id, "vol-") {
		id = "vol" + id[4:]
	}
	if len(id) > 20 {
		id = id[:20]
	}
	return id
}

// freeTarget is the first vdX not used by disks.
func freeTarget(disks []hypervisor.Disk) string {
	for c := 'a'; c <= 'z'; c++ {
		t := "vd" + string(c)
		if !hasTarget(disks, t) {
			return t
		}
	}
	return ""
}

func hasTarget(disks []hypervisor.Disk, t string) bool {
	for _, d := range disks {
		if d.Target == t {
			return true
		}
	}
	return false
}

// newUUID is a random (v4) UUID: fixed at create time so that redefining
// the domain later replaces it instead of clashing with it.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
}
