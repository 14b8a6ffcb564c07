package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestTerraformHomelab applies test/e2e/testdata/terraform/main.tf, a
// typical homelab configuration, with the unmodified hashicorp/aws provider
// (offline, from the machine's filesystem mirror) against ec2d's Query API
// on real guests (a private subnet's egress through a NAT gateway with its
// own Elastic IP included); checks what it built through the API and in
// the guest;
// re-plans with no changes; changes the instance type (the provider stops
// the instance, modifies it and starts it); and destroys, leaving nothing
// in the API, in libvirt or in the pools.
func TestTerraformHomelab(t *testing.T) {
	requireHost(t)
	tf := requireTool(t, "terraform")
	mirror := terraformMirror(t)
	prefix := fmt.Sprintf("tf%04x-", rand.Intn(1<<16))
	r := startToolRegion(t, prefix)
	before := r.resourceCensus(t)
	filesBefore := storedFiles(t, r.DataDir)

	w := &tfWorkspace{t: t, bin: tf, dir: t.TempDir(), r: r}
	w.setup(mirror)
	w.run("init", "-input=false")
	destroyed := false
	t.Cleanup(func() {
		if !destroyed { // leave nothing behind even when an assertion failed
			w.try(append([]string{"destroy"}, w.vars("-auto-approve")...)...)
		}
	})
	w.run(append([]string{"apply"}, w.vars("-auto-approve")...)...)
	out := w.outputs()

	inst := r.describeOne(t, out.str("instance_id"))
	t.Run("what terraform built", func(t *testing.T) {
		if inst.GetState().GetName() != "running" || inst.GetInstanceType() != "t3.nano" || inst.GetSubnetId() != out.str("subnet_id") ||
			inst.GetVpcId() != out.str("vpc_id") || inst.GetKeyName() != "homelab" {
			t.Errorf("instance %+v", inst)
		}
		var groups []string
		for _, g := range inst.GetSecurityGroups() {
			groups = append(groups, g.GetGroupId())
		}
		slices.Sort(groups)
		want := out.strs("security_groups")
		slices.Sort(want)
		if !slices.Equal(groups, want) {
			t.Errorf("instance groups %v, want %v", groups, want)
		}
		if tags := tagMap(inst.GetTags()); tags["Name"] != "homelab-web" || tags["Role"] != "web" {
			t.Errorf("instance tags %v", tags)
		}
		if ids := out.strs("instance_ids"); len(ids) != 1 || ids[0] != inst.GetInstanceId() {
			t.Errorf("data.aws_instances found %v", ids)
		}
		vpcs, err := r.Client.DescribeVpcs(context.Background(), &v1.DescribeVpcsRequest{VpcIds: []string{out.str("vpc_id")}})
		if err != nil || len(vpcs.GetVpcs()) != 1 {
			t.Fatalf("the VPC: %v %v", vpcs, err)
		}
		if owner := vpcs.GetVpcs()[0].GetOwnerId(); out.str("account_id") != owner || out.str("private_ip") != inst.GetPrivateIpAddress() {
			t.Errorf("account %q ip %q, want %q and %q", out.str("account_id"), out.str("private_ip"), owner, inst.GetPrivateIpAddress())
		}
		if out.str("main_route_table") == "" {
			t.Error("aws_vpc has no main_route_table_id")
		}
		if inst.GetPublicIpAddress() != out.str("public_ip") || out.str("public_ip") == "" {
			t.Errorf("instance public IP %q, aws_eip %q", inst.GetPublicIpAddress(), out.str("public_ip"))
		}
		checkTerraformNetwork(t, r, out)
		checkTerraformNAT(t, r, out)
		devices := map[string]bool{}
		for _, m := range inst.GetBlockDeviceMappings() {
			devices[m.GetDeviceName()] = true
		}
		if !devices["/dev/sdf"] || !devices["/dev/sdg"] || len(devices) != 3 {
			t.Errorf("block devices %v, want root, /dev/sdf (ebs_block_device) and /dev/sdg (aws_volume_attachment)", devices)
		}
		r.waitConsole(t, inst.GetInstanceId(), "terraform-was-here")
		worker := r.describeOne(t, out.str("worker_id"))
		wtags := tagMap(worker.GetTags())
		if worker.GetState().GetName() != "running" || wtags["Role"] != "worker" || wtags["Name"] != "homelab-worker" ||
			wtags["aws:ec2launchtemplate:id"] != out.str("launch_template_id") || worker.GetKeyName() != "homelab" {
			t.Errorf("instance from the launch template: %s %v key %q", worker.GetState().GetName(), wtags, worker.GetKeyName())
		}
		r.waitConsole(t, worker.GetInstanceId(), "launched-from-template")
		if d := r.findGuestDisk(t, inst.GetInstanceId(), out.str("data_volume")); d == "" {
			t.Errorf("the guest does not see %s", out.str("data_volume"))
		}
		snaps, err := r.Client.DescribeSnapshots(context.Background(), &v1.DescribeSnapshotsRequest{SnapshotIds: []string{out.str("snapshot")}})
		if err != nil || len(snaps.GetSnapshots()) != 1 || snaps.GetSnapshots()[0].GetState() != "completed" {
			t.Errorf("snapshot: %v %v", snaps, err)
		}
		imgs, err := r.Client.DescribeImages(context.Background(), &v1.DescribeImagesRequest{ImageIds: []string{out.str("ami"), out.str("ami_copy")}})
		if err != nil || len(imgs.GetImages()) != 2 {
			t.Errorf("images: %v %v", imgs, err)
		}
	})

	t.Run("re-plan has no changes", func(t *testing.T) {
		w.noChanges(t)
	})

	t.Run("instance type change", func(t *testing.T) {
		if out, code := w.try(append([]string{"apply"}, w.vars("-auto-approve", "-var", "instance_type=t3.micro")...)...); code != 0 {
			t.Fatalf("terraform apply t3.micro: exit %d\n%s", code, tail(out, 6000))
		}
		got := r.describeOne(t, inst.GetInstanceId())
		if got.GetInstanceType() != "t3.micro" || got.GetState().GetName() != "running" {
			t.Fatalf("after the type change: %s %s", got.GetInstanceType(), got.GetState().GetName())
		}
		w.noChanges(t, "-var", "instance_type=t3.micro")
	})

	w.run(append([]string{"destroy"}, w.vars("-auto-approve", "-var", "instance_type=t3.micro")...)...)
	destroyed = true
	waitFor(t, "terraform destroy to leave nothing behind", func() bool {
		return len(virshDomains(t, prefix)) == 0 && slices.Equal(storedFiles(t, r.DataDir), filesBefore)
	})
	if after := r.resourceCensus(t); !slices.Equal(after, before) {
		t.Errorf("left behind in the API:\n  before %v\n  after  %v", before, after)
	}
	checkNATDeleted(t, r, out.str("nat_gateway"))
}

// startToolRegion runs a one-host region like --all-in-one, with a short
// garbage-collection grace so that what a tool deleted leaves the pools
// within the test's patience.
func startToolRegion(t *testing.T, prefix string) *region {
	t.Helper()
	dir := hvtest.ScratchDir(t)
	data := filepath.Join(dir, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { removeDomains(t, prefix) })
	cfg := fmt.Sprintf(`region: lab-1
gc_grace: 3s
elastic_ip_pool: [198.51.100.16/28]
availability_zones:
  - {name: lab-1a, id: lab-1-az1, pool: %[1]s/pools/lab-1a}
embedded_agents:
  - {host_id: h-1, availability_zone: lab-1a, domain_prefix: %[2]s, local_pool: %[1]s/local, state_dir: %[1]s/agent}
`, data, prefix)
	r := startRegion(t, data, "--config", writeFile(t, dir, "region.yaml", cfg))
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("ec2d log tail:\n%s", tail(r.log.String(), 6000))
		}
	})
	return r
}

// tfWorkspace is one Terraform working directory pointed at a region.
type tfWorkspace struct {
	t   *testing.T
	bin string
	dir string
	r   *region
	env []string
}

// setup copies the configuration and writes a CLI configuration that
// installs hashicorp/aws from the filesystem mirror only.
func (w *tfWorkspace) setup(mirror string) {
	w.t.Helper()
	src, err := os.ReadFile(filepath.Join(repoRoot(), "test/e2e/testdata/terraform/main.tf"))
	if err != nil {
		w.t.Fatal(err)
	}
	rc := filepath.Join(w.dir, "terraform.rc")
	cfg := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n  direct { exclude = [\"registry.terraform.io/hashicorp/aws\"] }\n}\n", mirror)
	for path, body := range map[string][]byte{filepath.Join(w.dir, "main.tf"): src, rc: []byte(cfg)} {
		if err := os.WriteFile(path, body, 0o644); err != nil {
			w.t.Fatal(err)
		}
	}
	w.env = append(os.Environ(), "TF_CLI_CONFIG_FILE="+rc, "TF_IN_AUTOMATION=1", "CHECKPOINT_DISABLE=1",
		"TF_DATA_DIR="+filepath.Join(w.dir, ".terraform"), "AWS_CONFIG_FILE=/dev/null", "AWS_EC2_METADATA_DISABLED=true")
}

// vars are the arguments that point the configuration at the region.
func (w *tfWorkspace) vars(extra ...string) []string {
	return append([]string{"-input=false", "-no-color", "-var", "endpoint=http://" + w.r.HTTP,
		"-var", "credentials_file=" + w.r.Credentials}, extra...)
}

// try runs terraform and returns its output and exit status.
func (w *tfWorkspace) try(args ...string) (string, int) {
	cmd := exec.Command(w.bin, args...)
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return string(out), exit.ExitCode()
	} else if err != nil {
		return string(out) + err.Error(), -1
	}
	return string(out), 0
}

func (w *tfWorkspace) run(args ...string) string {
	w.t.Helper()
	out, code := w.try(args...)
	if code != 0 {
		w.t.Fatalf("terraform %s: exit %d\n%s", args[0], code, tail(out, 6000))
	}
	return out
}

// noChanges fails t unless a plan finds nothing to do.
func (w *tfWorkspace) noChanges(t *testing.T, extra ...string) {
	t.Helper()
	out, code := w.try(append([]string{"plan"}, w.vars(append([]string{"-detailed-exitcode"}, extra...)...)...)...)
	if code != 0 {
		t.Fatalf("plan after apply: exit %d (2 = changes)\n%s", code, tail(out, 6000))
	}
}

type tfOutputs map[string]struct {
	Value json.RawMessage `json:"value"`
}

func (w *tfWorkspace) outputs() tfOutputs {
	w.t.Helper()
	var o tfOutputs
	jsonOut(w.t, w.run("output", "-json"), &o)
	return o
}

func (o tfOutputs) str(name string) string {
	var s string
	_ = json.Unmarshal(o[name].Value, &s)
	return s
}

func (o tfOutputs) strs(name string) []string {
	var s []string
	_ = json.Unmarshal(o[name].Value, &s)
	return s
}

// requireTool finds a client program on PATH; CI fails without it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err == nil {
		return p
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s missing (CI=true: failing, not skipping)", name)
	}
	t.Skipf("%s missing", name)
	return ""
}

// terraformMirror is the filesystem mirror holding hashicorp/aws
// ($EC2LAB_TF_MIRROR, else the machine's /opt/tf-plugins).
func terraformMirror(t *testing.T) string {
	t.Helper()
	dir := os.Getenv("EC2LAB_TF_MIRROR")
	if dir == "" {
		dir = "/opt/tf-plugins"
	}
	if m, _ := filepath.Glob(filepath.Join(dir, "registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*")); len(m) > 0 {
		return dir
	}
	if os.Getenv("CI") == "true" {
		t.Fatalf("no hashicorp/aws provider under %s (CI=true: failing, not skipping)", dir)
	}
	t.Skipf("no hashicorp/aws provider under %s", dir)
	return ""
}

// describeOne is one instance as DescribeInstances shows it.
func (r *region) describeOne(t *testing.T, id string) *v1.Instance {
	t.Helper()
	resp, err := r.Client.DescribeInstances(context.Background(), &v1.DescribeInstancesRequest{InstanceIds: []string{id}})
	if err != nil || len(resp.GetReservations()) != 1 || len(resp.GetReservations()[0].GetInstances()) != 1 {
		t.Fatalf("DescribeInstances %s: %v %v", id, resp, err)
	}
	return resp.GetReservations()[0].GetInstances()[0]
}

func tagMap(tags []*v1.Tag) map[string]string {
	m := map[string]string{}
	for _, tg := range tags {
		m[tg.GetKey()] = tg.GetValue()
	}
	return m
}

// resourceCensus lists every live resource of the caller's account the
// API shows (terminated instances excluded), sorted, as "kind id".
func (r *region) resourceCensus(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	add := func(kind string, ids ...string) {
		for _, id := range ids {
			out = append(out, kind+" "+id)
		}
	}
	insts, err := r.Client.DescribeInstances(ctx, &v1.DescribeInstancesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, res := range insts.GetReservations() {
		for _, in := range res.GetInstances() {
			if in.GetState().GetName() != "terminated" {
				add("instance", in.GetInstanceId())
			}
		}
	}
	vols, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vols.GetVolumes() {
		add("volume", v.GetVolumeId())
	}
	snaps, err := r.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps.GetSnapshots() {
		add("snapshot", s.GetSnapshotId())
	}
	imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{Owners: []string{"self"}})
	if err != nil {
		t.Fatal(err)
	}
	for _, i := range imgs.GetImages() {
		add("image", i.GetImageId())
	}
	vpcs, err := r.Client.DescribeVpcs(ctx, &v1.DescribeVpcsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vpcs.GetVpcs() {
		add("vpc", v.GetVpcId())
	}
	subs, err := r.Client.DescribeSubnets(ctx, &v1.DescribeSubnetsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range subs.GetSubnets() {
		add("subnet", s.GetSubnetId())
	}
	sgs, err := r.Client.DescribeSecurityGroups(ctx, &v1.DescribeSecurityGroupsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range sgs.GetSecurityGroups() {
		add("security-group", g.GetGroupId())
	}
	keys, err := r.Client.DescribeKeyPairs(ctx, &v1.DescribeKeyPairsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range keys.GetKeyPairs() {
		add("key-pair", k.GetKeyName())
	}
	pgs, err := r.Client.DescribePlacementGroups(ctx, &v1.DescribePlacementGroupsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range pgs.GetPlacementGroups() {
		add("placement-group", g.GetGroupName())
	}
	lts, err := r.Client.DescribeLaunchTemplates(ctx, &v1.DescribeLaunchTemplatesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, lt := range lts.GetLaunchTemplates() {
		add("launch-template", lt.GetLaunchTemplateId())
	}
	igws, err := r.Client.DescribeInternetGateways(ctx, &v1.DescribeInternetGatewaysRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range igws.GetInternetGateways() {
		add("internet-gateway", g.GetInternetGatewayId())
	}
	rtbs, err := r.Client.DescribeRouteTables(ctx, &v1.DescribeRouteTablesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, rt := range rtbs.GetRouteTables() {
		add("route-table", rt.GetRouteTableId())
	}
	acls, err := r.Client.DescribeNetworkAcls(ctx, &v1.DescribeNetworkAclsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range acls.GetNetworkAcls() {
		add("network-acl", a.GetNetworkAclId())
	}
	dopts, err := r.Client.DescribeDhcpOptions(ctx, &v1.DescribeDhcpOptionsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range dopts.GetDhcpOptions() {
		add("dhcp-options", d.GetDhcpOptionsId())
	}
	addrs, err := r.Client.DescribeAddresses(ctx, &v1.DescribeAddressesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range addrs.GetAddresses() {
		add("address", a.GetAllocationId())
	}
	censusNATGateways(t, r, add)
	slices.Sort(out)
	return out
}

// storedFiles lists every file under the region's pools and local pools.
func storedFiles(t *testing.T, dataDir string) []string {
	t.Helper()
	var out []string
	for _, root := range []string{"pools", "local"} {
		_ = filepath.Walk(filepath.Join(dataDir, root), func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(dataDir, p)
				out = append(out, rel)
			}
			return nil
		})
	}
	slices.Sort(out)
	return out
}

// checkTerraformNAT: the NAT gateway is available in the public subnet
// with aws_eip.nat, whose address, interface and private address the
// provider read back; the private subnet's table routes 0.0.0.0/0 to it.
func checkTerraformNAT(t *testing.T, r *region, out tfOutputs) {
	t.Helper()
	checkToolNAT(t, r, toolNAT{Gateway: out.str("nat_gateway"), PublicSubnet: out.str("subnet_id"), VPC: out.str("vpc_id"),
		Allocation: out.str("nat_eip"), PrivateSubnet: out.str("private_subnet"), RouteTable: out.str("private_route_table"), Name: "homelab-nat"})
	ga := describeNAT(t, r, out.str("nat_gateway")).GetNatGatewayAddresses()
	if len(ga) != 1 || ga[0].GetPublicIp() != out.str("nat_public_ip") || ga[0].GetPrivateIp() != out.str("nat_private_ip") ||
		ga[0].GetNetworkInterfaceId() != out.str("nat_interface") || out.str("nat_interface") == "" {
		t.Errorf("aws_nat_gateway read %s %s %s, the API shows %v", out.str("nat_public_ip"), out.str("nat_private_ip"), out.str("nat_interface"), ga)
	}
}

// checkTerraformNetwork: the VPC has Terraform's DHCP option set; the
// subnet routes 0.0.0.0/0 to the attached gateway through the table
// Terraform associated, and uses its ACL.
func checkTerraformNetwork(t *testing.T, r *region, out tfOutputs) {
	t.Helper()
	ctx := context.Background()
	vpcs, err := r.Client.DescribeVpcs(ctx, &v1.DescribeVpcsRequest{VpcIds: []string{out.str("vpc_id")}})
	if err != nil || len(vpcs.GetVpcs()) != 1 || vpcs.GetVpcs()[0].GetDhcpOptionsId() != out.str("dhcp_options") {
		t.Errorf("VPC's DHCP option set: %v %v, want %s", vpcs, err, out.str("dhcp_options"))
	}
	igws, err := r.Client.DescribeInternetGateways(ctx, &v1.DescribeInternetGatewaysRequest{InternetGatewayIds: []string{out.str("internet_gateway")}})
	if err != nil || len(igws.GetInternetGateways()) != 1 || len(igws.GetInternetGateways()[0].GetAttachments()) != 1 ||
		igws.GetInternetGateways()[0].GetAttachments()[0].GetVpcId() != out.str("vpc_id") {
		t.Errorf("internet gateway: %v %v", igws, err)
	}
	rtbs, err := r.Client.DescribeRouteTables(ctx, &v1.DescribeRouteTablesRequest{Filters: []*v1.Filter{
		{Name: "association.subnet-id", Values: []string{out.str("subnet_id")}}}})
	if err != nil || len(rtbs.GetRouteTables()) != 1 || rtbs.GetRouteTables()[0].GetRouteTableId() != out.str("route_table") {
		t.Fatalf("route table of the subnet: %v %v", rtbs, err)
	}
	var toGateway bool
	for _, rt := range rtbs.GetRouteTables()[0].GetRoutes() {
		toGateway = toGateway || rt.GetDestinationCidrBlock() == "0.0.0.0/0" && rt.GetGatewayId() == out.str("internet_gateway") && rt.GetState() == "active"
	}
	if !toGateway {
		t.Errorf("routes %v: no active 0.0.0.0/0 to %s", rtbs.GetRouteTables()[0].GetRoutes(), out.str("internet_gateway"))
	}
	acls, err := r.Client.DescribeNetworkAcls(ctx, &v1.DescribeNetworkAclsRequest{Filters: []*v1.Filter{
		{Name: "association.subnet-id", Values: []string{out.str("subnet_id")}}}})
	if err != nil || len(acls.GetNetworkAcls()) != 1 || acls.GetNetworkAcls()[0].GetNetworkAclId() != out.str("network_acl") ||
		len(acls.GetNetworkAcls()[0].GetEntries()) != 5 {
		t.Errorf("network ACL of the subnet: %v %v", acls, err)
	}
}
