package ctl

import (
	"context"

	"github.com/spf13/cobra"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

func init() {
	commandGroups = append(commandGroups, func(root *cobra.Command, a *app) { root.AddCommand(newCopyImageCmd(a)) })
}

func newCopyImageCmd(a *app) *cobra.Command {
	var req pb.CopyImageRequest
	var tagSpecs []string
	cmd := &cobra.Command{
		Use:   "copy-image",
		Short: "Copy an image from another region (CopyImage)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			var err error
			if req.TagSpecifications, err = parseTagSpecs(tagSpecs); err != nil {
				return &usageError{err}
			}
			return a.call(cmd.Context(), "CopyImage", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.CopyImage(ctx, &req)
				return NewObject().Set("ImageId", r.GetImageId()), err
			})
		},
	}
	f := cmd.Flags()
	f.StringVar(&req.SourceRegion, "source-region", "", "region of the source image")
	f.StringVar(&req.SourceImageId, "source-image-id", "", "the image to copy")
	f.StringVar(&req.Name, "name", "", "name of the new image")
	f.StringVar(&req.Description, "description", "", "description of the new image")
	f.StringArrayVar(&tagSpecs, "tag-specifications", nil, "ResourceType=image,Tags=[{Key=k,Value=v}]")
	addDryRun(cmd, &req.DryRun)
	markList(cmd, "tag-specifications")
	return cmd
}
