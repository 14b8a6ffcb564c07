package ctl

import (
	"errors"

	"github.com/spf13/cobra"
)

// errExportUnsupported: the Compute API has no image export RPC yet.
var errExportUnsupported = errors.New("export-image is not supported by this server yet")

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
	var imageID, dir string
	cmd := &cobra.Command{
		Use:   "export-image",
		Short: "Export an image as a bundle (ec2lab; not supported by the server yet)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			return errExportUnsupported
		},
	}
	cmd.Flags().StringVar(&imageID, "image-id", "", "the image")
	cmd.Flags().StringVar(&dir, "bundle", "", "bundle directory to write")
	completeFlag(cmd, "image-id", a, completeImageIDs)
	return cmd
}
