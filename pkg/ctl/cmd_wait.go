package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func init() { commandGroups = append(commandGroups, addWaitCommands) }

// describeFunc is a describe verb's call, returning its document.
type describeFunc func(ctx context.Context, c pb.ComputeClient) (any, error)

// describeFlags registers a describe verb's flags on cmd.
type describeFlags func(cmd *cobra.Command, a *app) describeFunc

func instancesFlags(cmd *cobra.Command, a *app) describeFunc {
	fl := &describeInstancesFlags{}
	fl.register(cmd, a)
	return fl.describe
}

func volumesFlags(cmd *cobra.Command, a *app) describeFunc {
	fl := &describeVolumesFlags{}
	fl.register(cmd, a)
	return fl.describe
}

func snapshotsFlags(cmd *cobra.Command, a *app) describeFunc {
	fl := &describeSnapshotsFlags{}
	fl.register(cmd, a)
	return fl.describe
}

func imagesFlags(cmd *cobra.Command, a *app) describeFunc {
	fl := &describeImagesFlags{}
	fl.register(cmd, a)
	return fl.describe
}

func addWaitCommands(root *cobra.Command, a *app) {
	wait := &cobra.Command{
		Use:   "wait",
		Short: "Wait until a resource reaches a state (botocore's waiter rules)",
		Args:  cobra.NoArgs, // a mistyped waiter is an unknown command (exit 252)
		// ...and is reported as such, not as an unknown flag of "wait".
		FParseErrWhitelist: cobra.FParseErrWhitelist{UnknownFlags: true},
		RunE: func(*cobra.Command, []string) error { // not a help screen that exits 0
			return usageErrorf("the following arguments are required: a waiter name")
		},
	}
	for _, w := range waiterSpecs() {
		if src, ok := waiterSources[w.op]; ok {
			wait.AddCommand(newWaitCmd(a, w, src.flags))
		}
	}
	root.AddCommand(wait)
}

func newWaitCmd(a *app, spec *waiterSpec, flags describeFlags) *cobra.Command {
	var o waitOpts
	cmd := &cobra.Command{
		Use:   spec.use,
		Short: waiterShort(spec),
		Args:  cobra.NoArgs,
	}
	describe := flags(cmd, a)
	cmd.Flags().Float64Var(&o.delay, "delay", float64(spec.delay), "seconds between polls (botocore's for this waiter by default)")
	cmd.Flags().IntVar(&o.maxAttempts, "max-attempts", spec.maxAttempts, "polls before giving up (botocore's for this waiter by default)")
	cmd.RunE = func(cmd *cobra.Command, _ []string) error {
		if o.maxAttempts < 1 || o.delay < 0 {
			return usageErrorf("--max-attempts must be at least 1 and --delay not negative")
		}
		return a.wait(cmd.Context(), spec, o, describe)
	}
	return cmd
}
