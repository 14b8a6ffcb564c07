package controller

import (
	"context"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/store"
)

func grantee(id string) VolumePermission { return VolumePermission{UserID: id} }

var public = VolumePermission{Group: "all"}

// TestSnapshotAttributeChangeValidate: both wire forms become one edit;
// bad attributes, operations, accounts and groups get EC2's codes.
func TestSnapshotAttributeChangeValidate(t *testing.T) {
	tests := []struct {
		name        string
		req         SnapshotAttributeChange
		add, remove []VolumePermission
		code        string
	}{
		{name: "lists", req: SnapshotAttributeChange{Add: []VolumePermission{grantee(acct2)}, Remove: []VolumePermission{public}},
			add: []VolumePermission{grantee(acct2)}, remove: []VolumePermission{public}},
		{name: "legacy add", req: SnapshotAttributeChange{Attribute: "createVolumePermission", OperationType: "add",
			UserIDs: []string{acct2, acct3}, Groups: []string{"all"}},
			add: []VolumePermission{grantee(acct2), grantee(acct3), public}},
		{name: "legacy remove", req: SnapshotAttributeChange{OperationType: "remove", UserIDs: []string{acct2}},
			remove: []VolumePermission{grantee(acct2)}},
		{name: "nothing to do", req: SnapshotAttributeChange{}, code: ec2err.MissingParameter},
		{name: "users without operation", req: SnapshotAttributeChange{UserIDs: []string{acct2}}, code: ec2err.MissingParameter},
		{name: "operation without users", req: SnapshotAttributeChange{OperationType: "add"}, code: ec2err.MissingParameter},
		{name: "bad operation", req: SnapshotAttributeChange{OperationType: "grant", UserIDs: []string{acct2}}, code: ec2err.InvalidParameterValue},
		{name: "product codes", req: SnapshotAttributeChange{Attribute: "productCodes", Add: []VolumePermission{public}}, code: ec2err.InvalidParameterValue},
		{name: "unknown attribute", req: SnapshotAttributeChange{Attribute: "description", Add: []VolumePermission{public}}, code: ec2err.InvalidParameterValue},
		{name: "short account", req: SnapshotAttributeChange{Add: []VolumePermission{grantee("12345")}}, code: ec2err.InvalidParameterValue},
		{name: "unknown group", req: SnapshotAttributeChange{OperationType: "add", Groups: []string{"friends"}}, code: ec2err.InvalidParameterValue},
		{name: "user and group at once", req: SnapshotAttributeChange{Add: []VolumePermission{{UserID: acct2, Group: "all"}}},
			code: ec2err.InvalidParameterCombination},
		{name: "empty permission", req: SnapshotAttributeChange{Remove: []VolumePermission{{}}}, code: ec2err.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := tt.req.validate()
			if got := errCode(err); got != tt.code {
				t.Fatalf("error %q (%v), want %q", got, err, tt.code)
			}
			if err == nil && (!slices.Equal(e.add, tt.add) || !slices.Equal(e.remove, tt.remove)) {
				t.Errorf("add %v remove %v, want %v %v", e.add, e.remove, tt.add, tt.remove)
			}
		})
	}
}

func (r *rig) snapshot(t *testing.T, id string) Snapshot {
	t.Helper()
	sn, _, err := store.GetJSON[Snapshot](context.Background(), r.svc.st, prefixSnapshot+id)
	if err != nil {
		t.Fatal(err)
	}
	return sn
}

// shareSnapshot runs ModifySnapshotAttribute as acct, adding add.
func (r *rig) shareSnapshot(acct, id string, add ...VolumePermission) error {
	return r.svc.ModifySnapshotAttribute(ctxFor(acct), SnapshotAttributeChange{SnapshotID: id, Add: add})
}

// snapshotIDsFor is what acct's DescribeSnapshots answers for q.
func (r *rig) snapshotIDsFor(t *testing.T, acct string, q SnapshotQuery) []string {
	t.Helper()
	snaps, _, err := r.svc.DescribeSnapshots(ctxFor(acct), q)
	if err != nil {
		t.Fatalf("DescribeSnapshots as %s: %v", acct, err)
	}
	var out []string
	for _, sn := range snaps {
		out = append(out, sn.ID)
	}
	return out
}

// usesOf tries what another account does with a snapshot: create a volume
// from it, copy it, launch with it, register an image from it. It returns
// each call's EC2 code ("" for success).
func (r *rig) usesOf(t *testing.T, acct, snapID string) map[string]string {
	t.Helper()
	ctx := ctxFor(acct)
	out := map[string]string{}
	_, err := r.svc.CreateVolume(ctx, VolumeRequest{AZ: "lab-1a", SnapshotID: snapID, DryRun: true})
	out["CreateVolume"] = errCode(err)
	_, err = r.svc.CopySnapshot(ctx, CopySnapshotRequest{SourceSnapshotID: snapID, DryRun: true})
	out["CopySnapshot"] = errCode(err)
	_, err = r.svc.RunInstances(ctx, RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1, DryRun: true,
		Devices: []DeviceOverride{{DeviceName: "/dev/sdf", SnapshotID: snapID}}})
	out["RunInstances"] = errCode(err)
	return out
}

func wantUses(t *testing.T, what string, got map[string]string, code string) {
	t.Helper()
	for op, c := range got {
		if c != code {
			t.Errorf("%s: %s answered %q, want %q", what, op, c, code)
		}
	}
}

// TestSnapshotSharing: an unshared snapshot is invisible to other accounts
// everywhere they could name it; shared with an account, that account
// sees it (without the owner's tags) and creates volumes from it, copies
// it and launches with it, but cannot change, read or delete its
// permissions; public, every account can; unshared again, no one else.
func TestSnapshotSharing(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	if err := r.modify(t, acct1, ImageAttributeChange{Add: []LaunchPermission{everyone}}); err != nil {
		t.Fatal(err) // every account may launch the rig's image
	}
	snap := r.snapshotFor(t, acct1, 1)
	if _, err := update(context.Background(), r.svc.st, prefixSnapshot+snap.ID, func(sn *Snapshot) error {
		sn.Tags = []Tag{{Key: "team", Value: "a"}}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	own := SnapshotQuery{IDs: []string{snap.ID}}

	wantUses(t, "unshared", r.usesOf(t, acct2, snap.ID), ec2err.InvalidSnapshotNotFound)
	if got := r.snapshotIDsFor(t, acct2, SnapshotQuery{}); len(got) != 0 {
		t.Errorf("account 2 lists %v before any sharing", got)
	}
	if _, _, err := r.svc.DescribeSnapshots(ctxFor(acct2), own); errCode(err) != ec2err.InvalidSnapshotNotFound {
		t.Errorf("account 2 names the unshared snapshot: %v", err)
	}
	if _, err := r.svc.DescribeSnapshotAttribute(ctxFor(acct2), snap.ID, "createVolumePermission", false); errCode(err) != ec2err.InvalidSnapshotNotFound {
		t.Errorf("account 2 reads permissions of an unshared snapshot: %v", err)
	}

	if err := r.shareSnapshot(acct1, snap.ID, grantee(acct2)); err != nil {
		t.Fatal(err)
	}
	wantUses(t, "shared with account 2", r.usesOf(t, acct2, snap.ID), ec2err.DryRunOperation)
	wantUses(t, "shared with account 2, seen by account 3", r.usesOf(t, acct3, snap.ID), ec2err.InvalidSnapshotNotFound)
	seen, _, err := r.svc.DescribeSnapshots(ctxFor(acct2), own)
	if err != nil || len(seen) != 1 || seen[0].Owner != acct1 || len(seen[0].Tags) != 0 {
		t.Fatalf("account 2 sees %+v %v, want the snapshot of account 1 without its tags", seen, err)
	}
	for name, call := range map[string]func() error{
		"describe attribute": func() error {
			_, err := r.svc.DescribeSnapshotAttribute(ctxFor(acct2), snap.ID, "createVolumePermission", false)
			return err
		},
		"modify attribute": func() error { return r.shareSnapshot(acct2, snap.ID, grantee(acct3)) },
		"reset attribute": func() error {
			return r.svc.ResetSnapshotAttribute(ctxFor(acct2), snap.ID, "createVolumePermission", false)
		},
		"delete": func() error { return r.svc.DeleteSnapshot(ctxFor(acct2), snap.ID, false) },
	} {
		if err := call(); errCode(err) != ec2err.AuthFailure {
			t.Errorf("account 2 may %s: %v, want AuthFailure", name, err)
		}
	}
	_, err = r.svc.RegisterImage(ctxFor(acct2), RegisterRequest{Name: "theirs",
		Devices: []RegisterDevice{{DeviceName: "/dev/xvda", SnapshotID: snap.ID}}})
	if errCode(err) != ec2err.OperationNotPermitted {
		t.Errorf("account 2 registers an image from a shared snapshot: %v, want OperationNotPermitted", err)
	}

	vol, err := r.svc.CreateVolume(ctxFor(acct2), VolumeRequest{AZ: "lab-1a", SnapshotID: snap.ID})
	if err != nil || vol.Owner != acct2 || vol.SizeGiB != 1 || vol.SnapshotID != snap.ID {
		t.Fatalf("account 2's volume from the shared snapshot: %+v %v", vol, err)
	}
	cp, err := r.svc.CopySnapshot(ctxFor(acct2), CopySnapshotRequest{SourceSnapshotID: snap.ID})
	if err != nil || cp.Owner != acct2 || cp.Public || cp.VolumeAccounts != nil || len(cp.Tags) != 0 {
		t.Fatalf("account 2's copy: %+v %v, want its own, unshared, untagged", cp, err)
	}
	if got := r.snapshotIDsFor(t, acct1, SnapshotQuery{}); slices.Contains(got, cp.ID) {
		t.Errorf("account 1 sees account 2's copy: %v", got)
	}

	if err := r.shareSnapshot(acct1, snap.ID, public); err != nil {
		t.Fatal(err)
	}
	wantUses(t, "public, seen by account 3", r.usesOf(t, acct3, snap.ID), ec2err.DryRunOperation)
	a, err := r.svc.DescribeSnapshotAttribute(ctxFor(acct1), snap.ID, "createVolumePermission", false)
	if want := []VolumePermission{public, grantee(acct2)}; err != nil || !slices.Equal(a.Permissions, want) {
		t.Errorf("permissions %+v %v, want %v", a.Permissions, err, want)
	}

	if err := r.svc.ResetSnapshotAttribute(ctxFor(acct1), snap.ID, "createVolumePermission", false); err != nil {
		t.Fatal(err)
	}
	wantUses(t, "reset", r.usesOf(t, acct2, snap.ID), ec2err.InvalidSnapshotNotFound)
	wantUses(t, "reset, account 3", r.usesOf(t, acct3, snap.ID), ec2err.InvalidSnapshotNotFound)
	if got := r.snapshot(t, snap.ID); got.Public || got.VolumeAccounts != nil {
		t.Errorf("after a reset: public %v accounts %v", got.Public, got.VolumeAccounts)
	}
	if _, err := r.svc.ownedVolume(ctxFor(acct2), acct2, vol.ID); err != nil {
		t.Errorf("account 2's volume went with the permission: %v", err)
	}
}

// TestSnapshotPermissionEdits: adds then removes; the owner is never
// listed; encrypted snapshots are shared with accounts but never made
// public; a dry run changes nothing.
func TestSnapshotPermissionEdits(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	snap := r.snapshotFor(t, acct1, 1)
	steps := []struct {
		name        string
		add, remove []VolumePermission
		public      bool
		accounts    []string
	}{
		{name: "two accounts", add: []VolumePermission{grantee(acct3), grantee(acct2)}, accounts: []string{acct2, acct3}},
		{name: "again, and the owner", add: []VolumePermission{grantee(acct2), grantee(acct1)}, accounts: []string{acct2, acct3}},
		{name: "public and one less", add: []VolumePermission{public}, remove: []VolumePermission{grantee(acct3)}, public: true,
			accounts: []string{acct2}},
		{name: "remove what is not there", remove: []VolumePermission{grantee(acct3)}, public: true, accounts: []string{acct2}},
		{name: "private", remove: []VolumePermission{public, grantee(acct2)}},
	}
	for _, st := range steps {
		err := r.svc.ModifySnapshotAttribute(ctxFor(acct1), SnapshotAttributeChange{SnapshotID: snap.ID, Add: st.add, Remove: st.remove})
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if got := r.snapshot(t, snap.ID); got.Public != st.public || !slices.Equal(got.VolumeAccounts, st.accounts) {
			t.Errorf("%s: public %v accounts %v, want %v %v", st.name, got.Public, got.VolumeAccounts, st.public, st.accounts)
		}
	}
	err := r.svc.ModifySnapshotAttribute(ctxFor(acct1), SnapshotAttributeChange{SnapshotID: snap.ID,
		Add: []VolumePermission{public}, DryRun: true})
	if errCode(err) != ec2err.DryRunOperation || r.snapshot(t, snap.ID).Public {
		t.Errorf("dry run: %v, public %v", err, r.snapshot(t, snap.ID).Public)
	}

	enc := r.snapshotFor(t, acct1, 1)
	if _, err := update(context.Background(), r.svc.st, prefixSnapshot+enc.ID, func(sn *Snapshot) error {
		sn.Encrypted = true
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.shareSnapshot(acct1, enc.ID, grantee(acct2), public); errCode(err) != ec2err.UnsupportedOperation {
		t.Errorf("make an encrypted snapshot public: %v, want UnsupportedOperation", err)
	}
	if got := r.snapshot(t, enc.ID); got.Public || got.VolumeAccounts != nil {
		t.Errorf("a refused change changed the snapshot: %+v", got)
	}
	if err := r.shareSnapshot(acct1, enc.ID, grantee(acct2)); err != nil {
		t.Errorf("share an encrypted snapshot with an account: %v", err)
	}
	if _, err := r.svc.DescribeSnapshotAttribute(ctxFor(acct1), enc.ID, "kernel", false); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("unknown attribute: %v", err)
	}
	if err := r.svc.ResetSnapshotAttribute(ctxFor(acct1), enc.ID, "productCodes", false); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("reset productCodes: %v", err)
	}
	if a, err := r.svc.DescribeSnapshotAttribute(ctxFor(acct1), enc.ID, "productCodes", false); err != nil || a.Permissions != nil {
		t.Errorf("productCodes: %+v %v", a, err)
	}
}

// TestDescribeSnapshotsVisibility: without Owners or RestorableBy a caller
// lists its own, public and shared snapshots; both narrow that as EC2
// does, and nothing of other accounts' grants leaks.
func TestDescribeSnapshotsVisibility(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	names := map[string]string{}
	for _, c := range []struct {
		name, owner string
		public      bool
		accounts    []string
	}{
		{"a-private", acct1, false, nil},
		{"a-shared", acct1, false, []string{acct2}},
		{"a-public", acct1, true, nil},
		{"b-private", acct2, false, nil},
		{"b-shared", acct2, false, []string{acct1, acct3}},
	} {
		sn := r.snapshotFor(t, c.owner, 1)
		if _, err := update(context.Background(), r.svc.st, prefixSnapshot+sn.ID, func(s *Snapshot) error {
			s.Public, s.VolumeAccounts = c.public, c.accounts
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		names[sn.ID] = c.name
	}
	tests := []struct {
		name                 string
		acct                 string
		owners, restorableBy []string
		want                 []string
		code                 string
	}{
		{name: "owner", acct: acct1, want: []string{"a-private", "a-public", "a-shared", "b-shared"}},
		{name: "second account", acct: acct2, want: []string{"a-public", "a-shared", "b-private", "b-shared"}},
		{name: "third account", acct: acct3, want: []string{"a-public", "b-shared"}},
		{name: "owners self", acct: acct2, owners: []string{"self"}, want: []string{"b-private", "b-shared"}},
		{name: "owners account", acct: acct2, owners: []string{acct1}, want: []string{"a-public", "a-shared"}},
		{name: "owners amazon owns nothing", acct: acct1, owners: []string{"amazon"}},
		{name: "restorable by all: public", acct: acct3, restorableBy: []string{"all"}, want: []string{"a-public"}},
		{name: "restorable by self: own and granted", acct: acct2, restorableBy: []string{"self"},
			want: []string{"a-shared", "b-private", "b-shared"}},
		{name: "owner asks who it shared with", acct: acct1, restorableBy: []string{acct2}, want: []string{"a-shared"}},
		{name: "second owner's grants", acct: acct2, restorableBy: []string{acct3}, want: []string{"b-shared"}},
		{name: "others' grants stay hidden", acct: acct3, restorableBy: []string{acct1}},
		{name: "bad restorable-by", acct: acct1, restorableBy: []string{"everyone"}, code: ec2err.InvalidUserIDMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			snaps, _, err := r.svc.DescribeSnapshots(ctxFor(tt.acct), SnapshotQuery{Owners: tt.owners, RestorableBy: tt.restorableBy})
			if errCode(err) != tt.code {
				t.Fatalf("error %v, want %q", err, tt.code)
			}
			var got []string
			for _, sn := range snaps {
				got = append(got, names[sn.ID])
			}
			slices.Sort(got)
			if tt.code == "" && !slices.Equal(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}
