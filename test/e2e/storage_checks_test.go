package e2e

import (
	"context"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ec2err/errgrpc"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

const noVol, noSnap = "vol-0123456789abcdef0", "snap-0123456789abcdef0"

// errorCodes checks each EC2 error code of the volume API, and that none of
// the rejected calls changed a volume, a snapshot or a pool file.
func (r *storageRig) errorCodes(t *testing.T) {
	ctx := context.Background()
	v, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1b", Size: 1})
	if err != nil {
		t.Fatalf("CreateVolume in lab-1b: %v", err)
	}
	r.volB = v.GetVolumeId()
	r.waitVolume(t, r.volB, "available")
	imgs, err := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{ImageIds: []string{r.ami}})
	if err != nil || len(imgs.GetImages()) != 1 {
		t.Fatalf("DescribeImages: %v", err)
	}
	amiSnap := imgs.GetImages()[0].GetBlockDeviceMappings()[0].GetEbs().GetSnapshotId()
	before := r.inventory(t)
	cases := []struct {
		name, code string
		call       func() error
	}{
		{"attach across zones", "InvalidVolume.ZoneMismatch", func() error {
			_, err := r.Client.AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: r.volB, InstanceId: r.a, Device: "/dev/sdh"})
			return err
		}},
		{"delete an attached volume", "VolumeInUse", func() error {
			_, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: r.vol1})
			return err
		}},
		{"attach an attached volume", "VolumeInUse", func() error {
			_, err := r.Client.AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: r.vol1, InstanceId: r.a, Device: "/dev/sdh"})
			return err
		}},
		{"attach an unknown volume", "InvalidVolume.NotFound", func() error {
			_, err := r.Client.AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: noVol, InstanceId: r.a, Device: "/dev/sdh"})
			return err
		}},
		{"describe an unknown volume", "InvalidVolume.NotFound", func() error {
			_, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{VolumeIds: []string{r.vol1, noVol}})
			return err
		}},
		{"delete an unknown volume", "InvalidVolume.NotFound", func() error {
			_, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: noVol})
			return err
		}},
		{"detach an available volume", "IncorrectState", func() error {
			_, err := r.Client.DetachVolume(ctx, &v1.DetachVolumeRequest{VolumeId: r.volB})
			return err
		}},
		{"size over the gp3 maximum", "InvalidParameterValue", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 20000})
			return err
		}},
		{"unknown volume type", "InvalidParameterValue", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1, VolumeType: "gp9"})
			return err
		}},
		{"io1 IOPS over 50 per GiB", "InvalidParameterValue", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 4, VolumeType: "io1", Iops: 500})
			return err
		}},
		{"unknown zone", "InvalidParameterValue", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-9z", Size: 1})
			return err
		}},
		{"shrink", "InvalidParameterValue", func() error {
			_, err := r.Client.ModifyVolume(ctx, &v1.ModifyVolumeRequest{VolumeId: r.vol1, Size: 1})
			return err
		}},
		{"bad device name", "InvalidParameterValue", func() error {
			_, err := r.Client.AttachVolume(ctx, &v1.AttachVolumeRequest{VolumeId: r.volB, InstanceId: r.a, Device: "/dev/nope"})
			return err
		}},
		{"neither size nor snapshot", "MissingParameter", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a"})
			return err
		}},
		{"no zone", "MissingParameter", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{Size: 1})
			return err
		}},
		{"volume from an unknown snapshot", "InvalidSnapshot.NotFound", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", SnapshotId: noSnap})
			return err
		}},
		{"delete an unknown snapshot", "InvalidSnapshot.NotFound", func() error {
			_, err := r.Client.DeleteSnapshot(ctx, &v1.DeleteSnapshotRequest{SnapshotId: noSnap})
			return err
		}},
		{"snapshot an unknown volume", "InvalidVolume.NotFound", func() error {
			_, err := r.Client.CreateSnapshot(ctx, &v1.CreateSnapshotRequest{VolumeId: noVol})
			return err
		}},
		{"delete the AMI's root snapshot", "InvalidSnapshot.InUse", func() error {
			_, err := r.Client.DeleteSnapshot(ctx, &v1.DeleteSnapshotRequest{SnapshotId: amiSnap})
			return err
		}},
		{"dry run", "DryRunOperation", func() error {
			_, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1a", Size: 1, DryRun: true})
			return err
		}},
	}
	for _, c := range cases {
		if got := ec2err.Code(errgrpc.ToNative(c.call())); got != c.code {
			t.Errorf("%s: got %q, want %s", c.name, got, c.code)
		}
	}
	time.Sleep(3 * time.Second) // let the reconciler act on anything wrongly recorded
	if after := r.inventory(t); !reflect.DeepEqual(before, after) {
		t.Errorf("rejected calls changed the region:\nbefore %v\nafter  %v", before, after)
	}
}

// inventory is every volume and snapshot (ID, state, size, attachment) and
// every pool file: what a rejected call must not change.
func (r *storageRig) inventory(t *testing.T) []string {
	t.Helper()
	ctx := context.Background()
	var out []string
	vols, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range vols.GetVolumes() {
		line := v.GetVolumeId() + " " + v.GetState() + " " + v.GetAvailabilityZone() + " " + v.GetVolumeType()
		for _, a := range v.GetAttachments() {
			line += " " + a.GetInstanceId() + a.GetDevice()
		}
		out = append(out, line)
	}
	snaps, err := r.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range snaps.GetSnapshots() {
		out = append(out, s.GetSnapshotId()+" "+s.GetState())
	}
	for _, az := range []string{"lab-1a", "lab-1b"} {
		ents, _ := os.ReadDir(r.poolPath(az, ""))
		for _, e := range ents {
			out = append(out, az+"/"+e.Name())
		}
	}
	sort.Strings(out)
	return out
}

func (r *storageRig) describe(t *testing.T) {
	ctx := context.Background()
	volIDs := func(f ...*v1.Filter) []string {
		t.Helper()
		out, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{Filters: f})
		if err != nil {
			t.Fatalf("DescribeVolumes %v: %v", f, err)
		}
		var ids []string
		for _, v := range out.GetVolumes() {
			ids = append(ids, v.GetVolumeId())
		}
		return ids
	}
	filter := func(name string, values ...string) *v1.Filter { return &v1.Filter{Name: name, Values: values} }
	if got := volIDs(filter("tag:Name", "data")); !reflect.DeepEqual(got, []string{r.vol1}) {
		t.Errorf("tag:Name=data: %v, want [%s]", got, r.vol1)
	}
	onB := volIDs(filter("attachment.instance-id", r.b))
	if len(onB) != 3 || !slices.Contains(onB, r.vol1) || !slices.Contains(onB, r.volSnap) {
		t.Errorf("attachment.instance-id=%s: %v, want its root volume, %s and %s", r.b, onB, r.vol1, r.volSnap)
	}
	if got := volIDs(filter("status", "available")); !reflect.DeepEqual(got, []string{r.volB}) {
		t.Errorf("status=available: %v, want [%s]", got, r.volB)
	}
	if got := volIDs(filter("status", "in-use"), filter("availability-zone", "lab-1b")); len(got) != 0 {
		t.Errorf("in-use in lab-1b: %v, want none", got)
	}
	// Two more volumes and three snapshots, so both listings need two pages of 5.
	var extraVols, extraSnaps []string
	for range 2 {
		v, err := r.Client.CreateVolume(ctx, &v1.CreateVolumeRequest{AvailabilityZone: "lab-1b", Size: 1})
		if err != nil {
			t.Fatal(err)
		}
		extraVols = append(extraVols, v.GetVolumeId())
	}
	for _, id := range extraVols {
		r.waitVolume(t, id, "available")
	}
	for range 3 {
		extraSnaps = append(extraSnaps, r.snapshot(t, r.volB, "extra"))
	}
	all := volIDs()
	if len(all) != 7 {
		t.Errorf("%d volumes (2 roots, data, from-snapshot, lab-1b, 2 extra), want 7: %v", len(all), all)
	}
	r.checkPages(t, "volumes", all, func(token string) ([]string, string, error) {
		out, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{MaxResults: 5, NextToken: token})
		var ids []string
		for _, v := range out.GetVolumes() {
			ids = append(ids, v.GetVolumeId())
		}
		return ids, out.GetNextToken(), err
	})
	snapIDs := func(f ...*v1.Filter) []string {
		t.Helper()
		out, err := r.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{Filters: f})
		if err != nil {
			t.Fatalf("DescribeSnapshots %v: %v", f, err)
		}
		var ids []string
		for _, s := range out.GetSnapshots() {
			ids = append(ids, s.GetSnapshotId())
		}
		return ids
	}
	if got := snapIDs(filter("tag:Name", "snap1")); !reflect.DeepEqual(got, []string{r.snap1}) {
		t.Errorf("tag:Name=snap1: %v", got)
	}
	want := []string{r.snap1, r.snap2}
	sort.Strings(want)
	if got := snapIDs(filter("volume-id", r.vol1), filter("status", "completed")); !reflect.DeepEqual(got, want) {
		t.Errorf("volume-id=%s: %v, want %v", r.vol1, got, want)
	}
	allSnaps := snapIDs()
	if len(allSnaps) != 6 {
		t.Errorf("%d snapshots (AMI root + snap1 + snap2 + 3 extra), want 6: %v", len(allSnaps), allSnaps)
	}
	r.checkPages(t, "snapshots", allSnaps, func(token string) ([]string, string, error) {
		out, err := r.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{MaxResults: 5, NextToken: token})
		var ids []string
		for _, s := range out.GetSnapshots() {
			ids = append(ids, s.GetSnapshotId())
		}
		return ids, out.GetNextToken(), err
	})
	_, err := r.Client.DescribeVolumes(ctx, &v1.DescribeVolumesRequest{MaxResults: 3})
	if ec2err.Code(errgrpc.ToNative(err)) != "InvalidParameterValue" {
		t.Errorf("MaxResults 3: %v, want InvalidParameterValue", err)
	}
	for _, id := range extraVols {
		if _, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: id}); err != nil {
			t.Errorf("DeleteVolume %s: %v", id, err)
		}
	}
	for _, id := range extraSnaps {
		if _, err := r.Client.DeleteSnapshot(ctx, &v1.DeleteSnapshotRequest{SnapshotId: id}); err != nil {
			t.Errorf("DeleteSnapshot %s: %v", id, err)
		}
	}
}

// checkPages walks pages of 5 and checks they hold every ID exactly once.
func (r *storageRig) checkPages(t *testing.T, what string, all []string, page func(token string) ([]string, string, error)) {
	t.Helper()
	var got []string
	token, pages := "", 0
	for {
		ids, next, err := page(token)
		if err != nil {
			t.Fatalf("%s page %d: %v", what, pages+1, err)
		}
		if len(ids) > 5 {
			t.Errorf("%s page of %d, MaxResults 5", what, len(ids))
		}
		got, pages = append(got, ids...), pages+1
		if next == "" || pages > 10 {
			break
		}
		token = next
	}
	sort.Strings(got)
	want := slices.Clone(all)
	sort.Strings(want)
	if pages != 2 || !reflect.DeepEqual(got, want) {
		t.Errorf("%s in %d pages: %v, want 2 pages holding %v", what, pages, got, want)
	}
}

// deleteAndCollect deletes volumes and snapshots and checks the garbage
// collector removes exactly the layers nothing needs any more.
func (r *storageRig) deleteAndCollect(t *testing.T) {
	ctx := context.Background()
	headB := r.volumeFiles(t, "lab-1b", r.volB)
	if _, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: r.volB}); err != nil {
		t.Fatalf("DeleteVolume: %v", err)
	}
	waitFor(t, "every file of "+r.volB+" to leave the pool", func() bool {
		return len(r.volumeFiles(t, "lab-1b", r.volB)) == 0
	})
	t.Logf("files of the deleted volume and its deleted snapshots collected: %v", headB)

	sumBefore := r.guestSum(t, r.b, r.guestDisk(t, r.b, r.volSnap), 0)
	if _, err := r.Client.DeleteSnapshot(ctx, &v1.DeleteSnapshotRequest{SnapshotId: r.snap1}); err != nil {
		t.Fatalf("DeleteSnapshot of a snapshot volumes use: %v", err)
	}
	_, err := r.Client.DescribeSnapshots(ctx, &v1.DescribeSnapshotsRequest{SnapshotIds: []string{r.snap1}})
	if ec2err.Code(errgrpc.ToNative(err)) != "InvalidSnapshot.NotFound" {
		t.Errorf("describe a deleted snapshot: %v", err)
	}
	r.stillThere(t, r.snap1Layer, "two volumes build on it")
	if got := r.guestSum(t, r.b, r.guestDisk(t, r.b, r.volSnap), 0); got != sumBefore {
		t.Errorf("volume from the deleted snapshot reads %s, was %s", got, sumBefore)
	}
	r.detach(t, r.volSnap)
	qemuImgCheck(t, r.poolPath("lab-1a", r.head(t, r.volSnap)))
	if _, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: r.volSnap}); err != nil {
		t.Fatalf("DeleteVolume: %v", err)
	}
	waitFor(t, "the head of "+r.volSnap+" to leave the pool", func() bool {
		return len(r.volumeFiles(t, "lab-1a", r.volSnap)) == 0
	})
	r.stillThere(t, r.snap1Layer, r.vol1+" still builds on it")

	r.mergeLive(t) // deletes snap2
	r.detach(t, r.vol1)
	qemuImgCheck(t, r.poolPath("lab-1a", r.head(t, r.vol1)))
	if _, err := r.Client.DeleteVolume(ctx, &v1.DeleteVolumeRequest{VolumeId: r.vol1}); err != nil {
		t.Fatalf("DeleteVolume: %v", err)
	}
	start := time.Now()
	waitFor(t, "every layer of "+r.vol1+" to be collected", func() bool {
		return len(r.volumeFiles(t, "lab-1a", r.vol1)) == 0
	})
	t.Logf("layers collected %v after the last reference went", time.Since(start).Round(time.Millisecond))
	if !strings.Contains(r.log.String(), "garbage collector: deleting pool file") {
		t.Errorf("no log line for the collected files")
	}
	imgs, _ := r.Client.DescribeImages(ctx, &v1.DescribeImagesRequest{ImageIds: []string{r.ami}})
	amiSnap := imgs.GetImages()[0].GetBlockDeviceMappings()[0].GetEbs().GetSnapshotId()
	if _, err := os.Stat(r.poolPath("lab-1a", amiSnap+".qcow2")); err != nil {
		t.Errorf("the AMI's root layer was collected: %v", err)
	}
}

// stillThere waits past the collector's grace and checks a layer survived.
func (r *storageRig) stillThere(t *testing.T, layer, why string) {
	t.Helper()
	time.Sleep(10 * time.Second) // gc_grace is 3s; the collector runs every 3s
	if _, err := os.Stat(r.poolPath("lab-1a", layer)); err != nil {
		t.Fatalf("layer %s was removed although %s: %v", layer, why, err)
	}
}

func (r *storageRig) detach(t *testing.T, volID string) {
	t.Helper()
	if _, err := r.Client.DetachVolume(context.Background(), &v1.DetachVolumeRequest{VolumeId: volID}); err != nil {
		t.Fatalf("DetachVolume %s: %v", volID, err)
	}
	r.waitVolume(t, volID, "available")
}
