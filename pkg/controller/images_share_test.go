package controller

import (
	"context"
	"fmt"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

const acct3 = "333333333333"

func user(id string) LaunchPermission { return LaunchPermission{UserID: id} }

var everyone = LaunchPermission{Group: "all"}

// TestImageAttributeChangeValidate: both wire forms become one edit; bad
// names, operations, accounts and groups get EC2's codes.
func TestImageAttributeChangeValidate(t *testing.T) {
	desc := "new"
	tests := []struct {
		name        string
		req         ImageAttributeChange
		add, remove []LaunchPermission
		description *string
		code        string
	}{
		{name: "lists", req: ImageAttributeChange{Add: []LaunchPermission{user(acct2)}, Remove: []LaunchPermission{everyone}},
			add: []LaunchPermission{user(acct2)}, remove: []LaunchPermission{everyone}},
		{name: "legacy add", req: ImageAttributeChange{Attribute: "launchPermission", OperationType: "add",
			UserIDs: []string{acct2, acct3}, UserGroups: []string{"all"}},
			add: []LaunchPermission{user(acct2), user(acct3), everyone}},
		{name: "legacy remove without attribute", req: ImageAttributeChange{OperationType: "remove", UserIDs: []string{acct2}},
			remove: []LaunchPermission{user(acct2)}},
		{name: "description value", req: ImageAttributeChange{Attribute: "description", Value: "new"}, description: &desc},
		{name: "description structure", req: ImageAttributeChange{Description: &desc}, description: &desc},
		{name: "nothing to do", req: ImageAttributeChange{}, code: ec2err.MissingParameter},
		{name: "description without value", req: ImageAttributeChange{Attribute: "description"}, code: ec2err.MissingParameter},
		{name: "users without operation", req: ImageAttributeChange{UserIDs: []string{acct2}}, code: ec2err.MissingParameter},
		{name: "operation without users", req: ImageAttributeChange{OperationType: "add"}, code: ec2err.MissingParameter},
		{name: "bad operation", req: ImageAttributeChange{OperationType: "grant", UserIDs: []string{acct2}}, code: ec2err.InvalidParameterValue},
		{name: "bad attribute", req: ImageAttributeChange{Attribute: "productCodes", Value: "x"}, code: ec2err.InvalidParameterValue},
		{name: "short account", req: ImageAttributeChange{Add: []LaunchPermission{user("12345")}}, code: "InvalidAMIAttributeItemValue"},
		{name: "account with dashes", req: ImageAttributeChange{OperationType: "add", UserIDs: []string{"2222-2222-2222"}},
			code: "InvalidAMIAttributeItemValue"},
		{name: "bad account in remove", req: ImageAttributeChange{Remove: []LaunchPermission{user("self")}}, code: "InvalidAMIAttributeItemValue"},
		{name: "unknown group", req: ImageAttributeChange{Add: []LaunchPermission{{Group: "friends"}}}, code: "InvalidAMIAttributeItemValue"},
		{name: "empty permission", req: ImageAttributeChange{Add: []LaunchPermission{{}}}, code: ec2err.InvalidParameterValue},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := tt.req.validate()
			if got := errCode(err); got != tt.code {
				t.Fatalf("error %q (%v), want %q", got, err, tt.code)
			}
			if err != nil {
				return
			}
			if !slices.Equal(e.add, tt.add) || !slices.Equal(e.remove, tt.remove) {
				t.Errorf("add %v remove %v, want %v %v", e.add, e.remove, tt.add, tt.remove)
			}
			if fmt.Sprint(deref(e.description)) != fmt.Sprint(deref(tt.description)) {
				t.Errorf("description %v, want %v", deref(e.description), deref(tt.description))
			}
		})
	}
}

func deref(p *string) any {
	if p == nil {
		return nil
	}
	return *p
}

// TestImageEditApply: adds then removes; the owner is never listed; the
// accounts stay sorted and unique.
func TestImageEditApply(t *testing.T) {
	tests := []struct {
		name     string
		start    Image
		edit     imageEdit
		public   bool
		accounts []string
	}{
		{"share with two", Image{}, imageEdit{add: []LaunchPermission{user(acct3), user(acct2)}}, false, []string{acct2, acct3}},
		{"share twice is once", Image{LaunchAccounts: []string{acct2}}, imageEdit{add: []LaunchPermission{user(acct2)}}, false, []string{acct2}},
		{"owner is a no-op", Image{}, imageEdit{add: []LaunchPermission{user(acct1)}}, false, nil},
		{"make public", Image{LaunchAccounts: []string{acct2}}, imageEdit{add: []LaunchPermission{everyone}}, true, []string{acct2}},
		{"make private keeps accounts", Image{Public: true, LaunchAccounts: []string{acct2}},
			imageEdit{remove: []LaunchPermission{everyone}}, false, []string{acct2}},
		{"remove one", Image{LaunchAccounts: []string{acct2, acct3}}, imageEdit{remove: []LaunchPermission{user(acct2)}}, false, []string{acct3}},
		{"remove absent", Image{LaunchAccounts: []string{acct2}}, imageEdit{remove: []LaunchPermission{user(acct3)}}, false, []string{acct2}},
		{"remove last", Image{LaunchAccounts: []string{acct2}}, imageEdit{remove: []LaunchPermission{user(acct2)}}, false, nil},
		{"add and remove the same", Image{}, imageEdit{add: []LaunchPermission{user(acct2)}, remove: []LaunchPermission{user(acct2)}}, false, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			img := tt.start
			img.Owner = acct1
			tt.edit.apply(&img)
			if img.Public != tt.public || !slices.Equal(img.LaunchAccounts, tt.accounts) {
				t.Errorf("public %v accounts %v, want %v %v", img.Public, img.LaunchAccounts, tt.public, tt.accounts)
			}
		})
	}
}

func (r *rig) modify(t *testing.T, acct string, req ImageAttributeChange) error {
	t.Helper()
	if req.ImageID == "" {
		req.ImageID = r.ami
	}
	return r.svc.ModifyImageAttribute(ctxFor(acct), req)
}

func (r *rig) image(t *testing.T, id string) Image {
	t.Helper()
	img, _, err := store.GetJSON[Image](context.Background(), r.svc.st, prefixImage+id)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// TestImageAttributeAccess: only the owner changes or reads attributes;
// an account the image is shared with gets AuthFailure, one it is not
// shared with gets NotFound; a dry run changes nothing.
func TestImageAttributeAccess(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	share := ImageAttributeChange{Add: []LaunchPermission{user(acct2)}}
	steps := []struct {
		name string
		acct string
		req  ImageAttributeChange
		code string
	}{
		{"stranger cannot see it", acct2, share, "InvalidAMIID.NotFound"},
		{"malformed id", acct1, ImageAttributeChange{ImageID: "ami-nope", Add: share.Add}, "InvalidAMIID.Malformed"},
		{"unknown id", acct1, ImageAttributeChange{ImageID: ids.New(ids.Image), Add: share.Add}, "InvalidAMIID.NotFound"},
		{"dry run", acct1, ImageAttributeChange{Add: share.Add, DryRun: true}, ec2err.DryRunOperation},
		{"owner shares", acct1, share, ""},
		{"shared account cannot modify", acct2, ImageAttributeChange{Add: []LaunchPermission{everyone}}, ec2err.AuthFailure},
		{"third account still cannot see it", acct3, ImageAttributeChange{Add: []LaunchPermission{everyone}}, "InvalidAMIID.NotFound"},
	}
	for _, s := range steps {
		err := r.modify(t, s.acct, s.req)
		if got := errCode(err); got != s.code {
			t.Fatalf("%s: error %q (%v), want %q", s.name, got, err, s.code)
		}
	}
	if img := r.image(t, r.ami); img.Public || !slices.Equal(img.LaunchAccounts, []string{acct2}) {
		t.Fatalf("after the steps: public %v accounts %v, want only %s", img.Public, img.LaunchAccounts, acct2)
	}
	for _, acct := range []string{acct2, acct3} {
		want := map[string]string{acct2: ec2err.AuthFailure, acct3: "InvalidAMIID.NotFound"}[acct]
		_, err := r.svc.DescribeImageAttribute(ctxFor(acct), r.ami, "launchPermission", false)
		if got := errCode(err); got != want {
			t.Errorf("DescribeImageAttribute as %s: %q (%v), want %q", acct, got, err, want)
		}
		if got := errCode(r.svc.ResetImageAttribute(ctxFor(acct), r.ami, "launchPermission", false)); got != want {
			t.Errorf("ResetImageAttribute as %s: %q, want %q", acct, got, want)
		}
	}
}

// TestDescribeImageAttribute: the owner reads each attribute; bad names are
// InvalidParameterValue; blockDeviceMapping is AuthFailure, as on EC2.
func TestDescribeImageAttribute(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	for _, req := range []ImageAttributeChange{
		{Add: []LaunchPermission{user(acct3), everyone, user(acct2), user(acct1)}},
		{Attribute: "description", Value: "shared tiny"},
	} {
		if err := r.modify(t, acct1, req); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		attr  string
		perms []LaunchPermission
		value string
		code  string
	}{
		{attr: "launchPermission", perms: []LaunchPermission{everyone, user(acct2), user(acct3)}},
		{attr: "description", value: "shared tiny"},
		{attr: "bootMode", value: ""},
		{attr: "kernel", value: ""},
		{attr: "deregistrationProtection", value: "disabled"},
		{attr: "blockDeviceMapping", code: ec2err.AuthFailure},
		{attr: "launchPermissions", code: ec2err.InvalidParameterValue},
		{attr: "", code: ec2err.InvalidParameterValue},
	}
	for _, tt := range tests {
		got, err := r.svc.DescribeImageAttribute(ctxFor(acct1), r.ami, tt.attr, false)
		if code := errCode(err); code != tt.code {
			t.Errorf("%s: error %q (%v), want %q", tt.attr, code, err, tt.code)
			continue
		}
		if err == nil && (!slices.Equal(got.LaunchPermissions, tt.perms) || got.Value != tt.value || got.ImageID != r.ami) {
			t.Errorf("%s: %+v, want perms %v value %q", tt.attr, got, tt.perms, tt.value)
		}
	}
	if err := r.svc.ResetImageAttribute(ctxFor(acct1), r.ami, "description", false); errCode(err) != ec2err.InvalidParameterValue {
		t.Errorf("reset description: %v, want InvalidParameterValue", err)
	}
	if err := r.svc.ResetImageAttribute(ctxFor(acct1), r.ami, "launchPermission", false); err != nil {
		t.Fatal(err)
	}
	if img := r.image(t, r.ami); img.Public || img.LaunchAccounts != nil || img.Description != "shared tiny" {
		t.Errorf("after reset: public %v accounts %v description %q, want private, description kept", img.Public, img.LaunchAccounts, img.Description)
	}
}
