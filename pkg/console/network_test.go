package console_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/api"
	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/console"
	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/store"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// netRig is a console over the real controller Service (as ec2d serves
// it: pkg/api's Compute) with one zone, no hosts and a small Elastic IP
// pool: every network call the page makes is the one the Query API makes.
type netRig struct {
	*rig
	compute v1.ComputeServer
}

func newNetRig(t *testing.T) *netRig {
	t.Helper()
	st, err := store.OpenBolt(filepath.Join(t.TempDir(), "state.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cfg := controller.Config{Region: "lab-1", ElasticIPPool: []string{"198.51.100.8/29"},
		AvailabilityZones: []controller.ZoneSpec{{Name: "lab-1a", Pool: filepath.Join(t.TempDir(), "pool")}}}
	svc, err := controller.New(cfg, st, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	r := &netRig{rig: &rig{log: &bytes.Buffer{}, now: time.Now()}, compute: api.NewCompute(svc)}
	h := console.New(console.Options{Compute: r.compute, Keys: auth.StaticKeys{key1.AccessKeyID: key1, key2.AccessKeyID: key2},
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Region: "lab-1"})
	mux := http.NewServeMux()
	mux.Handle(console.Prefix, h)
	r.srv = httptest.NewServer(mux)
	t.Cleanup(r.srv.Close)
	return r
}

// as is a context carrying k, as the console's requests do.
func as(k auth.Key) context.Context { return auth.WithKey(context.Background(), k) }

// addresses are k's Elastic IPs, read through the API.
func (r *netRig) addresses(t *testing.T, k auth.Key) []*v1.Address {
	t.Helper()
	res, err := r.compute.DescribeAddresses(as(k), &v1.DescribeAddressesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	return res.GetAddresses()
}

// post submits a form with the session's CSRF token.
func (r *netRig) post(t *testing.T, c *http.Cookie, tok, path string, form url.Values) reply {
	t.Helper()
	if form == nil {
		form = url.Values{}
	}
	form.Set("csrf", tok)
	return r.do(t, http.MethodPost, path, form, c)
}

// wantError checks rep is the network page showing EC2 error code.
func wantError(t *testing.T, what string, rep reply, code string) {
	t.Helper()
	if rep.status != http.StatusBadRequest || !strings.Contains(rep.body, `role="alert"><strong>`+code+`</strong>`) ||
		!strings.Contains(rep.body, `<h2 id="h-eip">`) {
		t.Errorf("%s: %d, want 400 showing %s on the network page\n%s", what, rep.status, code, tail(rep.body))
	}
}

// tail is the end of a page, enough to see its message.
func tail(s string) string {
	if i := strings.Index(s, `<div id="messages"`); i >= 0 {
		s = s[i:]
	}
	return s[:min(len(s), 1500)]
}

// row is the table row of the page with data-id id ("" when absent).
func row(body, id string) string {
	m := regexp.MustCompile(`(?s)<tr data-id="` + regexp.QuoteMeta(id) + `".*?</tr>`).FindString(body)
	return m
}

// TestNetworkPage: the page lists the account's default VPC (CIDR, state,
// default, DHCP options), its subnets, main route table with the local
// route, default network ACL; the old VPCs page sends there; the nav
// links it.
func TestNetworkPage(t *testing.T) {
	r := newNetRig(t)
	c := r.signIn(t, key1)
	if rep := r.do(t, http.MethodGet, "/console/vpcs", nil, c); rep.status != http.StatusSeeOther || rep.header.Get("Location") != "/console/network" {
		t.Errorf("old VPCs page: %d %s", rep.status, rep.header.Get("Location"))
	}
	vpcs, err := r.compute.DescribeVpcs(as(key1), &v1.DescribeVpcsRequest{})
	if err != nil || len(vpcs.GetVpcs()) != 1 {
		t.Fatalf("default VPC: %v %v", vpcs, err)
	}
	vpc := vpcs.GetVpcs()[0]
	rep := r.do(t, http.MethodGet, "/console/network", nil, c)
	if rep.status != http.StatusOK || !strings.Contains(rep.body, `href="/console/network" aria-current="page">Network</a>`) {
		t.Fatalf("network page: %d\n%s", rep.status, rep.body)
	}
	if got := row(rep.body, vpc.GetVpcId()); !strings.Contains(got, "<td>172.31.0.0/16</td>") || !strings.Contains(got, "<td>yes</td>") ||
		!strings.Contains(got, "available") || vpc.GetDhcpOptionsId() == "" || !strings.Contains(got, "<td>"+vpc.GetDhcpOptionsId()+"</td>") {
		t.Errorf("VPC row %q (VPC %v)", got, vpc)
	}
	subs, _ := r.compute.DescribeSubnets(as(key1), &v1.DescribeSubnetsRequest{})
	if len(subs.GetSubnets()) == 0 {
		t.Fatal("the default VPC has no subnets")
	}
	s := subs.GetSubnets()[0]
	if got := row(rep.body, s.GetSubnetId()); !strings.Contains(got, "<td>"+s.GetCidrBlock()+"</td>") ||
		!strings.Contains(got, fmt.Sprintf("<td>lab-1a</td><td>%d</td><td>no</td>", s.GetAvailableIpAddressCount())) {
		t.Errorf("subnet row %q (subnet %v)", got, s)
	}
	rts, _ := r.compute.DescribeRouteTables(as(key1), &v1.DescribeRouteTablesRequest{})
	rt := rts.GetRouteTables()[0]
	if got := row(rep.body, rt.GetRouteTableId()); !strings.Contains(got, "<td>yes</td>") ||
		!strings.Contains(got, `<li data-state="active">172.31.0.0/16 → local`) || !strings.Contains(got, `<li data-state="active">0.0.0.0/0 → igw-`) {
		t.Errorf("route table row %q", got)
	}
	igws, _ := r.compute.DescribeInternetGateways(as(key1), &v1.DescribeInternetGatewaysRequest{})
	if len(igws.GetInternetGateways()) != 1 {
		t.Fatalf("the default VPC's internet gateway: %v", igws)
	}
	if got := row(rep.body, igws.GetInternetGateways()[0].GetInternetGatewayId()); !strings.Contains(got, "(available)") {
		t.Errorf("the default VPC's gateway row %q", got)
	}
	acls, _ := r.compute.DescribeNetworkAcls(as(key1), &v1.DescribeNetworkAclsRequest{})
	acl := acls.GetNetworkAcls()[0]
	if got := row(rep.body, acl.GetNetworkAclId()); !strings.Contains(got, "<td>yes</td>") || !strings.Contains(got, s.GetSubnetId()) ||
		!strings.Contains(got, "<td>4</td>") {
		t.Errorf("network ACL row %q (%d entries)", got, len(acl.GetEntries()))
	}
	for _, empty := range []string{"No NAT gateways.", "No Elastic IPs."} {
		if !strings.Contains(rep.body, empty) {
			t.Errorf("page lacks %q", empty)
		}
	}
}

// TestNetworkElasticIPsAndNat: allocate an Elastic IP (its Name tag
// escaped), meet refusals that change nothing (associate with an unknown
// instance, disassociate an unknown association), make a NAT gateway with
// it, be refused its release while the gateway holds it
// (InvalidIPAddress.InUse), delete the gateway; the other account sees
// none of it; a POST without the CSRF token allocates nothing.
func TestNetworkElasticIPsAndNat(t *testing.T) {
	r := newNetRig(t)
	c := r.signIn(t, key1)
	tok := r.csrf(t, c)
	if rep := r.do(t, http.MethodPost, "/console/network/addresses", url.Values{}, c); rep.status != http.StatusForbidden ||
		len(r.addresses(t, key1)) != 0 {
		t.Fatalf("allocate without the CSRF token: %d, %d addresses", rep.status, len(r.addresses(t, key1)))
	}
	rep := r.post(t, c, tok, "/console/network/addresses", url.Values{"name": {"<b>egress</b>"}})
	addrs := r.addresses(t, key1)
	if rep.status != http.StatusSeeOther || len(addrs) != 1 {
		t.Fatalf("allocate: %d, addresses %v", rep.status, addrs)
	}
	a := addrs[0]
	if loc := rep.header.Get("Location"); !strings.Contains(loc, "done=allocate") || !strings.Contains(loc, url.QueryEscape(a.GetPublicIp())) {
		t.Errorf("allocate sent to %s", loc)
	}
	page := r.do(t, http.MethodGet, "/console/network?done=allocate&id="+a.GetPublicIp(), nil, c).body
	if got := row(page, a.GetAllocationId()); !strings.Contains(got, "<td>"+a.GetPublicIp()+"</td>") ||
		!strings.Contains(got, "&lt;b&gt;egress&lt;/b&gt;") || !strings.Contains(got, "/associate") || !strings.Contains(page, "allocate requested for "+a.GetPublicIp()) {
		t.Errorf("address row %q", got)
	}
	wantError(t, "associate with an unknown instance", r.post(t, c, tok, "/console/network/addresses/"+a.GetAllocationId()+"/associate",
		url.Values{"instance_id": {"i-00000000000000000"}}), "InvalidInstanceID.NotFound")
	wantError(t, "disassociate an unknown association", r.post(t, c, tok, "/console/network/addresses/"+a.GetAllocationId()+"/disassociate",
		url.Values{"association_id": {"eipassoc-00000000000000000"}}), "InvalidAssociationID.NotFound")
	if got := r.addresses(t, key1); len(got) != 1 || got[0].GetAssociationId() != "" {
		t.Fatalf("after refusals: %v", got)
	}

	subs, _ := r.compute.DescribeSubnets(as(key1), &v1.DescribeSubnetsRequest{})
	subnet := subs.GetSubnets()[0].GetSubnetId()
	if !strings.Contains(page, `<option value="`+subnet+`">`) || !strings.Contains(page, `<option value="`+a.GetAllocationId()+`">`) {
		t.Errorf("the NAT gateway form offers no %s or %s", subnet, a.GetAllocationId())
	}
	wantError(t, "NAT gateway without an address", r.post(t, c, tok, "/console/network/nat-gateways",
		url.Values{"subnet_id": {subnet}}), "MissingParameter")
	rep = r.post(t, c, tok, "/console/network/nat-gateways", url.Values{"subnet_id": {subnet}, "allocation_id": {a.GetAllocationId()}, "name": {"nat-a"}})
	nats, _ := r.compute.DescribeNatGateways(as(key1), &v1.DescribeNatGatewaysRequest{})
	if rep.status != http.StatusSeeOther || len(nats.GetNatGateways()) != 1 {
		t.Fatalf("create NAT gateway: %d, %v\n%s", rep.status, nats, tail(rep.body))
	}
	nat := nats.GetNatGateways()[0]
	priv := nat.GetNatGatewayAddresses()[0].GetPrivateIp()
	page = r.do(t, http.MethodGet, "/console/network", nil, c).body
	if got := row(page, nat.GetNatGatewayId()); !strings.Contains(got, "<td>nat-a</td>") || !strings.Contains(got, "<td>"+subnet+"</td>") ||
		!strings.Contains(got, a.GetPublicIp()) || priv == "" || !strings.Contains(got, priv) || !strings.Contains(got, "/delete") {
		t.Errorf("NAT gateway row %q", got)
	}
	if got := row(page, a.GetAllocationId()); !strings.Contains(got, "<td>"+priv+"</td>") || !strings.Contains(got, "/disassociate") {
		t.Errorf("the NAT gateway's address row %q", got)
	}
	wantError(t, "release an address a NAT gateway holds", r.post(t, c, tok, "/console/network/addresses/"+a.GetAllocationId()+"/release", nil),
		"InvalidIPAddress.InUse")
	if got := r.addresses(t, key1); len(got) != 1 {
		t.Fatalf("after the refused release: %v", got)
	}
	if p := r.do(t, http.MethodGet, "/console/network", nil, r.signIn(t, key2)).body; strings.Contains(p, a.GetPublicIp()) ||
		strings.Contains(p, nat.GetNatGatewayId()) {
		t.Error("the other account sees the address or the NAT gateway")
	}
	if rep := r.post(t, c, tok, "/console/network/nat-gateways/"+nat.GetNatGatewayId()+"/delete", nil); rep.status != http.StatusSeeOther {
		t.Fatalf("delete NAT gateway: %d\n%s", rep.status, tail(rep.body))
	}
	wantError(t, "delete an unknown NAT gateway", r.post(t, c, tok, "/console/network/nat-gateways/nat-00000000000000000/delete", nil),
		"NatGatewayNotFound")
}

// TestNetworkReleaseAddress: a free address is released from its row.
func TestNetworkReleaseAddress(t *testing.T) {
	r := newNetRig(t)
	c := r.signIn(t, key1)
	tok := r.csrf(t, c)
	r.post(t, c, tok, "/console/network/addresses", nil)
	a := r.addresses(t, key1)[0]
	if rep := r.post(t, c, tok, "/console/network/addresses/"+a.GetAllocationId()+"/release", nil); rep.status != http.StatusSeeOther ||
		len(r.addresses(t, key1)) != 0 {
		t.Fatalf("release: %d, %v", rep.status, r.addresses(t, key1))
	}
	wantError(t, "release it again", r.post(t, c, tok, "/console/network/addresses/"+a.GetAllocationId()+"/release", nil),
		"InvalidAllocationID.NotFound")
}

// TestNetworkInternetGateways: create a gateway, attach it to a VPC, be
// refused a second attachment (the page shows the code and the gateway
// stays where it was), detach it, delete it.
func TestNetworkInternetGateways(t *testing.T) {
	r := newNetRig(t)
	c := r.signIn(t, key1)
	tok := r.csrf(t, c)
	vpc, err := r.compute.CreateVpc(as(key1), &v1.CreateVpcRequest{CidrBlock: "10.20.0.0/16"})
	if err != nil {
		t.Fatal(err)
	}
	rep := r.post(t, c, tok, "/console/network/internet-gateways", url.Values{"name": {"edge"}})
	edge := &v1.DescribeInternetGatewaysRequest{Filters: []*v1.Filter{{Name: "tag:Name", Values: []string{"edge"}}}} // not the default VPC's
	igws, _ := r.compute.DescribeInternetGateways(as(key1), edge)
	if rep.status != http.StatusSeeOther || len(igws.GetInternetGateways()) != 1 {
		t.Fatalf("create: %d %v\n%s", rep.status, igws, tail(rep.body))
	}
	gw := igws.GetInternetGateways()[0].GetInternetGatewayId()
	page := r.do(t, http.MethodGet, "/console/network", nil, c).body
	if got := row(page, gw); !strings.Contains(got, "<td>edge</td>") || !strings.Contains(got, "detached") ||
		!strings.Contains(got, `<option value="`+vpc.GetVpcId()+`">`) {
		t.Errorf("detached gateway row %q", got)
	}
	base := "/console/network/internet-gateways/" + gw
	if rep := r.post(t, c, tok, base+"/attach", url.Values{"vpc_id": {vpc.GetVpcId()}}); rep.status != http.StatusSeeOther {
		t.Fatalf("attach: %d\n%s", rep.status, tail(rep.body))
	}
	if got := row(r.do(t, http.MethodGet, "/console/network", nil, c).body, gw); !strings.Contains(got, vpc.GetVpcId()+" (available)") ||
		!strings.Contains(got, "/detach") {
		t.Errorf("attached gateway row %q", got)
	}
	vpcs, _ := r.compute.DescribeVpcs(as(key1), &v1.DescribeVpcsRequest{Filters: []*v1.Filter{{Name: "is-default", Values: []string{"true"}}}})
	wantError(t, "attach an attached gateway", r.post(t, c, tok, base+"/attach", url.Values{"vpc_id": {vpcs.GetVpcs()[0].GetVpcId()}}),
		"Resource.AlreadyAssociated")
	wantError(t, "delete an attached gateway", r.post(t, c, tok, base+"/delete", nil), "DependencyViolation")
	igws, _ = r.compute.DescribeInternetGateways(as(key1), edge)
	if at := igws.GetInternetGateways()[0].GetAttachments(); len(at) != 1 || at[0].GetVpcId() != vpc.GetVpcId() {
		t.Fatalf("after the refusals: %v", at)
	}
	if rep := r.post(t, c, tok, base+"/detach", url.Values{"vpc_id": {vpc.GetVpcId()}}); rep.status != http.StatusSeeOther {
		t.Fatalf("detach: %d\n%s", rep.status, tail(rep.body))
	}
	if rep := r.post(t, c, tok, base+"/delete", nil); rep.status != http.StatusSeeOther {
		t.Fatalf("delete: %d\n%s", rep.status, tail(rep.body))
	}
	if p := r.do(t, http.MethodGet, "/console/network", nil, c).body; strings.Contains(p, gw) {
		t.Error("the deleted gateway is still listed")
	}
	if rep := r.post(t, c, tok, base+"/fly", nil); rep.status != http.StatusNotFound {
		t.Errorf("unknown action: %d", rep.status)
	}
}

// TestNetworkAssociateForm: the associate and disassociate forms send the
// chosen instance and the row's association to the API (the fake records
// them: the controller here has no hosts to run an instance on).
func TestNetworkAssociateForm(t *testing.T) {
	r := newRig(t, false)
	c := r.signIn(t, key1)
	tok := r.csrf(t, c)
	if rep := r.do(t, http.MethodPost, "/console/network/addresses/eipalloc-1/associate",
		url.Values{"csrf": {tok}, "instance_id": {"i-0first000000000"}}, c); rep.status != http.StatusSeeOther {
		t.Fatalf("associate: %d\n%s", rep.status, rep.body)
	}
	if rep := r.do(t, http.MethodPost, "/console/network/addresses/eipalloc-1/disassociate",
		url.Values{"csrf": {tok}, "association_id": {"eipassoc-1"}}, c); rep.status != http.StatusSeeOther {
		t.Fatalf("disassociate: %d\n%s", rep.status, rep.body)
	}
	want := "111111111111 associate-address eipalloc-1 i-0first000000000\n111111111111 disassociate-address eipassoc-1"
	if got := strings.Join(r.fake.calls, "\n"); got != want {
		t.Errorf("calls:\n%s\nwant:\n%s", got, want)
	}
}
