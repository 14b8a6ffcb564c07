package controller

import (
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
)

// explicitTable is the table a subnet is explicitly associated with, "".
func (r igwRig) explicitTable(t *testing.T, subnetID string) string {
	t.Helper()
	got, _, err := r.svc.DescribeRouteTables(ctxFor(acct1), nil, []Filter{{"association.subnet-id", []string{subnetID}}}, Page{})
	if err != nil || len(got) > 1 {
		t.Fatalf("table of %s: %v %v", subnetID, got, err)
	}
	if len(got) == 0 {
		return ""
	}
	return got[0].ID
}

// mainTable is the VPC's main table.
func (r igwRig) mainTable(t *testing.T, vpcID string) RouteTable {
	t.Helper()
	got, _, err := r.svc.DescribeRouteTables(ctxFor(acct1), nil,
		[]Filter{{"vpc-id", []string{vpcID}}, {"association.main", []string{"true"}}}, Page{})
	if err != nil || len(got) != 1 {
		t.Fatalf("main table of %s: %v %v", vpcID, got, err)
	}
	return got[0]
}

// TestRouteTableAssociations: associate, disassociate and replace, the
// main association included; DeleteRouteTable, DeleteSubnet and DeleteVpc
// with tables; every error changing nothing.
func TestRouteTableAssociations(t *testing.T) {
	r := newIGWRig(t)
	ctx := ctxFor(acct1)
	sn, err := r.svc.CreateSubnet(ctx, r.vpcA, "10.1.1.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	snB, err := r.svc.CreateSubnet(ctx, r.vpcB, "10.2.1.0/24", "lab-1a", nil, false)
	if err != nil {
		t.Fatal(err)
	}
	rt, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: r.vpcA})
	if err != nil {
		t.Fatal(err)
	}
	rt2, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: r.vpcA})
	if err != nil {
		t.Fatal(err)
	}
	assoc, err := r.svc.AssociateRouteTable(ctx, rt.ID, sn.ID, false)
	if err != nil || !ids.Valid(ids.RouteTableAssoc, assoc) {
		t.Fatalf("associate: %q %v", assoc, err)
	}
	got := r.table(t, rt.ID)
	if len(got.Associations) != 1 || got.Associations[0] != (RouteTableAssociation{ID: assoc, RouteTableID: rt.ID, SubnetID: sn.ID, State: "associated"}) {
		t.Fatalf("associations %+v", got.Associations)
	}
	mainA := ids.MainRouteTableAssociation(r.vpcA)
	errs := []struct {
		name string
		run  func() error
		code string
	}{
		{"associate: subnet has one", func() error { _, err := r.svc.AssociateRouteTable(ctx, rt2.ID, sn.ID, false); return err }, ec2err.ResourceAlreadyAssociated},
		{"associate: other VPC's subnet", func() error { _, err := r.svc.AssociateRouteTable(ctx, rt2.ID, snB.ID, false); return err }, ec2err.InvalidParameterValue},
		{"associate: unknown subnet", func() error {
			_, err := r.svc.AssociateRouteTable(ctx, rt2.ID, "subnet-00000000000000000", false)
			return err
		}, ec2err.InvalidSubnetIDNotFound},
		{"associate: unknown table", func() error {
			_, err := r.svc.AssociateRouteTable(ctx, "rtb-00000000000000000", sn.ID, false)
			return err
		}, ec2err.InvalidRouteTableIDNotFound},
		{"associate: no table", func() error { _, err := r.svc.AssociateRouteTable(ctx, "", sn.ID, false); return err }, ec2err.MissingParameter},
		{"associate: dry run checks first", func() error { _, err := r.svc.AssociateRouteTable(ctx, rt2.ID, snB.ID, true); return err }, ec2err.InvalidParameterValue},
		{"disassociate: main", func() error { return r.svc.DisassociateRouteTable(ctx, mainA, false) }, ec2err.InvalidParameterValue},
		{"disassociate: unknown", func() error {
			return r.svc.DisassociateRouteTable(ctx, "rtbassoc-00000000000000000", false)
		}, ec2err.InvalidAssociationIDNotFound},
		{"disassociate: malformed", func() error { return r.svc.DisassociateRouteTable(ctx, "rtbassoc-1", false) }, ec2err.InvalidAssociationIDNotFound},
		{"disassociate: another account's", func() error { return r.svc.DisassociateRouteTable(ctxFor(acct2), assoc, false) }, ec2err.InvalidAssociationIDNotFound},
		{"disassociate: dry run", func() error { return r.svc.DisassociateRouteTable(ctx, assoc, true) }, ec2err.DryRunOperation},
		{"replace: other VPC's table", func() error {
			_, err := r.svc.ReplaceRouteTableAssociation(ctx, assoc, ids.MainRouteTable(r.vpcB), false)
			return err
		}, ec2err.InvalidParameterValue},
		{"replace main: other VPC's table", func() error {
			_, err := r.svc.ReplaceRouteTableAssociation(ctx, mainA, ids.MainRouteTable(r.vpcB), false)
			return err
		}, ec2err.InvalidParameterValue},
		{"replace: unknown association", func() error {
			_, err := r.svc.ReplaceRouteTableAssociation(ctx, "rtbassoc-00000000000000000", rt2.ID, false)
			return err
		}, ec2err.InvalidAssociationIDNotFound},
		{"replace: dry run", func() error { _, err := r.svc.ReplaceRouteTableAssociation(ctx, assoc, rt2.ID, true); return err }, ec2err.DryRunOperation},
		{"delete: associated table", func() error { return r.svc.DeleteRouteTable(ctx, rt.ID, false) }, ec2err.DependencyViolation},
		{"delete: main table", func() error { return r.svc.DeleteRouteTable(ctx, ids.MainRouteTable(r.vpcA), false) }, ec2err.DependencyViolation},
		{"delete: unknown table", func() error { return r.svc.DeleteRouteTable(ctx, "rtb-00000000000000000", false) }, ec2err.InvalidRouteTableIDNotFound},
		{"delete: dry run", func() error { return r.svc.DeleteRouteTable(ctx, rt2.ID, true) }, ec2err.DryRunOperation},
		{"create: unknown VPC", func() error {
			_, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: "vpc-00000000000000000"})
			return err
		}, ec2err.InvalidVpcIDNotFound},
		{"create: dry run", func() error {
			_, err := r.svc.CreateRouteTable(ctx, CreateInVPC{VpcID: r.vpcA, DryRun: true})
			return err
		}, ec2err.DryRunOperation},
	}
	for _, c := range errs {
		if err := c.run(); errCode(err) != c.code {
			t.Errorf("%s: %v, want %s", c.name, err, c.code)
		}
		if got := r.explicitTable(t, sn.ID); got != rt.ID {
			t.Fatalf("%s moved %s to %q", c.name, sn.ID, got)
		}
		if got := r.mainTable(t, r.vpcA); got.ID != ids.MainRouteTable(r.vpcA) {
			t.Fatalf("%s moved the main table to %s", c.name, got.ID)
		}
	}
	if n := len(r.tables(t, r.vpcA)); n != 3 {
		t.Fatalf("%d tables in %s after the errors", n, r.vpcA)
	}

	// Replace the subnet's association: a new ID, on rt2.
	assoc2, err := r.svc.ReplaceRouteTableAssociation(ctx, assoc, rt2.ID, false)
	if err != nil || assoc2 == assoc || r.explicitTable(t, sn.ID) != rt2.ID {
		t.Fatalf("replace: %q %v, table %s", assoc2, err, r.explicitTable(t, sn.ID))
	}
	if err := r.svc.DisassociateRouteTable(ctx, assoc, false); errCode(err) != ec2err.InvalidAssociationIDNotFound {
		t.Errorf("replaced association: %v", err)
	}
	// Replace the main association: rt becomes the main table.
	newMain, err := r.svc.ReplaceRouteTableAssociation(ctx, mainA, rt.ID, false)
	if err != nil {
		t.Fatal(err)
	}
	m := r.mainTable(t, r.vpcA)
	if m.ID != rt.ID || !m.Main || len(m.Associations) != 1 || m.Associations[0].ID != newMain || !m.Associations[0].Main {
		t.Fatalf("main table after replace: %+v", m)
	}
	if err := r.svc.DisassociateRouteTable(ctx, newMain, false); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("disassociate the moved main association: %v", err)
	}
	if err := r.svc.DeleteRouteTable(ctx, rt.ID, false); errCode(err) != ec2err.DependencyViolation {
		t.Errorf("delete the new main table: %v", err)
	}
	old := ids.MainRouteTable(r.vpcA)
	if got := r.table(t, old); got.Main || len(got.Associations) != 0 {
		t.Errorf("the old main table after replace: %+v", got)
	}
	// DeleteVpc: the subnet, then the other tables are dependencies.
	if err := r.svc.DeleteVpc(ctx, r.vpcA, false); errCode(err) != ec2err.DependencyViolation {
		t.Fatalf("delete a VPC with subnets: %v", err)
	}
	if err := r.svc.DeleteSubnet(ctx, sn.ID, false); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.DisassociateRouteTable(ctx, assoc2, false); errCode(err) != ec2err.InvalidAssociationIDNotFound {
		t.Errorf("association of a deleted subnet: %v", err)
	}
	if err := r.svc.DeleteVpc(ctx, r.vpcA, false); errCode(err) != ec2err.DependencyViolation {
		t.Fatalf("delete a VPC with tables: %v", err)
	}
	for _, id := range []string{rt2.ID, old} {
		if err := r.svc.DeleteRouteTable(ctx, id, false); err != nil {
			t.Fatalf("delete %s: %v", id, err)
		}
	}
	if err := r.svc.DeleteVpc(ctx, r.vpcA, false); err != nil {
		t.Fatalf("delete a VPC with its main table only: %v", err)
	}
	if got, _, err := r.svc.DescribeRouteTables(ctx, []string{rt.ID}, nil, Page{}); errCode(err) != ec2err.InvalidRouteTableIDNotFound {
		t.Errorf("main table of a deleted VPC: %v %v", got, err)
	}
}

func (r igwRig) tables(t *testing.T, vpcID string) []RouteTable {
	t.Helper()
	got, _, err := r.svc.DescribeRouteTables(ctxFor(acct1), nil, []Filter{{"vpc-id", []string{vpcID}}}, Page{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}
