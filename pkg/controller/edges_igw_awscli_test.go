package controller_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ctl"
)

// ec2Tools runs `aws ec2` (Query API) and ec2ctl (gRPC) as one account
// against e's listeners.
type ec2Tools struct {
	asg *asgTools // its skips, account and binary
}

// run runs `aws ec2 args... --output json`, answering stdout, stderr and
// whether it succeeded.
func (a ec2Tools) run(args ...string) (string, string, bool) {
	a.asg.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, a.asg.awsBin, append(append([]string{"ec2"}, args...), "--endpoint-url", a.asg.e.url, "--output", "json")...)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=AKIA"+a.asg.acct, "AWS_SECRET_ACCESS_KEY=secret-"+a.asg.acct,
		"AWS_DEFAULT_REGION=lab-1", "AWS_CONFIG_FILE=/nonexistent", "AWS_SHARED_CREDENTIALS_FILE=/nonexistent",
		"AWS_EC2_METADATA_DISABLED=true", "AWS_PAGER=", "PYTHONDONTWRITEBYTECODE=1", "AWS_MAX_ATTEMPTS=1")
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err == nil
}

// aws runs `aws ec2 args...`; it must succeed. It answers the printed
// document (nil when nothing was printed).
func (a ec2Tools) aws(args ...string) map[string]any {
	a.asg.t.Helper()
	out, errOut, ok := a.run(args...)
	if !ok {
		a.asg.t.Fatalf("aws ec2 %v: %s", args, errOut)
	}
	return decodeDoc(a.asg.t, out)
}

// awsFails runs `aws ec2 args...`; it must fail with code.
func (a ec2Tools) awsFails(code string, args ...string) {
	a.asg.t.Helper()
	_, errOut, ok := a.run(args...)
	if ok || !strings.Contains(errOut, "("+code+")") {
		a.asg.t.Errorf("aws ec2 %v: succeeded %v, %s; want %s", args, ok, errOut, code)
	}
}

// ec2ctl runs `ec2ctl args... --output json`; it must succeed.
func (a ec2Tools) ec2ctl(args ...string) map[string]any {
	a.asg.t.Helper()
	env := map[string]string{"HOME": a.asg.t.TempDir(), "AWS_ACCESS_KEY_ID": "AKIA" + a.asg.acct,
		"AWS_SECRET_ACCESS_KEY": "secret-" + a.asg.acct, "AWS_REGION": "lab-1", "EC2LAB_ENDPOINT": "grpc://edge:1"}
	var out, errOut bytes.Buffer
	root := ctl.NewRootCommand(ctl.WithIO(strings.NewReader(""), &out, &errOut),
		ctl.WithEnv(func(k string) string { return env[k] }), ctl.WithDialer(a.asg.e.dial))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if code := ctl.Run(ctx, root, append(args, "--output", "json")); code != 0 {
		a.asg.t.Fatalf("ec2ctl %v: exit %d\n%s", args, code, errOut.String())
	}
	return decodeDoc(a.asg.t, out.String())
}

func decodeDoc(t *testing.T, out string) map[string]any {
	t.Helper()
	if strings.TrimSpace(out) == "" {
		return nil
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("decode %q: %v", out, err)
	}
	return doc
}

// docAt reads doc's member at a dotted path ("RouteTable.Routes.1.GatewayId").
func docAt(t *testing.T, doc any, p string) any {
	t.Helper()
	for _, k := range strings.Split(p, ".") {
		switch d := doc.(type) {
		case map[string]any:
			doc = d[k]
		case []any:
			i := int(k[0] - '0')
			if len(k) != 1 || i >= len(d) {
				t.Fatalf("%s: no %s in %v", p, k, d)
			}
			doc = d[i]
		default:
			t.Fatalf("%s: %s of %v", p, k, doc)
		}
	}
	return doc
}

// TestInternetGatewaysThroughTheAWSCLI: the real AWS CLI makes a public
// subnet (gateway, table, default route, association), moves the main
// association, undoes it all and meets each refusal; ec2ctl prints the
// same documents over gRPC.
func TestInternetGatewaysThroughTheAWSCLI(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	a := ec2Tools{asg: newASGTools(t, e, rig.Acct1)}
	vpc := docAt(t, a.aws("create-vpc", "--cidr-block", "10.9.0.0/16"), "Vpc.VpcId").(string)
	subnet := docAt(t, a.aws("create-subnet", "--vpc-id", vpc, "--cidr-block", "10.9.1.0/24", "--availability-zone", "lab-1a"),
		"Subnet.SubnetId").(string)

	gwDoc := a.aws("create-internet-gateway", "--tag-specifications", "ResourceType=internet-gateway,Tags=[{Key=Name,Value=gw}]")
	gw := docAt(t, gwDoc, "InternetGateway.InternetGatewayId").(string)
	if docAt(t, gwDoc, "InternetGateway.Tags.0.Value") != "gw" || docAt(t, gwDoc, "InternetGateway.OwnerId") != rig.Acct1 {
		t.Errorf("create-internet-gateway: %v", gwDoc)
	}
	if doc := a.aws("attach-internet-gateway", "--internet-gateway-id", gw, "--vpc-id", vpc); doc != nil {
		t.Errorf("attach-internet-gateway printed %v", doc)
	}
	a.awsFails("Resource.AlreadyAssociated", "attach-internet-gateway", "--internet-gateway-id", gw, "--vpc-id", vpc)
	a.awsFails("InvalidInternetGatewayID.NotFound", "attach-internet-gateway", "--internet-gateway-id", "igw-00000000000000000", "--vpc-id", vpc)
	a.awsFails("DependencyViolation", "delete-internet-gateway", "--internet-gateway-id", gw)
	a.awsFails("DependencyViolation", "delete-vpc", "--vpc-id", vpc)
	described := a.aws("describe-internet-gateways", "--filters", "Name=attachment.vpc-id,Values="+vpc)
	if docAt(t, described, "InternetGateways.0.Attachments.0.State") != "available" ||
		docAt(t, described, "InternetGateways.0.Attachments.0.VpcId") != vpc {
		t.Errorf("describe-internet-gateways: %v", described)
	}
	if viaCtl := a.ec2ctl("describe-internet-gateways", "--filters", "Name=attachment.vpc-id,Values="+vpc); !reflect.DeepEqual(viaCtl, described) {
		t.Errorf("ec2ctl describe-internet-gateways:\n%v\naws:\n%v", viaCtl, described)
	}

	rtb := docAt(t, a.aws("create-route-table", "--vpc-id", vpc), "RouteTable.RouteTableId").(string)
	if doc := a.aws("create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", gw); doc["Return"] != true {
		t.Errorf("create-route printed %v", doc)
	}
	a.awsFails("RouteAlreadyExists", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", gw)
	a.awsFails("NatGatewayNotFound", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "8.8.8.0/24",
		"--nat-gateway-id", "nat-0123456789abcdef0")
	a.awsFails("UnsupportedOperation", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "8.8.8.0/24",
		"--instance-id", "i-0123456789abcdef0")
	a.awsFails("InvalidGatewayID.NotFound", "create-route", "--route-table-id", rtb, "--destination-cidr-block", "8.8.8.0/24",
		"--gateway-id", "igw-00000000000000000")
	a.awsFails("InvalidParameterValue", "delete-route", "--route-table-id", rtb, "--destination-cidr-block", "10.9.0.0/16")
	a.awsFails("InvalidRoute.NotFound", "replace-route", "--route-table-id", rtb, "--destination-cidr-block", "8.8.8.0/24", "--gateway-id", gw)
	if doc := a.aws("replace-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0", "--gateway-id", gw); doc != nil {
		t.Errorf("replace-route printed %v", doc)
	}
	assoc := a.aws("associate-route-table", "--route-table-id", rtb, "--subnet-id", subnet)
	if docAt(t, assoc, "AssociationState.State") != "associated" {
		t.Errorf("associate-route-table: %v", assoc)
	}
	a.awsFails("Resource.AlreadyAssociated", "associate-route-table", "--route-table-id", rtb, "--subnet-id", subnet)

	tables := a.aws("describe-route-tables", "--route-table-ids", rtb)
	want := map[string]any{"RouteTable.Routes.1.GatewayId": gw, "RouteTable.Routes.1.State": "active",
		"RouteTable.Routes.1.Origin": "CreateRoute", "RouteTable.Routes.1.DestinationCidrBlock": "0.0.0.0/0",
		"RouteTable.Associations.0.SubnetId": subnet, "RouteTable.Associations.0.Main": false,
		"RouteTable.Associations.0.RouteTableAssociationId": assoc["AssociationId"]}
	for p, v := range want {
		if got := docAt(t, tables, strings.Replace(p, "RouteTable.", "RouteTables.0.", 1)); got != v {
			t.Errorf("describe-route-tables %s = %v, want %v", p, got, v)
		}
	}
	if viaCtl := a.ec2ctl("describe-route-tables", "--route-table-ids", rtb); !reflect.DeepEqual(viaCtl, tables) {
		t.Errorf("ec2ctl describe-route-tables:\n%v\naws:\n%v", viaCtl, tables)
	}
	public := a.aws("describe-route-tables", "--filters", "Name=route.gateway-id,Values="+gw, "Name=association.subnet-id,Values="+subnet)
	if n := len(docAt(t, public, "RouteTables").([]any)); n != 1 {
		t.Errorf("route.gateway-id and association.subnet-id filters: %d tables", n)
	}

	// The main association moves to rtb; the old main table can then go.
	mainDoc := a.aws("describe-route-tables", "--filters", "Name=vpc-id,Values="+vpc, "Name=association.main,Values=true")
	oldMain := docAt(t, mainDoc, "RouteTables.0.RouteTableId").(string)
	mainAssoc := docAt(t, mainDoc, "RouteTables.0.Associations.0.RouteTableAssociationId").(string)
	a.awsFails("InvalidParameterValue", "disassociate-route-table", "--association-id", mainAssoc)
	moved := a.aws("replace-route-table-association", "--association-id", mainAssoc, "--route-table-id", rtb)
	if id, _ := moved["NewAssociationId"].(string); !strings.HasPrefix(id, "rtbassoc-") || id == mainAssoc {
		t.Errorf("replace-route-table-association: %v", moved)
	}
	a.awsFails("DependencyViolation", "delete-route-table", "--route-table-id", rtb)
	a.aws("delete-route-table", "--route-table-id", oldMain)

	a.aws("disassociate-route-table", "--association-id", assoc["AssociationId"].(string))
	a.awsFails("InvalidAssociationID.NotFound", "disassociate-route-table", "--association-id", assoc["AssociationId"].(string))
	a.aws("detach-internet-gateway", "--internet-gateway-id", gw, "--vpc-id", vpc)
	a.awsFails("Gateway.NotAttached", "detach-internet-gateway", "--internet-gateway-id", gw, "--vpc-id", vpc)
	if got := docAt(t, a.aws("describe-route-tables", "--route-table-ids", rtb), "RouteTables.0.Routes.1.State"); got != "blackhole" {
		t.Errorf("route through a detached gateway: %v", got)
	}
	a.aws("delete-route", "--route-table-id", rtb, "--destination-cidr-block", "0.0.0.0/0")
	a.aws("delete-internet-gateway", "--internet-gateway-id", gw)
	a.aws("delete-subnet", "--subnet-id", subnet)
	a.aws("delete-vpc", "--vpc-id", vpc)
}
