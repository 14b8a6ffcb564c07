package ctl

import (
	"context"
	"fmt"
	"sort"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// The waiters are botocore's (waiters-2.json, in awsmodel.json) for the
// operations ec2lab serves, with their acceptors, delay and attempts;
// waiterSources says how ec2ctl polls each operation.

// waiterSource is how a waiter polls its operation: the describe command's
// flags and call, and a JMESPath listing [id, state] rows for progress.
type waiterSource struct {
	flags    describeFlags
	progress string
}

var waiterSources = map[string]waiterSource{
	"DescribeInstances":         {instancesFlags, "Reservations[].Instances[].[InstanceId, State.Name]"},
	"DescribeInstanceStatus":    {instanceStatusFlags, "InstanceStatuses[].[InstanceId, SystemStatus.Status, InstanceStatus.Status]"},
	"DescribeVolumes":           {volumesFlags, "Volumes[].[VolumeId, State]"},
	"DescribeSnapshots":         {snapshotsFlags, "Snapshots[].[SnapshotId, State, Progress]"},
	"DescribeImages":            {imagesFlags, "Images[].[ImageId, State]"},
	"DescribeKeyPairs":          {describeVia(newDescribeKeyPairsCmd), "KeyPairs[].[KeyName, KeyPairId]"},
	"DescribeSecurityGroups":    {describeVia(newDescribeSecurityGroupsCmd), "SecurityGroups[].[GroupId, GroupName]"},
	"DescribeSubnets":           {describeVia(newDescribeSubnetsCmd), "Subnets[].[SubnetId, State]"},
	"DescribeVpcs":              {describeVia(newDescribeVpcsCmd), "Vpcs[].[VpcId, State]"},
	"DescribeNetworkInterfaces": {describeVia(newDescribeNetworkInterfacesCmd), "NetworkInterfaces[].[NetworkInterfaceId, Status]"},
	"DescribeInternetGateways":  {describeVia(newDescribeInternetGatewaysCmd), "InternetGateways[].[InternetGatewayId, Attachments[0].State]"},
	"DescribeNatGateways":       {describeVia(newDescribeNatGatewaysCmd), "NatGateways[].[NatGatewayId, State]"},
}

// waiterSpecs are the model's waiters, by command name, sorted.
func waiterSpecs() []*waiterSpec {
	m := loadModel()
	names := make([]string, 0, len(m.Waiters))
	for n := range m.Waiters {
		names = append(names, n)
	}
	sort.Strings(names)
	out := make([]*waiterSpec, 0, len(names))
	for _, n := range names {
		w := m.Waiters[n]
		out = append(out, &waiterSpec{use: n, name: w.Name, op: w.Op, acceptors: w.Acceptors,
			delay: w.Delay, maxAttempts: w.MaxAttempts, progress: waiterSources[w.Op].progress})
	}
	return out
}

// waiterShort is a waiter's one-line help.
func waiterShort(w *waiterSpec) string {
	return fmt.Sprintf("Poll %s until botocore's %s waiter succeeds (every %d s, at most %d times)",
		w.op, w.name, w.delay, w.maxAttempts)
}

// captureKey marks a context in which app.call hands its operation to the
// *callFunc it holds instead of running and printing it.
type captureKey struct{}

type callFunc = func(context.Context, pb.ComputeClient) (any, error)

// describeVia gives a waiter the flags of a describe command, and polls
// with that command's own call.
func describeVia(newVerb func(*app) *cobra.Command) describeFlags {
	return func(cmd *cobra.Command, a *app) describeFunc {
		verb := newVerb(a)
		cmd.Flags().AddFlagSet(verb.Flags())
		return func(ctx context.Context, c pb.ComputeClient) (any, error) {
			var call callFunc
			verb.SetContext(context.WithValue(ctx, captureKey{}, &call))
			if err := verb.RunE(verb, nil); err != nil {
				return nil, err
			}
			if call == nil {
				return nil, fmt.Errorf("ec2ctl %s made no call", verb.Name())
			}
			return call(ctx, c)
		}
	}
}
