package controller

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// quotaCase is one account quota: how to make one more of what it counts
// (i numbers the attempt, scope is what setup made) and how much the
// account uses now, in the quota's counting unit.
type quotaCase struct {
	key, code string
	limit     int64 // the region's value for the test (acct2's override: limit+1)
	each      int64 // what one create adds, in the counting unit
	setup     func(t *testing.T, r *rig, acct string) string
	create    func(r *rig, ctx context.Context, acct, scope string, i int) error
	used      func(r *rig, acct, scope string) func(context.Context) (int64, error)
}

func quotaCases() []quotaCase {
	// none makes nothing but the account's default VPC, which counts
	none := func(t *testing.T, r *rig, acct string) string {
		if _, _, err := r.svc.DescribeVpcs(ctxFor(acct), nil, nil, Page{}); err != nil {
			t.Fatal(err)
		}
		return ""
	}
	cases := []quotaCase{
		{key: QuotaVPCs, code: "VpcLimitExceeded", limit: 3, each: 1, setup: none,
			create: func(r *rig, ctx context.Context, _, _ string, i int) error {
				_, err := r.svc.CreateVpc(ctx, fmt.Sprintf("10.%d.0.0/16", i), nil, false)
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countVPCs(acct) }},
		{key: QuotaSubnets, code: "SubnetLimitExceeded", limit: 2, each: 1,
			setup: func(t *testing.T, r *rig, acct string) string {
				v, err := r.svc.CreateVpc(ctxFor(acct), "10.200.0.0/16", nil, false)
				if err != nil {
					t.Fatal(err)
				}
				return v.ID
			},
			create: func(r *rig, ctx context.Context, _, vpc string, i int) error {
				_, err := r.svc.CreateSubnet(ctx, vpc, fmt.Sprintf("10.200.%d.0/24", i), "", nil, false)
				return err
			},
			used: func(r *rig, acct, vpc string) func(context.Context) (int64, error) {
				return r.svc.countSubnets(acct, vpc)
			}},
		{key: QuotaSecurityGroups, code: "SecurityGroupLimitExceeded", limit: 8, each: 1, setup: none,
			create: func(r *rig, ctx context.Context, _, _ string, i int) error {
				_, err := r.svc.CreateSecurityGroup(ctx, fmt.Sprintf("g%d", i), "quota", "", nil, false)
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) {
				return r.svc.countSecurityGroups(acct)
			}},
		{key: QuotaRulesPerGroup, code: "RulesPerSecurityGroupLimitExceeded", limit: 3, each: 1,
			setup: func(t *testing.T, r *rig, acct string) string {
				g, err := r.svc.CreateSecurityGroup(ctxFor(acct), "rules", "quota", "", nil, false)
				if err != nil {
					t.Fatal(err)
				}
				return g.ID
			},
			create: func(r *rig, ctx context.Context, _, g string, i int) error {
				_, err := r.svc.AuthorizeSecurityGroup(ctx, RuleEdit{GroupID: g, Perms: icmpFrom(fmt.Sprintf("10.1.%d.0/24", i))})
				return err
			},
			used: func(r *rig, _, g string) func(context.Context) (int64, error) {
				return func(ctx context.Context) (int64, error) {
					rec, _, err := store.GetJSON[SecurityGroup](ctx, r.svc.st, prefixSecGroup+g)
					return int64(len(rec.Ingress)), err
				}
			}},
		{key: "gp3_storage_tib", code: "VolumeLimitExceeded", limit: 1, each: 512, setup: none,
			create: func(r *rig, ctx context.Context, _, _ string, _ int) error {
				_, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 512, Type: "gp3"})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) {
				return r.svc.countVolumeGiB(acct, "gp3")
			}},
		{key: QuotaSnapshots, code: "SnapshotLimitExceeded", limit: 2, each: 1,
			setup: func(t *testing.T, r *rig, acct string) string { return availableVolume(t, r, acct) },
			create: func(r *rig, ctx context.Context, _, vol string, _ int) error {
				_, err := r.svc.CreateSnapshot(ctx, vol, "", nil, false)
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countSnapshots(acct) }},
		{key: QuotaSnapshots, code: "SnapshotLimitExceeded", limit: 6, each: 1, // copies count too
			setup: func(t *testing.T, r *rig, acct string) string { return completedSnapshot(t, r, acct) },
			create: func(r *rig, ctx context.Context, _, snap string, _ int) error {
				_, err := r.svc.CopySnapshot(ctx, CopySnapshotRequest{SourceRegion: "lab-1", SourceSnapshotID: snap})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countSnapshots(acct) }},
		{key: QuotaImages, code: "AMIQuotaExceeded", limit: 3, each: 1,
			setup: func(t *testing.T, r *rig, acct string) string { return completedSnapshot(t, r, acct) },
			create: func(r *rig, ctx context.Context, _, snap string, i int) error {
				_, err := r.svc.RegisterImage(ctx, RegisterRequest{Name: fmt.Sprintf("img%d", i),
					Devices: []RegisterDevice{{DeviceName: "/dev/xvda", SnapshotID: snap}}})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countImages(acct) }},
		{key: QuotaKeyPairs, code: "KeyPairLimitExceeded", limit: 2, each: 1, setup: none,
			create: func(r *rig, ctx context.Context, _, _ string, i int) error {
				_, _, err := r.svc.CreateKeyPair(ctx, fmt.Sprintf("k%d", i), "ed25519", nil, false)
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countKeyPairs(acct) }},
		{key: QuotaLaunchTemplates, code: "LaunchTemplateLimitExceeded", limit: 2, each: 1, setup: none,
			create: func(r *rig, ctx context.Context, _, _ string, i int) error {
				_, _, err := r.svc.CreateLaunchTemplate(ctx, CreateTemplateRequest{Name: fmt.Sprintf("lt%d", i),
					Data: LaunchTemplateData{InstanceType: "lab.tiny"}})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) {
				return r.svc.countLaunchTemplates(acct)
			}},
		{key: QuotaVCPUs, code: "VcpuLimitExceeded", limit: 2, each: 1, setup: none,
			create: func(r *rig, ctx context.Context, _, _ string, _ int) error {
				_, err := r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, AZ: "lab-1a"})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) {
				return func(ctx context.Context) (int64, error) {
					u, err := r.svc.accountUsage(ctx, acct)
					return int64(u.VCPUs), err
				}
			}},
		{key: QuotaSnapshots, code: "SnapshotLimitExceeded", limit: 12, each: 1, // an image copy's snapshots count
			setup: func(t *testing.T, r *rig, acct string) string { return registeredImage(t, r, acct) },
			create: func(r *rig, ctx context.Context, _, img string, i int) error {
				_, err := r.svc.CopyImage(ctx, CopyImageRequest{SourceRegion: "lab-1", SourceImageID: img, Name: fmt.Sprintf("copy%d", i)})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countSnapshots(acct) }},
		{key: QuotaSnapshots, code: "SnapshotLimitExceeded", limit: 17, each: 2, // CreateImage reserves one per volume
			setup: none,
			create: func(r *rig, ctx context.Context, acct, _ string, i int) error {
				in := imageableInstance(r, acct, 2)
				_, err := r.svc.CreateImage(ctx, CreateImageRequest{InstanceID: in, Name: fmt.Sprintf("made%d", i)})
				return err
			},
			used: func(r *rig, acct, _ string) func(context.Context) (int64, error) { return r.svc.countSnapshots(acct) }},
	}
	return append(cases, netQuotaCases()...)
}

// TestQuotas: each quota lets an account reach its limit and no further;
// the create over it answers the quota's code and records nothing; the
// region's value replaces EC2's default and an account's override
// replaces the region's (acct2 gets one more).
func TestQuotas(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 16, mem: 16384})
	shareAMI(t, r)
	for _, c := range quotaCases() {
		t.Run(c.key, func(t *testing.T) {
			r.svc.cfg.Quotas = QuotaConfig{Defaults: map[string]int64{c.key: c.limit},
				Accounts: map[string]map[string]int64{acct2: {c.key: c.limit + 1}}}
			q, _ := lookupQuota(c.key)
			for _, acct := range []string{acct1, acct2} {
				ctx := ctxFor(acct)
				scope := c.setup(t, r, acct)
				used := c.used(r, acct, scope)
				before, err := used(ctx)
				if err != nil {
					t.Fatal(err)
				}
				limit := r.svc.Quota(acct, c.key)
				fits := int((limit*q.unit - before) / c.each)
				if fits < 1 {
					t.Fatalf("%s: the test's limit %d leaves no room (%d in use)", acct, limit, before)
				}
				for i := 0; i < fits; i++ {
					if err := c.create(r, ctx, acct, scope, i); err != nil {
						t.Fatalf("%s: create %d of %d under the limit %d: %v", acct, i+1, fits, limit, err)
					}
				}
				at, _ := used(ctx)
				if err := c.create(r, ctx, acct, scope, fits); errCode(err) != c.code {
					t.Fatalf("%s: create over the limit %d: got %v, want %s", acct, limit, err, c.code)
				}
				if after, _ := used(ctx); after != at || at > limit*q.unit {
					t.Errorf("%s: usage %d before the refused create, %d after (limit %d)", acct, at, after, limit)
				}
			}
		})
	}
}

// shareAMI gives acct2 a launch permission on the rig's image.
func shareAMI(t *testing.T, r *rig) {
	t.Helper()
	if _, err := update(context.Background(), r.svc.st, prefixImage+r.ami, func(im *Image) error {
		im.Public = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// availableVolume records an available 1 GiB volume of acct (the fake
// agents make no files).
func availableVolume(t *testing.T, r *rig, acct string) string {
	t.Helper()
	v := Volume{ID: ids.New(ids.Volume), Owner: acct, AZ: "lab-1a", SizeGiB: 1, Type: "gp2", State: "available"}
	if err := put(context.Background(), r.svc.st, prefixVolume+v.ID, v); err != nil {
		t.Fatal(err)
	}
	return v.ID
}

// completedSnapshot records a completed 1 GiB snapshot of acct in lab-1a.
func completedSnapshot(t *testing.T, r *rig, acct string) string {
	t.Helper()
	sn := Snapshot{ID: ids.New(ids.Snapshot), Owner: acct, VolumeID: "vol-ffffffff", AZ: "lab-1a", State: "completed",
		Progress: "100%", SizeGiB: 1, StartTime: r.svc.now().UTC()}
	sn.Layer = sn.ID + ".qcow2"
	if err := put(context.Background(), r.svc.st, prefixSnapshot+sn.ID, sn); err != nil {
		t.Fatal(err)
	}
	return sn.ID
}

// registeredImage registers an image of acct over one completed snapshot.
func registeredImage(t *testing.T, r *rig, acct string) string {
	t.Helper()
	img, err := r.svc.RegisterImage(ctxFor(acct), RegisterRequest{Name: "src-" + acct,
		Devices: []RegisterDevice{{DeviceName: "/dev/xvda", SnapshotID: completedSnapshot(t, r, acct)}}})
	if err != nil {
		t.Fatal(err)
	}
	return img.ID
}

// imageableInstance records a stopped instance of acct launched from the
// rig's image with n attached volumes (records only: CreateImage's checks
// read no host).
func imageableInstance(r *rig, acct string, n int) string {
	ctx := context.Background()
	in := Instance{ID: ids.New(ids.Instance), Owner: acct, ImageID: r.ami, State: StateStopped, AZ: "lab-1a",
		Type: "lab.tiny", RootDeviceName: "/dev/xvda"}
	for i := range n {
		v := Volume{ID: ids.New(ids.Volume), Owner: acct, AZ: "lab-1a", SizeGiB: 1, Type: "gp2", State: "in-use"}
		_ = put(ctx, r.svc.st, prefixVolume+v.ID, v)
		in.BlockDevices = append(in.BlockDevices, BlockDevice{DeviceName: fmt.Sprintf("/dev/xvd%c", 'a'+i),
			VolumeID: v.ID, Status: "attached"})
	}
	_ = put(ctx, r.svc.st, prefixInstance+in.ID, in)
	return in.ID
}

// TestQuotaConcurrentCreates: creates racing at the limit never both
// pass: of 12 concurrent CreateVpc calls with room for 2, exactly 2
// succeed and the others answer VpcLimitExceeded; likewise for gp3
// storage.
func TestQuotaConcurrentCreates(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	ctx := ctxFor(acct1)
	r.svc.cfg.Quotas = QuotaConfig{Defaults: map[string]int64{QuotaVPCs: 3, "gp3_storage_tib": 1}}
	cases := []struct {
		name, code string
		create     func(i int) error
		used       func(context.Context) (int64, error)
		want       int64
	}{
		{"vpcs", "VpcLimitExceeded", func(i int) error {
			_, err := r.svc.CreateVpc(ctx, fmt.Sprintf("10.%d.0.0/16", i), nil, false)
			return err
		}, r.svc.countVPCs(acct1), 3},
		{"gp3 storage", "VolumeLimitExceeded", func(int) error {
			_, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 400, Type: "gp3"})
			return err
		}, r.svc.countVolumeGiB(acct1, "gp3"), 800},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if _, _, err := r.svc.DescribeVpcs(ctx, nil, nil, Page{}); err != nil { // the default VPC counts
				t.Fatal(err)
			}
			const n = 12
			errs := make([]error, n)
			var wg sync.WaitGroup
			for i := range n {
				wg.Add(1)
				go func() { defer wg.Done(); errs[i] = c.create(i + 1) }()
			}
			wg.Wait()
			refused := 0
			for _, err := range errs {
				switch errCode(err) {
				case "":
				case c.code:
					refused++
				default:
					t.Errorf("unexpected error: %v", err)
				}
			}
			if got, _ := c.used(ctx); got != c.want || refused != n-2 {
				t.Errorf("usage %d (want %d), %d refused (want %d)", got, c.want, refused, n-2)
			}
		})
	}
}

// TestQuotaDefaults: without a quotas section every account has EC2's
// defaults; the vCPU quota falls back to vcpu_quota.
func TestQuotaDefaults(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	for _, c := range []struct {
		key  string
		want int64
	}{
		{QuotaVPCs, 5}, {QuotaSubnets, 200}, {QuotaSecurityGroups, 2500}, {QuotaRulesPerGroup, 60},
		{QuotaSnapshots, 100000}, {QuotaImages, 50000}, {QuotaKeyPairs, 5000}, {QuotaLaunchTemplates, 5000},
		{"gp2_storage_tib", 50}, {"gp3_storage_tib", 50}, {"io2_storage_tib", 50}, {QuotaVCPUs, 64},
		{QuotaElasticIPs, 5}, {QuotaGateways, 5}, {QuotaRouteTables, 200}, {QuotaRoutes, 50},
		{QuotaNetworkACLs, 200}, {QuotaACLRules, 20},
	} {
		if got := r.svc.Quota(acct1, c.key); got != c.want {
			t.Errorf("%s = %d, want %d", c.key, got, c.want)
		}
	}
}

// TestQuotaConfigValidate: an unknown quota name or a negative value is a
// config error.
func TestQuotaConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		q    QuotaConfig
		ok   bool
	}{
		{"defaults", QuotaConfig{Defaults: map[string]int64{QuotaVPCs: 10}}, true},
		{"account", QuotaConfig{Accounts: map[string]map[string]int64{acct1: {"gp3_storage_tib": 100}}}, true},
		{"unknown", QuotaConfig{Defaults: map[string]int64{"vpcs": 10}}, false},
		{"negative", QuotaConfig{Accounts: map[string]map[string]int64{acct1: {QuotaKeyPairs: -1}}}, false},
	} {
		if err := c.q.validate(); (err == nil) != c.ok {
			t.Errorf("%s: validate = %v, want ok=%v", c.name, err, c.ok)
		}
	}
}

// TestAccountAttributes: DescribeAccountAttributes answers the account's
// default VPC and its instance quota (the vCPU quota, with the account's
// override), refuses unknown names and says the Elastic IP ones are not
// served.
func TestAccountAttributes(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	r.svc.cfg.Quotas = QuotaConfig{Accounts: map[string]map[string]int64{acct2: {QuotaVCPUs: 8}}}
	for _, c := range []struct {
		acct, maxInstances string
	}{{acct1, "64"}, {acct2, "8"}} {
		ctx := ctxFor(c.acct)
		attrs, err := r.svc.AccountAttributes(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		vpcs, _, err := r.svc.DescribeVpcs(ctx, nil, []Filter{{"is-default", []string{"true"}}}, Page{})
		if err != nil || len(vpcs) != 1 {
			t.Fatalf("default VPC: %v %v", vpcs, err)
		}
		got := map[string]string{}
		var order []string
		for _, a := range attrs {
			got[a.Name] = strings.Join(a.Values, ",")
			order = append(order, a.Name)
		}
		if strings.Join(order, ",") != "supported-platforms,default-vpc,max-instances,max-elastic-ips,vpc-max-elastic-ips" ||
			got["supported-platforms"] != "VPC" || got["vpc-max-elastic-ips"] != "5" ||
			got["default-vpc"] != vpcs[0].ID || got["max-instances"] != c.maxInstances {
			t.Errorf("%s: %v, want default-vpc %s and max-instances %s", c.acct, attrs, vpcs[0].ID, c.maxInstances)
		}
	}
	for _, c := range []struct {
		names []string
		code  string
	}{
		{[]string{"max-instances"}, ""}, {[]string{"nope"}, "InvalidParameterValue"},
		{[]string{"default-vpc", "vpc-max-security-groups-per-interface"}, "UnsupportedOperation"},
		{[]string{"max-elastic-ips"}, ""},
	} {
		attrs, err := r.svc.AccountAttributes(ctxFor(acct1), c.names)
		if errCode(err) != c.code || (err == nil && len(attrs) != len(c.names)) {
			t.Errorf("%v: %v %v, want code %q", c.names, attrs, err, c.code)
		}
	}
}

// TestStartRespectsVCPUQuota: starting a stopped instance takes vCPUs as a
// launch does; over the quota it answers VcpuLimitExceeded and the
// instance stays stopped.
func TestStartRespectsVCPUQuota(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 16, mem: 16384})
	r.svc.cfg.Quotas = QuotaConfig{Defaults: map[string]int64{QuotaVCPUs: 2}}
	a := r.launched(t, RunRequest{})
	b := r.launched(t, RunRequest{})
	r.stopped(t, a.ID)
	r.launched(t, RunRequest{}) // takes a's place under the quota
	_, err := r.svc.StartInstances(ctxFor(acct1), []string{a.ID}, false)
	if errCode(err) != "VcpuLimitExceeded" {
		t.Fatalf("start over the vCPU quota: %v, want VcpuLimitExceeded", err)
	}
	if st := r.get(t, a.ID).State; st != StateStopped {
		t.Errorf("refused start left the instance %s, want stopped", st)
	}
	r.stopped(t, b.ID)
	if _, err := r.svc.StartInstances(ctxFor(acct1), []string{a.ID}, false); err != nil {
		t.Errorf("start within the quota: %v", err)
	}
}

// TestStorageQuotaCountsLaunchesAndGrowth: the storage quota of a volume
// type holds for the volumes RunInstances makes and for ModifyVolume's
// growth and type changes, not only for CreateVolume.
func TestStorageQuotaCountsLaunchesAndGrowth(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 16, mem: 16384})
	r.svc.cfg.Quotas = QuotaConfig{Defaults: map[string]int64{"gp3_storage_tib": 1, "gp2_storage_tib": 1}}
	ctx := ctxFor(acct1)
	big, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SizeGiB: 1023, Type: "gp3"})
	if err != nil {
		t.Fatal(err)
	}
	// the image's 1 GiB gp3 root fits once (1024 GiB = 1 TiB), not twice
	_, err = r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 2, MaxCount: 2, AZ: "lab-1a"})
	if errCode(err) != "VolumeLimitExceeded" {
		t.Fatalf("launch of two 1 GiB gp3 roots over the quota: %v, want VolumeLimitExceeded", err)
	}
	if n, _ := r.svc.countVolumeGiB(acct1, "gp3")(ctx); n != 1023 {
		t.Errorf("gp3 in use after the refused launch: %d GiB, want 1023", n)
	}
	in := r.launched(t, RunRequest{}) // one root: exactly at the quota
	if n, _ := r.svc.countVolumeGiB(acct1, "gp3")(ctx); n != 1024 {
		t.Fatalf("gp3 in use after one launch of %s: %d GiB, want 1024", in.ID, n)
	}
	r.svc.driveVolume(context.Background(), big.ID, r.svc.createVolume)
	if _, err := r.svc.ModifyVolume(ctx, big.ID, 1100, "", 0, 0, false); errCode(err) != "VolumeLimitExceeded" {
		t.Errorf("growing gp3 past the quota: %v, want VolumeLimitExceeded", err)
	}
	if _, err := r.svc.ModifyVolume(ctx, big.ID, 0, "gp2", 0, 0, false); err != nil {
		t.Errorf("moving 1023 GiB to gp2 (1 TiB free): %v", err)
	}
	if _, err := r.svc.ModifyVolume(ctx, big.ID, 1025, "", 0, 0, false); errCode(err) != "VolumeLimitExceeded" {
		t.Errorf("growing the gp2 volume past 1 TiB: %v, want VolumeLimitExceeded", err)
	}
}
