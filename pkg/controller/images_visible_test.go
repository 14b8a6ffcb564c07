package controller

import (
	"context"
	"slices"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ids"
)

// imageSet is a catalog of images of three accounts, by short name.
type imageSet map[string]string

func (r *rig) addImages(t *testing.T) imageSet {
	t.Helper()
	set := imageSet{"a-private": r.ami}
	for _, img := range []Image{
		{Name: "a-shared", Owner: acct1, LaunchAccounts: []string{acct2}, Tags: []Tag{{Key: "team", Value: "a"}}},
		{Name: "a-public", Owner: acct1, Public: true},
		{Name: "a-gone", Owner: acct1, State: "deregistered"},
		{Name: "b-private", Owner: acct2},
		{Name: "b-shared", Owner: acct2, LaunchAccounts: []string{acct1, acct3}},
	} {
		img.ID = ids.New(ids.Image)
		if img.State == "" {
			img.State = "available"
		}
		img.Devices = []ImageDevice{{DeviceName: "/dev/xvda", SizeGiB: 1, VolumeType: "gp3", DeleteOnTermination: true}}
		img.RootDeviceName, img.AZ = "/dev/xvda", "lab-1a"
		if err := put(context.Background(), r.svc.st, prefixImage+img.ID, img); err != nil {
			t.Fatal(err)
		}
		set[img.Name] = img.ID
	}
	return set
}

func (s imageSet) names(imgs []Image) []string {
	var out []string
	for _, img := range imgs {
		for n, id := range s {
			if id == img.ID {
				out = append(out, n)
			}
		}
	}
	slices.Sort(out)
	return out
}

// TestDescribeImagesVisibility: without Owners or ExecutableUsers a caller
// sees its own, public and shared images; Owners and ExecutableUsers
// narrow that; other accounts' tags are never shown nor matched.
func TestDescribeImagesVisibility(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	set := r.addImages(t)
	tests := []struct {
		name           string
		acct           string
		owners, execBy []string
		filters        []Filter
		want           []string
		code           string
	}{
		{name: "owner sees all its live images and what is shared with it", acct: acct1,
			want: []string{"a-private", "a-public", "a-shared", "b-shared"}},
		{name: "second account: public and shared", acct: acct2,
			want: []string{"a-public", "a-shared", "b-private", "b-shared"}},
		{name: "third account", acct: acct3, want: []string{"a-public", "b-shared"}},
		{name: "owners self", acct: acct2, owners: []string{"self"}, want: []string{"b-private", "b-shared"}},
		{name: "owners account", acct: acct2, owners: []string{acct1}, want: []string{"a-public", "a-shared"}},
		{name: "owners all", acct: acct3, owners: []string{"all"}, want: []string{"a-public", "b-shared"}},
		{name: "owners amazon owns nothing", acct: acct1, owners: []string{"amazon"}},
		{name: "executable by self: shared with me, not mine", acct: acct2, execBy: []string{"self"}, want: []string{"a-shared"}},
		{name: "executable by all: public", acct: acct2, execBy: []string{"all"}, want: []string{"a-public"}},
		{name: "owner asks who it shared with", acct: acct1, execBy: []string{acct2}, want: []string{"a-shared"}},
		{name: "others' grants stay hidden", acct: acct1, execBy: []string{acct3}},
		{name: "self or all", acct: acct3, execBy: []string{"self", "all"}, want: []string{"a-public", "b-shared"}},
		{name: "is-public filter", acct: acct2, filters: []Filter{{Name: "is-public", Values: []string{"true"}}},
			want: []string{"a-public"}},
		{name: "owner's tag filter", acct: acct1, filters: []Filter{{Name: "tag:team", Values: []string{"a"}}},
			want: []string{"a-shared"}},
		{name: "another account's tags do not match", acct: acct2, filters: []Filter{{Name: "tag:team", Values: []string{"a"}}}},
		{name: "bad owner", acct: acct1, owners: []string{"bob"}, code: "InvalidUserID.Malformed"},
		{name: "bad executable user", acct: acct1, execBy: []string{"amazon"}, code: "InvalidUserID.Malformed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			imgs, _, err := r.svc.DescribeImages(ctxFor(tt.acct), nil, tt.owners, tt.execBy, tt.filters, Page{})
			if got := errCode(err); got != tt.code {
				t.Fatalf("error %q (%v), want %q", got, err, tt.code)
			}
			if got := set.names(imgs); !slices.Equal(got, tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
	imgs, _, err := r.svc.DescribeImages(ctxFor(acct2), []string{set["a-shared"]}, nil, nil, nil, Page{})
	if err != nil || len(imgs) != 1 || imgs[0].Tags != nil || !slices.Equal(imgs[0].LaunchAccounts, []string{acct2}) {
		t.Errorf("a-shared as seen by %s: %+v %v, want no tags and no other grants", acct2, imgs, err)
	}
	if _, _, err := r.svc.DescribeImages(ctxFor(acct3), []string{set["a-shared"]}, nil, nil, nil, Page{}); errCode(err) != "InvalidAMIID.NotFound" {
		t.Errorf("a-shared named by %s: %v, want InvalidAMIID.NotFound", acct3, err)
	}
}

// TestSharedImageLaunch: a launch permission lets another account launch
// the image; removing it stops new launches, not running instances;
// public lets everyone.
func TestSharedImageLaunch(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	run := func(acct string) (string, error) {
		res, err := r.svc.RunInstances(ctxFor(acct), RunRequest{ImageID: r.ami, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1})
		if err != nil {
			return "", err
		}
		return res.Instances[0].ID, nil
	}
	if _, err := run(acct2); errCode(err) != "InvalidAMIID.NotFound" {
		t.Fatalf("launch before sharing: %v, want InvalidAMIID.NotFound", err)
	}
	if err := r.modify(t, acct1, ImageAttributeChange{Add: []LaunchPermission{user(acct2)}}); err != nil {
		t.Fatal(err)
	}
	id, err := run(acct2)
	if err != nil {
		t.Fatalf("launch of a shared image: %v", err)
	}
	r.drive(id)
	if err := r.modify(t, acct1, ImageAttributeChange{OperationType: "remove", UserIDs: []string{acct2}}); err != nil {
		t.Fatal(err)
	}
	if _, err := run(acct2); errCode(err) != "InvalidAMIID.NotFound" {
		t.Errorf("launch after the permission went: %v, want InvalidAMIID.NotFound", err)
	}
	if in := r.get(t, id); in.State != StateRunning || in.Owner != acct2 {
		t.Errorf("instance launched while shared: %s owned by %s, want running by %s", in.State, in.Owner, acct2)
	}
	if _, err := r.svc.StopInstances(ctxFor(acct2), []string{id}, false, false); err != nil {
		t.Fatal(err)
	}
	r.drive(id)
	if _, err := r.svc.StartInstances(ctxFor(acct2), []string{id}, false); err != nil {
		t.Fatalf("start after the permission went: %v", err)
	}
	r.drive(id)
	if in := r.get(t, id); in.State != StateRunning {
		t.Errorf("restarted instance: %s, want running", in.State)
	}
	if err := r.modify(t, acct1, ImageAttributeChange{Add: []LaunchPermission{everyone}}); err != nil {
		t.Fatal(err)
	}
	if _, err := run(acct3); err != nil {
		t.Errorf("launch of a public image by a third account: %v", err)
	}
}

// TestDescribeImagesByIDNarrowed: a named image the caller may see but
// Owners or ExecutableUsers leave out is no error, only absent; an image
// the caller may not see, or none at all, is InvalidAMIID.NotFound.
func TestDescribeImagesByIDNarrowed(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	set := r.addImages(t)
	ctx := ctxFor(acct2)
	got, _, err := r.svc.DescribeImages(ctx, []string{set["a-public"], set["b-private"]}, []string{"self"}, nil, nil, Page{})
	if err != nil || !slices.Equal(set.names(got), []string{"b-private"}) {
		t.Errorf("a-public and b-private with Owners self: %v %v, want only b-private", set.names(got), err)
	}
	for _, name := range []string{"a-private", "a-gone"} {
		if _, _, err := r.svc.DescribeImages(ctx, []string{set[name]}, []string{"self"}, nil, nil, Page{}); errCode(err) != "InvalidAMIID.NotFound" {
			t.Errorf("%s (not visible to %s): %v, want InvalidAMIID.NotFound", name, acct2, err)
		}
	}
}
