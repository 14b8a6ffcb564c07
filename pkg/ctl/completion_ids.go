package ctl

import (
	"context"
	"strings"
	"time"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// Shell completion of resource IDs asks the server; errors (no server,
// no credentials) just mean no suggestions.

const completionTimeout = 3 * time.Second

type idLister func(ctx context.Context, a *app) []string

// completeFlag registers server-side completion for a flag.
func completeFlag(cmd *cobra.Command, flag string, a *app, list idLister) {
	_ = cmd.RegisterFlagCompletionFunc(flag, func(cmd *cobra.Command, _ []string, _ string) ([]string, cobra.ShellCompDirective) {
		return list(cmd.Context(), a), cobra.ShellCompDirectiveNoFileComp
	})
}

func withClient(ctx context.Context, a *app, fn func(context.Context, pb.ComputeClient) []string) []string {
	if ctx == nil {
		ctx = context.Background()
	}
	ctx, cancel := context.WithTimeout(ctx, completionTimeout)
	defer cancel()
	c, err := a.client(ctx)
	if err != nil {
		return nil
	}
	return fn(ctx, c)
}

func completeInstanceIDs(ctx context.Context, a *app) []string {
	return withClient(ctx, a, func(ctx context.Context, c pb.ComputeClient) []string {
		r, err := c.DescribeInstances(ctx, &pb.DescribeInstancesRequest{})
		if err != nil {
			return nil
		}
		var ids []string
		for _, res := range r.GetReservations() {
			for _, in := range res.GetInstances() {
				ids = append(ids, describeID(in.GetInstanceId(), in.GetState().GetName(), nameTag(in.GetTags())))
			}
		}
		return ids
	})
}

func completeVolumeIDs(ctx context.Context, a *app) []string {
	return withClient(ctx, a, func(ctx context.Context, c pb.ComputeClient) []string {
		r, err := c.DescribeVolumes(ctx, &pb.DescribeVolumesRequest{})
		if err != nil {
			return nil
		}
		var ids []string
		for _, v := range r.GetVolumes() {
			ids = append(ids, describeID(v.GetVolumeId(), v.GetState(), nameTag(v.GetTags())))
		}
		return ids
	})
}

func completeSnapshotIDs(ctx context.Context, a *app) []string {
	return withClient(ctx, a, func(ctx context.Context, c pb.ComputeClient) []string {
		r, err := c.DescribeSnapshots(ctx, &pb.DescribeSnapshotsRequest{OwnerIds: []string{"self"}})
		if err != nil {
			return nil
		}
		var ids []string
		for _, s := range r.GetSnapshots() {
			ids = append(ids, describeID(s.GetSnapshotId(), s.GetState(), s.GetDescription()))
		}
		return ids
	})
}

func completeImageIDs(ctx context.Context, a *app) []string {
	return withClient(ctx, a, func(ctx context.Context, c pb.ComputeClient) []string {
		r, err := c.DescribeImages(ctx, &pb.DescribeImagesRequest{})
		if err != nil {
			return nil
		}
		var ids []string
		for _, im := range r.GetImages() {
			ids = append(ids, describeID(im.GetImageId(), im.GetName()))
		}
		return ids
	})
}

func nameTag(tags []*pb.Tag) string {
	for _, t := range tags {
		if t.GetKey() == "Name" {
			return t.GetValue()
		}
	}
	return ""
}

// describeID is a completion candidate: the ID, a tab, a short description.
func describeID(id string, desc ...string) string {
	d := strings.TrimSpace(strings.Join(desc, " "))
	if d == "" {
		return id
	}
	return id + "\t" + d
}
