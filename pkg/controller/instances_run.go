package controller

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/instancetypes"
	"github.com/ec2lab/ec2lab/pkg/scheduler"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// MaxUserData is EC2's limit on user data (decoded).
const MaxUserData = 16 * 1024

// DeviceOverride is a block device mapping given at launch.
type DeviceOverride struct {
	DeviceName          string
	SnapshotID          string
	SizeGiB             int32
	VolumeType          string
	IOPS, Throughput    int32
	DeleteOnTermination *bool
	NoDevice            bool
	Encrypted           bool // Ebs.Encrypted: a new volume key unless the snapshot has one
	// keyCipher is the sealed key the volume inherits from an encrypted
	// snapshot (launchKeys fills it).
	keyCipher []byte
}

// RunRequest is RunInstances' input.
type RunRequest struct {
	ImageID, InstanceType string
	MinCount, MaxCount    int
	KeyName               string
	UserData              []byte
	AZ                    string
	Devices               []DeviceOverride
	Tags                  map[string][]Tag // by resource type: instance, volume
	ClientToken           string
	DryRun                bool
	DisableAPITermination bool
	DisableAPIStop        bool
	// ShutdownBehavior is InstanceInitiatedShutdownBehavior: stop
	// (default) or terminate.
	ShutdownBehavior string
	// SubnetID and PrivateIP place the primary network interface (ipam.go).
	SubnetID, PrivateIP string
	// SecurityGroupIDs default to the VPC's default group (secgroups.go).
	SecurityGroupIDs []string
	// PlacementGroup names the caller's placement group, PartitionNumber
	// a partition of a partition group (0: the scheduler picks).
	PlacementGroup  string
	PartitionNumber int
	// MetadataOptions are EC2's MetadataOptions (metadata_options.go).
	MetadataOptions MetadataOptionsRequest
	// CPUCredits is CreditSpecification.CpuCredits for burstable types:
	// unlimited (default) or standard (held to the baseline).
	CPUCredits string
	// NetworkInterfaces are NetworkInterface.N: at most the primary one,
	// mapped onto SubnetID, SecurityGroupIDs and PrivateIP
	// (instances_run_eni.go).
	NetworkInterfaces []InterfaceSpec
	// LaunchTemplate fills what the request does not give
	// (launchtemplate_run.go).
	LaunchTemplate *LaunchTemplateSpec `json:",omitempty"`
	// associatePublicIP is the primary interface's AssociatePublicIpAddress,
	// from the request's NetworkInterface.1 or the launch template's
	// interface (nil: the subnet's MapPublicIpOnLaunch decides;
	// publicips_launch.go).
	associatePublicIP *bool
	// systemTags are instance tags the service itself adds (an Auto
	// Scaling group's aws:autoscaling:groupName), after the checks that
	// refuse aws: keys from callers; not part of the request's hash.
	systemTags []Tag
}

// CPU credit modes of burstable instances (EC2 CreditSpecification).
const (
	CreditsUnlimited = "unlimited"
	CreditsStandard  = "standard"
)

// checkCPUCredits accepts a credit mode for burstable types only.
func checkCPUCredits(typ instancetypes.Type, mode string) error {
	switch mode {
	case "":
		return nil
	case CreditsUnlimited, CreditsStandard:
		if !typ.Burstable {
			return ec2err.New(ec2err.InvalidParameterCombination,
				"The CreditSpecification parameter is only supported with burstable performance instance types (T2, T3, ...), not %s", typ.Name)
		}
		return nil
	}
	return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for CreditSpecification.CpuCredits (standard or unlimited)", mode)
}

// RunResult is the reservation made.
type RunResult struct {
	ReservationID string
	Owner         string
	Instances     []Instance
}

// RunInstances validates, places and records the instances in state
// pending; the reconciler then makes them real on their hosts.
func (s *Service) RunInstances(ctx context.Context, req RunRequest) (RunResult, error) {
	acct, err := account(ctx)
	if err != nil {
		return RunResult{}, err
	}
	hash := runHash(req) // of the request as given: a retry gives it again
	if res, done, err := s.replayRun(ctx, acct, req); done || err != nil {
		return res, err
	}
	tmpl, err := s.applyLaunchTemplate(ctx, acct, &req)
	if err != nil {
		return RunResult{}, err
	}
	typ, img, key, err := s.validateRun(ctx, acct, &req)
	if err != nil {
		return RunResult{}, err
	}
	if err := s.applyAccountDefaults(ctx, acct, &req, typ); err != nil {
		return RunResult{}, err
	}
	req.Tags = withTemplateTags(req.Tags, tmpl)
	if len(req.systemTags) > 0 {
		req.Tags = withSystemTags(req.Tags, req.systemTags)
	}
	devs, err := s.launchKeys(ctx, acct, s.launchDevices(img, req.Devices))
	if err != nil {
		return RunResult{}, err
	}
	subnet, err := s.launchSubnet(ctx, acct, &req)
	if err != nil {
		return RunResult{}, err
	}
	groups, err := s.launchGroups(ctx, acct, req.SecurityGroupIDs, subnet)
	if err != nil {
		return RunResult{}, err
	}
	pgroup, err := s.launchPlacementGroup(ctx, acct, req)
	if err != nil {
		return RunResult{}, err
	}
	if err := s.checkLaunchPublicIP(req); err != nil {
		return RunResult{}, err
	}
	if req.DryRun {
		return RunResult{}, DryRun()
	}
	s.mu.Lock() // placement and its commit are one critical section
	defer s.mu.Unlock()
	count, err := s.fitQuota(ctx, acct, typ, req.MinCount, req.MaxCount)
	if err != nil {
		return RunResult{}, err
	}
	places, err := s.placeInGroup(ctx, typ, launchAZ(req.AZ, subnet), req.MinCount, count, pgroup, req.PartitionNumber)
	if err != nil {
		return RunResult{}, err
	}
	release, err := s.admitLaunchStorage(ctx, acct, devs, len(places))
	if err != nil {
		return RunResult{}, err
	}
	defer release()
	res := RunResult{ReservationID: ids.New(ids.Reservation), Owner: acct}
	var ops []store.Op
	placedOn := map[string]bool{} // one LastPlaced write per host: a txn names each key once
	for i, p := range places {
		in, vols, err := s.newInstance(req, acct, res.ReservationID, i, p, typ, img, key, devs)
		if err != nil {
			return RunResult{}, err
		}
		in.SecurityGroups = groups
		if pgroup != nil {
			in.PlacementGroup, in.Partition = req.PlacementGroup, p.Partition
		}
		res.Instances = append(res.Instances, in)
		for _, v := range vols {
			op, _ := store.PutJSON(prefixVolume+v.ID, v, 0)
			ops = append(ops, op)
		}
		if !placedOn[p.HostID] {
			placedOn[p.HostID] = true
			ops = append(ops, s.hostPlacedOp(ctx, p.HostID))
		}
	}
	if req.ClientToken != "" {
		ops = append(ops, tokenOp(acct, "RunInstances", req.ClientToken, hash, instanceIDs(res.Instances)))
	}
	if err := s.commitLaunch(ctx, acct, req, subnet, res, ops); err != nil {
		if errors.Is(err, errTokenTaken) { // a concurrent retry of this request recorded it first
			res, _, err := s.replayRun(ctx, acct, req)
			return res, err
		}
		return RunResult{}, err
	}
	s.log.Info("instances launched", "reservation", res.ReservationID, "count", len(res.Instances),
		"type", typ.Name, "image", img.ID, "account", acct)
	s.noteImageLaunched(ctx, img.ID, s.now().UTC())
	s.Kick()
	return res, nil
}

func (s *Service) validateRun(ctx context.Context, acct string, req *RunRequest) (instancetypes.Type, Image, *KeyPair, error) {
	var none instancetypes.Type
	if req.ImageID == "" {
		return none, Image{}, nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter ImageId")
	}
	if req.InstanceType == "" {
		// EC2 defaults to a small type; here the catalog's smallest
		// general-purpose one (t3.nano in the built-in catalog).
		def, ok := s.types.Smallest(instancetypes.General)
		if !ok {
			return none, Image{}, nil, ec2err.New(ec2err.MissingParameter, "The request must contain the parameter InstanceType")
		}
		req.InstanceType = def.Name
	}
	typ, ok := s.types.Get(req.InstanceType)
	if !ok {
		return none, Image{}, nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for InstanceType.", req.InstanceType)
	}
	if err := validateCounts(req.MinCount, req.MaxCount); err != nil {
		return none, Image{}, nil, err
	}
	if err := req.applyInterfaces(); err != nil {
		return none, Image{}, nil, err
	}
	for _, tags := range req.Tags { // TagSpecifications, per resource type
		if err := validateTags(tags); err != nil {
			return none, Image{}, nil, err
		}
	}
	if len(req.UserData) > MaxUserData {
		return none, Image{}, nil, ec2err.New(ec2err.InvalidParameterValue, "User data is limited to %d bytes", MaxUserData)
	}
	if err := checkShutdownBehavior(req.ShutdownBehavior); err != nil {
		return none, Image{}, nil, err
	}
	if err := req.MetadataOptions.validate(); err != nil {
		return none, Image{}, nil, err
	}
	if err := checkCPUCredits(typ, req.CPUCredits); err != nil {
		return none, Image{}, nil, err
	}
	if req.AZ != "" {
		if _, ok := s.cfg.Zone(req.AZ); !ok {
			return none, Image{}, nil, ec2err.New(ec2err.InvalidParameterValue, "Invalid availability zone: [%s]", req.AZ)
		}
	}
	img, err := s.launchableImage(ctx, acct, req.ImageID)
	if err != nil {
		return none, Image{}, nil, err
	}
	if err := s.checkOverrides(ctx, acct, img, req.Devices); err != nil {
		return none, Image{}, nil, err
	}
	var key *KeyPair
	if req.KeyName != "" {
		k, _, err := store.GetJSON[KeyPair](ctx, s.st, keyPairKey(acct, req.KeyName))
		if err != nil {
			return none, Image{}, nil, ec2err.New(ec2err.InvalidKeyPairNotFound, "The key pair '%s' does not exist", req.KeyName)
		}
		key = &k
	}
	return typ, img, key, nil
}

func (s *Service) launchableImage(ctx context.Context, acct, id string) (Image, error) {
	if !ids.Valid(ids.Image, id) {
		return Image{}, ec2err.New(ec2err.InvalidAMIIDMalformed, "Invalid id: \"%s\" (expecting \"ami-...\")", id)
	}
	img, _, err := store.GetJSON[Image](ctx, s.st, prefixImage+id)
	if err != nil || !imageVisible(img, acct) {
		return Image{}, imageNotFound(id)
	}
	if img.State != "available" {
		return Image{}, ec2err.New(ec2err.InvalidAMIIDUnavailable, "The image id '[%s]' is not available (state %s)", id, img.State)
	}
	return img, nil
}

func (s *Service) checkOverrides(ctx context.Context, acct string, img Image, devs []DeviceOverride) error {
	for _, d := range devs {
		if d.DeviceName == "" {
			return ec2err.New(ec2err.MissingParameter, "The request must contain the parameter BlockDeviceMapping.DeviceName")
		}
		if d.VolumeType != "" && !validVolumeType(d.VolumeType) {
			return ec2err.New(ec2err.InvalidParameterValue, "Invalid value '%s' for VolumeType.", d.VolumeType)
		}
		if base, ok := imageDevice(img, d.DeviceName); ok && d.SizeGiB != 0 && d.SizeGiB < base.SizeGiB {
			return ec2err.New(ec2err.InvalidParameterValue,
				"Volume of size %dGB is smaller than snapshot '%s', expect size >= %dGB", d.SizeGiB, base.SnapshotID, base.SizeGiB)
		}
		if _, ok := imageDevice(img, d.DeviceName); !ok && !d.NoDevice && d.SnapshotID == "" && d.SizeGiB == 0 {
			return ec2err.New(ec2err.InvalidParameterValue, "Volume size must be given for new device %s", d.DeviceName)
		}
		if d.SnapshotID != "" {
			if _, err := s.visibleSnapshot(ctx, acct, d.SnapshotID); err != nil {
				return err
			}
		}
	}
	return nil
}

func imageDevice(img Image, name string) (ImageDevice, bool) {
	for _, d := range img.Devices {
		if d.DeviceName == name {
			return d, true
		}
	}
	return ImageDevice{}, false
}

// fitQuota trims the count to the account's vCPU quota, or fails when
// fewer than min fit.
func (s *Service) fitQuota(ctx context.Context, acct string, typ instancetypes.Type, min, max int) (int, error) {
	u, err := s.accountUsage(ctx, acct)
	if err != nil {
		return 0, err
	}
	used, limit := u.VCPUs, int(s.Quota(acct, QuotaVCPUs))
	fit := (limit - used) / typ.VCPUs
	if fit < min {
		return 0, ec2err.New(ec2err.VcpuLimitExceeded,
			"You have requested more vCPU capacity than your current vCPU limit of %d allows for the instance bucket that the specified instance type belongs to (%d in use, %d requested).",
			limit, used, min*typ.VCPUs)
	}
	if fit < max {
		return fit, nil
	}
	return max, nil
}

// admitLaunchStorage admits the EBS storage n instances with devs add, per
// volume type (in sorted order, so two launches take the locks alike);
// release unlocks them once the launch is recorded.
func (s *Service) admitLaunchStorage(ctx context.Context, acct string, devs []DeviceOverride, n int) (release func(), err error) {
	byType := map[string]int64{}
	for _, d := range devs {
		byType[cmp.Or(d.VolumeType, "gp3")] += int64(d.SizeGiB) * int64(n) // gp3: applyVolumeDefaults
	}
	var releases []func()
	release = func() {
		for _, r := range releases {
			r()
		}
	}
	for _, t := range slices.Sorted(maps.Keys(byType)) {
		r, err := s.admitStorage(ctx, acct, t, byType[t])
		if err != nil {
			release()
			return nil, err
		}
		releases = append(releases, r)
	}
	return release, nil
}

func consumesCapacity(state string) bool {
	return state == StatePending || state == StateRunning || state == StateStopping || state == StateShuttingDown
}

// place asks the scheduler where count instances go.
func (s *Service) place(ctx context.Context, typ instancetypes.Type, az string, min, max int) ([]scheduler.Placement, error) {
	return s.placeInGroup(ctx, typ, az, min, max, nil, 0)
}

// placeInGroup is place for instances of placement group grp (nil: none).
func (s *Service) placeInGroup(ctx context.Context, typ instancetypes.Type, az string, min, max int,
	grp *scheduler.PlacementGroup, partition int) ([]scheduler.Placement, error) {
	hosts, err := s.schedulerHosts(ctx)
	if err != nil {
		return nil, err
	}
	pol := scheduler.Policy{CPUOvercommit: s.cfg.CPUOvercommit, MemoryOvercommit: s.cfg.MemoryOvercommit, Strategy: s.cfg.Strategy}
	places, err := scheduler.Place(hosts, scheduler.Request{Type: typ, MinCount: min, MaxCount: max, AZ: az,
		Group: grp, PartitionNumber: partition}, pol)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), ec2err.InsufficientInstanceCapacity+": ")
		if grp != nil { // the scheduler's group key is account/name; users know the name
			msg = strings.ReplaceAll(msg, grp.Name, grp.Name[strings.Index(grp.Name, "/")+1:])
		}
		return nil, ec2err.New(ec2err.InsufficientInstanceCapacity, "%s", msg)
	}
	return places, nil
}

func (s *Service) hostPlacedOp(ctx context.Context, hostID string) store.Op {
	h, _, _ := store.GetJSON[HostRecord](ctx, s.st, prefixHost+hostID)
	h.LastPlaced = s.now().UnixNano()
	op, _ := store.PutJSON(prefixHost+hostID, h, -1)
	return op
}

func instanceIDs(in []Instance) []string {
	out := make([]string, len(in))
	for i, x := range in {
		out[i] = x.ID
	}
	return out
}

func runHash(req RunRequest) string {
	req.ClientToken, req.DryRun = "", false
	b, _ := json.Marshal(req)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// replayRun answers a retried RunInstances with the same ClientToken.
func (s *Service) replayRun(ctx context.Context, acct string, req RunRequest) (RunResult, bool, error) {
	if req.ClientToken == "" {
		return RunResult{}, false, nil
	}
	if len(req.ClientToken) > 64 {
		return RunResult{}, true, ec2err.New(ec2err.InvalidParameterValue, "ClientToken is longer than 64 characters")
	}
	rec, _, err := store.GetJSON[idempotencyRecord](ctx, s.st, tokenKey(acct, "RunInstances", req.ClientToken))
	if err != nil {
		return RunResult{}, false, nil
	}
	if rec.ParamsHash != runHash(req) {
		return RunResult{}, true, ec2err.New(ec2err.IdempotentParameterMismatch,
			"Arguments on this idempotent request are inconsistent with arguments used in previous request(s).")
	}
	res := RunResult{Owner: acct}
	for _, id := range rec.ResultIDs {
		in, _, err := store.GetJSON[Instance](ctx, s.st, prefixInstance+id)
		if err != nil {
			continue
		}
		res.ReservationID = in.ReservationID
		res.Instances = append(res.Instances, s.view(in))
	}
	return res, true, nil
}

var _ = time.Now

// maxRunCount is the most instances one RunInstances request may ask for.
const maxRunCount = 100

// validateCounts checks RunInstances' MinCount and MaxCount as EC2 does:
// both positive, MinCount no more than MaxCount. Neither edge defaults a
// zero count, so MinCount=0 or MaxCount=0 is refused, never one instance.
func validateCounts(minCount, maxCount int) error {
	switch {
	case minCount < 1:
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%d) for parameter minCount is invalid. Expected a positive integer.", minCount)
	case maxCount < 1:
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%d) for parameter maxCount is invalid. Expected a positive integer.", maxCount)
	case minCount > maxCount:
		return ec2err.New(ec2err.InvalidParameterValue,
			"Value (%d) for parameter minCount is invalid. Expected minCount <= maxCount (%d).", minCount, maxCount)
	case maxCount > maxRunCount:
		return ec2err.New(ec2err.InvalidParameterValue, "MaxCount %d exceeds the limit of %d per request", maxCount, maxRunCount)
	}
	return nil
}
