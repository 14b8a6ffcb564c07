package controller

import (
	"context"
	"testing"
	"time"
)

// TestCopyImageInRegion: CopyImage within the region (what Terraform's
// aws_ami_copy does with source_ami_region set to the same region) gives
// the caller a private, available AMI with copies of the source's
// snapshots over the same layers and its own boot files, which outlive
// the source; another account copies it only once it may launch it.
func TestCopyImageInRegion(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	src := r.bootImage(t, "available")
	ctx := ctxFor(acct1)
	req := CopyImageRequest{SourceRegion: "lab-1", SourceImageID: src.ID, Name: "boot-copy", Tags: []Tag{{Key: "k", Value: "v"}}}

	if _, err := r.svc.CopyImage(ctxFor(acct2), req); errCode(err) != "InvalidAMIID.NotFound" {
		t.Fatalf("another account's private image: %v", err)
	}
	if _, err := r.svc.CopyImage(ctx, CopyImageRequest{SourceRegion: "lab-1", SourceImageID: src.ID, Name: "boot"}); errCode(err) != "InvalidAMIName.Duplicate" {
		t.Fatalf("a name the caller uses: %v", err)
	}
	dry := req
	dry.DryRun = true
	if _, err := r.svc.CopyImage(ctx, dry); errCode(err) != "DryRunOperation" {
		t.Fatalf("dry run: %v", err)
	}
	// The source's protection and deprecation stay the source's.
	if _, err := update(context.Background(), r.svc.st, prefixImage+src.ID, func(im *Image) error {
		im.Protection, im.DeprecationTime = ProtectionWithCooldown, r.svc.now().Add(48*time.Hour)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	cp, err := r.svc.CopyImage(ctx, req)
	if err != nil {
		t.Fatal(err)
	}
	got := r.image(t, cp.ID)
	if got.Protection != "" || !got.DeprecationTime.IsZero() {
		t.Errorf("the copy inherited protection %q, deprecation %v", got.Protection, got.DeprecationTime)
	}
	if _, err := update(context.Background(), r.svc.st, prefixImage+src.ID, func(im *Image) error {
		im.Protection, im.DeprecationTime = "", time.Time{}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if got.State != "available" || got.Owner != acct1 || got.Public || len(got.Devices) != 1 || got.Kernel == src.Kernel ||
		tagValue(got.Tags, "k") != "v" {
		t.Fatalf("copy %+v", got)
	}
	snap := got.Devices[0].SnapshotID
	if snap == src.Devices[0].SnapshotID {
		t.Fatal("the copy shares the source's snapshot record")
	}
	snaps, _, err := r.svc.DescribeSnapshots(ctx, SnapshotQuery{IDs: []string{snap}})
	if err != nil || len(snaps) != 1 || snaps[0].State != "completed" {
		t.Fatalf("the copy's snapshot: %+v %v", snaps, err)
	}
	if n := r.bootFiles(got); n != 4 {
		t.Fatalf("the copy has %d boot files in the pools, want kernel and initrd in both", n)
	}

	tokened := CopyImageRequest{SourceImageID: src.ID, Name: "boot-tokened", ClientToken: "tok-1"}
	first, err := r.svc.CopyImage(ctx, tokened)
	if err != nil {
		t.Fatal(err)
	}
	if again, err := r.svc.CopyImage(ctx, tokened); err != nil || again.ID != first.ID {
		t.Fatalf("retry with the same token: %s %v, want %s", again.ID, err, first.ID)
	}
	tokened.Name = "boot-other"
	if _, err := r.svc.CopyImage(ctx, tokened); errCode(err) != "IdempotentParameterMismatch" {
		t.Fatalf("same token, other request: %v", err)
	}

	if err := r.svc.DeregisterImage(ctx, src.ID, false); err != nil {
		t.Fatal(err)
	}
	r.svc.cfg.GCGrace.Duration = time.Millisecond
	r.svc.collectTombstones(context.Background(), map[string]bool{})
	time.Sleep(2 * time.Millisecond)
	r.svc.collectTombstones(context.Background(), map[string]bool{})
	if r.bootFiles(src) != 0 {
		t.Fatal("the source's tombstone was not collected")
	}
	if n := r.bootFiles(got); n != 4 {
		t.Fatalf("after the source went: %d boot files of the copy", n)
	}
}

func tagValue(tags []Tag, key string) string {
	for _, tg := range tags {
		if tg.Key == key {
			return tg.Value
		}
	}
	return ""
}

// TestDescribeDeregisteredImage: asking for one's own image by ID after
// deregistering it answers no image (EC2; Ansible's ec2_ami waits for
// that), another account's still answers NotFound, and a mix keeps the
// live ones.
func TestDescribeDeregisteredImage(t *testing.T) {
	r := newRig(t, 64, hostSpec{vcpus: 8, mem: 8192})
	gone, live := r.bootImage(t, "available"), r.bootImage(t, "available")
	ctx := ctxFor(acct1)
	if err := r.svc.DeregisterImage(ctx, gone.ID, false); err != nil {
		t.Fatal(err)
	}
	imgs, _, err := r.svc.DescribeImages(ctx, []string{gone.ID}, nil, nil, nil, Page{})
	if err != nil || len(imgs) != 0 {
		t.Fatalf("own deregistered image: %v %v", imgs, err)
	}
	imgs, _, err = r.svc.DescribeImages(ctx, []string{gone.ID, live.ID}, nil, nil, nil, Page{})
	if err != nil || len(imgs) != 1 || imgs[0].ID != live.ID {
		t.Fatalf("deregistered and live: %v %v", imgs, err)
	}
	if _, _, err := r.svc.DescribeImages(ctxFor(acct2), []string{gone.ID}, nil, nil, nil, Page{}); errCode(err) != "InvalidAMIID.NotFound" {
		t.Fatalf("another account: %v", err)
	}
}
