package ctl

import (
	"context"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

func newGetConsoleOutputCmd(a *app) *cobra.Command {
	var id string
	var latest bool
	cmd := &cobra.Command{
		Use:   "get-console-output",
		Short: "Print an instance's serial console output (GetConsoleOutput)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if id == "" {
				return usageErrorf("the following arguments are required: --instance-id")
			}
			var raw *pb.GetConsoleOutputResponse
			doc, err := a.fetch(cmd.Context(), "GetConsoleOutput", func(ctx context.Context, c pb.ComputeClient) (any, error) {
				r, err := c.GetConsoleOutput(ctx, &pb.GetConsoleOutputRequest{InstanceId: id, Latest: latest})
				raw = r
				return docConsoleOutput(r), err
			})
			if err != nil {
				return err
			}
			if s, _ := a.settings(); s.output == OutputText && a.g.query == "" {
				// The console text itself, as a user of --output text wants it.
				_, err := a.env.stdout.Write(raw.GetOutput())
				return err
			}
			return a.print("GetConsoleOutput", doc)
		},
	}
	cmd.Flags().StringVar(&id, "instance-id", "", "the instance")
	cmd.Flags().BoolVar(&latest, "latest", false, "only the most recent output")
	completeFlag(cmd, "instance-id", a, completeInstanceIDs)
	return cmd
}
