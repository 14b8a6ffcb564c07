package controller

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// QuotaConfig is the `quotas:` section of the region config: values that
// replace EC2's defaults for every account (Defaults) and for one account
// (Accounts, by account ID). Keys are the quota names of quotaTable.
type QuotaConfig struct {
	Defaults map[string]int64            `json:"defaults"`
	Accounts map[string]map[string]int64 `json:"accounts"`
}

// quotaDef is one account quota: its config key, EC2's name for it
// (Service Quotas), EC2's default and the code a create over it answers.
type quotaDef struct {
	key, ec2Name string
	def          int64
	code         string
	// message is EC2's text; %d is the limit.
	message string
	// unit is what one of the quota's units counts in (1024: a TiB
	// quota counted in GiB).
	unit int64
}

// Quota keys (the config's names).
const (
	QuotaVCPUs           = "running_on_demand_vcpus"
	QuotaVPCs            = "vpcs_per_region"
	QuotaSubnets         = "subnets_per_vpc"
	QuotaSecurityGroups  = "security_groups_per_region"
	QuotaRulesPerGroup   = "rules_per_security_group"
	QuotaSnapshots       = "snapshots_per_region"
	QuotaImages          = "amis_per_region"
	QuotaKeyPairs        = "key_pairs_per_region"
	QuotaLaunchTemplates = "launch_templates_per_region"
	QuotaElasticIPs      = "elastic_ips_per_region"
	QuotaGateways        = "internet_gateways_per_region"
	QuotaNATGateways     = "nat_gateways_per_az"
	QuotaRouteTables     = "route_tables_per_vpc"
	QuotaRoutes          = "routes_per_route_table"
	QuotaNetworkACLs     = "network_acls_per_vpc"
	QuotaACLRules        = "rules_per_network_acl"
	// a volume type + quotaStorageSuffix (gp3_storage_tib, …): TiB of
	// that type the account may hold.
	quotaStorageSuffix = "_storage_tib"
)

// quotaTable lists the account quotas with EC2's defaults (Amazon VPC
// quotas, Amazon EBS quotas, Amazon EC2 service quotas). The vCPU quota's
// default is the config's vcpu_quota.
var quotaTable = func() []quotaDef {
	t := []quotaDef{
		{QuotaVCPUs, "Running On-Demand Standard (A, C, D, H, I, M, R, T, Z) instances", 0, ec2err.VcpuLimitExceeded, "", 1},
		{QuotaVPCs, "VPCs per Region", 5, ec2err.VpcLimitExceeded, "The maximum number of VPCs (%d) has been reached.", 1},
		{QuotaSubnets, "Subnets per VPC", 200, ec2err.SubnetLimitExceeded, "The maximum number of subnets (%d) for this VPC has been reached.", 1},
		{QuotaSecurityGroups, "VPC security groups per Region", 2500, ec2err.SecurityGroupLimitExceeded, "The maximum number of security groups (%d) has been reached.", 1},
		{QuotaRulesPerGroup, "Inbound or outbound rules per security group", 60, ec2err.RulesPerSecurityGroupLimitExceeded, "The maximum number of rules per security group (%d) has been reached.", 1},
		{QuotaSnapshots, "Snapshots per Region", 100000, ec2err.SnapshotLimitExceeded, "The maximum number of snapshots (%d) has been reached.", 1},
		{QuotaImages, "AMIs", 50000, ec2err.AMIQuotaExceeded, "You have reached your quota of %d AMIs in this Region.", 1},
		{QuotaKeyPairs, "Key pairs per Region", 5000, ec2err.KeyPairLimitExceeded, "Maximum number of key pairs (%d) has been reached.", 1},
		{QuotaLaunchTemplates, "Launch templates per Region", 5000, ec2err.LaunchTemplateLimitExceeded, "You've reached the maximum number of launch templates (%d) for this account.", 1},
		{QuotaElasticIPs, "EC2-VPC Elastic IPs", 5, ec2err.AddressLimitExceeded, "The maximum number of addresses (%d) has been reached.", 1},
		{QuotaGateways, "Internet gateways per Region", 5, ec2err.InternetGatewayLimitExceeded, "The maximum number of internet gateways (%d) has been reached.", 1},
		{QuotaNATGateways, "NAT gateways per Availability Zone", 5, ec2err.NatGatewayLimitExceeded, "The maximum number of NAT gateways (%d) in this Availability Zone has been reached.", 1},
		{QuotaRouteTables, "Route tables per VPC", 200, ec2err.RouteTableLimitExceeded, "The maximum number of route tables (%d) for this VPC has been reached.", 1},
		{QuotaRoutes, "Routes per route table", 50, ec2err.RouteLimitExceeded, "The maximum number of routes (%d) for this route table has been reached.", 1},
		{QuotaNetworkACLs, "Network ACLs per VPC", 200, ec2err.NetworkACLLimitExceeded, "The maximum number of network ACLs (%d) for this VPC has been reached.", 1},
		// Counted per direction, as EC2 does (20 inbound and 20 outbound).
		{QuotaACLRules, "Rules per network ACL", 20, ec2err.NetworkACLEntryLimitExceeded, "The maximum number of entries (%d) in this direction of the network ACL has been reached.", 1},
	}
	for _, typ := range []struct{ t, name string }{
		{"gp2", "General Purpose SSD (gp2)"}, {"gp3", "General Purpose SSD (gp3)"},
		{"io1", "Provisioned IOPS SSD (io1)"}, {"io2", "Provisioned IOPS SSD (io2)"},
		{"st1", "Throughput Optimized HDD (st1)"}, {"sc1", "Cold HDD (sc1)"}, {"standard", "Magnetic (standard)"},
	} {
		t = append(t, quotaDef{typ.t + quotaStorageSuffix, "Storage for " + typ.name + " volumes, in TiB", 50,
			ec2err.VolumeLimitExceeded, "You have exceeded your maximum " + typ.t + " storage limit of %d TiB in this region.", 1024})
	}
	return t
}()

func lookupQuota(key string) (quotaDef, bool) {
	for _, q := range quotaTable {
		if q.key == key {
			return q, true
		}
	}
	return quotaDef{}, false
}

// QuotaNames are the keys the quotas section accepts, sorted.
func QuotaNames() []string {
	n := make([]string, 0, len(quotaTable))
	for _, q := range quotaTable {
		n = append(n, q.key)
	}
	sort.Strings(n)
	return n
}

// validate refuses unknown quota names and negative values.
func (q QuotaConfig) validate() error {
	check := func(where string, m map[string]int64) error {
		for k, v := range m {
			if _, ok := lookupQuota(k); !ok {
				return fmt.Errorf("quotas %s: unknown quota %q (known: %s)", where, k, strings.Join(QuotaNames(), ", "))
			}
			if v < 0 {
				return fmt.Errorf("quotas %s: %s is negative", where, k)
			}
		}
		return nil
	}
	if err := check("defaults", q.Defaults); err != nil {
		return err
	}
	for acct, m := range q.Accounts {
		if err := check("account "+acct, m); err != nil {
			return err
		}
	}
	return nil
}

// Quota is the value of quota key for acct: its override, else the
// region's default, else EC2's.
func (s *Service) Quota(acct, key string) int64 {
	if v, ok := s.cfg.Quotas.Accounts[acct][key]; ok {
		return v
	}
	if v, ok := s.cfg.Quotas.Defaults[key]; ok {
		return v
	}
	if key == QuotaVCPUs {
		return int64(s.cfg.VCPUQuota)
	}
	q, _ := lookupQuota(key)
	return q.def
}

// quotaLocks serialise a quota's check with the write it admits, per
// account and scope, so that two concurrent creates never both pass at
// the limit.
type quotaLocks struct{ m sync.Map }

func (l *quotaLocks) lock(key string) func() {
	mu, _ := l.m.LoadOrStore(key, &sync.Mutex{})
	mu.(*sync.Mutex).Lock()
	return mu.(*sync.Mutex).Unlock
}

// admit checks that acct may add `adding` (in the quota's counting unit:
// GiB for storage) to quota key within scope (a
// VPC's ID for per-VPC quotas, a group's for rules; "" for the region),
// counting what it uses now with used. On success the caller holds the
// quota's lock until it calls release, after its record is written; on
// failure nothing is held and the error carries the quota's code.
func (s *Service) admit(ctx context.Context, acct, key, scope string, adding int64,
	used func(context.Context) (int64, error)) (release func(), err error) {
	unlock := s.quotaLocks.lock(acct + "/" + key + "/" + scope)
	n, err := used(ctx)
	if err != nil {
		unlock()
		return nil, fmt.Errorf("quota %s: count: %w", key, err)
	}
	if err := s.checkQuota(acct, key, n+adding); err != nil {
		unlock()
		return nil, err
	}
	return unlock, nil
}

// checkQuota fails with the quota's code when acct would hold more than
// its limit: for checks made inside a revision-checked update, which the
// store already makes race-free.
func (s *Service) checkQuota(acct, key string, total int64) error {
	q, ok := lookupQuota(key)
	if !ok {
		return fmt.Errorf("quota %s: not defined", key)
	}
	if limit := s.Quota(acct, key); total > limit*q.unit {
		return ec2err.New(q.code, q.message, limit)
	}
	return nil
}

// countWhere counts the records under prefix that keep accepts.
func countWhere[T any](st store.Store, prefix string, keep func(T) bool) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		all, err := store.ListJSON[T](ctx, st, prefix)
		if err != nil {
			return 0, err
		}
		var n int64
		for _, r := range all {
			if keep(r) {
				n++
			}
		}
		return n, nil
	}
}

// The usage counters of the quotas.

func (s *Service) countVPCs(acct string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixVPC, func(v VPC) bool { return v.Owner == acct })
}

func (s *Service) countSubnets(acct, vpcID string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixSubnet, func(sn Subnet) bool { return sn.Owner == acct && sn.VpcID == vpcID })
}

func (s *Service) countSecurityGroups(acct string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixSecGroup, func(g SecurityGroup) bool { return g.Owner == acct })
}

func (s *Service) countVolumeGiB(acct, volType string) func(context.Context) (int64, error) {
	return func(ctx context.Context) (int64, error) {
		all, err := store.ListJSON[Volume](ctx, s.st, prefixVolume)
		if err != nil {
			return 0, err
		}
		var gib int64
		for _, v := range all {
			if v.Owner == acct && v.Type == volType {
				gib += int64(v.SizeGiB)
			}
		}
		return gib, nil
	}
}

// countSnapshots counts acct's snapshot records and the snapshots its
// CreateImage jobs have reserved but not yet recorded.
func (s *Service) countSnapshots(acct string) func(context.Context) (int64, error) {
	records := countWhere(s.st, prefixSnapshot, func(sn Snapshot) bool { return sn.Owner == acct })
	return func(ctx context.Context) (int64, error) {
		n, err := records(ctx)
		if err != nil {
			return 0, err
		}
		jobs, err := store.ListJSON[imageJob](ctx, s.st, prefixImageJob)
		if err != nil {
			return 0, err
		}
		for _, j := range jobs {
			if j.Owner == acct && j.Snapshots == nil {
				n += int64(j.Reserved)
			}
		}
		return n, nil
	}
}

func (s *Service) countImages(acct string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixImage, func(im Image) bool { return im.Owner == acct && im.State != "deregistered" })
}

func (s *Service) countGateways(acct string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixInternetGateway, func(g InternetGateway) bool { return g.Owner == acct })
}

func (s *Service) countRouteTables(acct, vpcID string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixRouteTable, func(rt RouteTable) bool { return rt.Owner == acct && rt.VpcID == vpcID })
}

func (s *Service) countNetworkACLs(acct, vpcID string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixNetworkACL, func(a NetworkACL) bool { return a.Owner == acct && a.VpcID == vpcID })
}

func (s *Service) countKeyPairs(acct string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixKeyPair+acct+"/", func(KeyPair) bool { return true })
}

func (s *Service) countLaunchTemplates(acct string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixLaunchTemplate, func(t LaunchTemplate) bool { return t.Owner == acct })
}

func (s *Service) countAddresses(acct string) func(context.Context) (int64, error) {
	return countWhere(s.st, prefixAddress, func(a Address) bool { return a.Owner == acct })
}

// admitImage is admit for one more AMI of acct and the snapshots it
// brings: both quotas' locks are taken, always the image's first, and
// release frees both.
func (s *Service) admitImage(ctx context.Context, acct string, snapshots int) (func(), error) {
	releaseImage, err := s.admit(ctx, acct, QuotaImages, "", 1, s.countImages(acct))
	if err != nil {
		return nil, err
	}
	if snapshots == 0 {
		return releaseImage, nil
	}
	releaseSnaps, err := s.admit(ctx, acct, QuotaSnapshots, "", int64(snapshots), s.countSnapshots(acct))
	if err != nil {
		releaseImage()
		return nil, err
	}
	return func() { releaseSnaps(); releaseImage() }, nil
}

// admitStorage is admit for sizeGiB more of volType's storage (a type
// without a quota, none).
func (s *Service) admitStorage(ctx context.Context, acct, volType string, sizeGiB int64) (func(), error) {
	key := volType + quotaStorageSuffix
	if _, ok := lookupQuota(key); !ok {
		return func() {}, nil
	}
	return s.admit(ctx, acct, key, "", sizeGiB, s.countVolumeGiB(acct, volType))
}
