package ctl

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/fspath"
	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// Bundle paths are paths on the controller's host; ec2ctl resolves a
// relative one against its own working directory, which is right when it
// runs on that host (the ec2lab all-in-one case).

func newImportImageCmd(a *app) *cobra.Command {
	var fl registerImageFlags
	cmd := &cobra.Command{
		Use:   "import-image",
		Short: "Import an image bundle (ec2lab; RegisterImage with --bundle)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if fl.req.BundlePath == "" {
				return usageErrorf("the following arguments are required: --bundle")
			}
			return fl.run(cmd.Context(), a)
		},
	}
	fl.register(cmd)
	return cmd
}

func newExportImageCmd(a *app) *cobra.Command {
	var req pb.ExportImageRequest
	cmd := &cobra.Command{
		Use:   "export-image",
		Short: "Export an image as a bundle directory (ec2lab; import-image reads it)",
		Long: "Writes the image's disks (flattened qcow2), kernel, initrd and a manifest.json with their sha256\n" +
			"into a new directory on the controller's host; import-image registers such a bundle in any region.",
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if req.ImageId == "" || req.BundlePath == "" {
				return usageErrorf("the following arguments are required: --image-id, --bundle")
			}
			if err := absBundle(&req.BundlePath); err != nil {
				return err
			}
			return a.call(cmd.Context(), "ExportImage", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.ExportImage(ctx, &req)
				if status.Code(err) == codes.Unimplemented {
					return nil, fmt.Errorf("export-image is not supported by this server (%v)", status.Convert(err).Message())
				}
				return NewObject().Set("ImageId", req.ImageId).Set("BundlePath", r.GetBundlePath()).
					Set("ManifestSha256", r.GetManifestSha256()), err
			})
		},
	}
	cmd.Flags().StringVar(&req.ImageId, "image-id", "", "the image to export (owned by the caller)")
	cmd.Flags().StringVar(&req.BundlePath, "bundle", "", "bundle directory to create on the controller's host (must not exist)")
	addDryRun(cmd, &req.DryRun)
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}

// absBundle makes a --bundle/--image-location path absolute (fspath): the
// server, not this shell, opens it.
func absBundle(path *string) error {
	if err := fspath.Abs(path); err != nil {
		return usageErrorf("--bundle: %v", err)
	}
	return nil
}
