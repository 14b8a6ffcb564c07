package api

import (
	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// relayConsole copies keystrokes to the agent and console bytes back until
// either side ends.
func relayConsole(stream v1.Compute_StreamConsoleServer, ag agentv1.HostClient, first *v1.ConsoleInput) error {
	up, err := ag.StreamConsole(stream.Context())
	if err != nil {
		return err
	}
	if err := up.Send(&agentv1.ConsoleIn{InstanceId: first.GetInstanceId(), Data: first.GetData()}); err != nil {
		return err
	}
	go func() {
		for {
			in, err := stream.Recv()
			if err != nil {
				_ = up.CloseSend()
				return
			}
			if err := up.Send(&agentv1.ConsoleIn{Data: in.GetData()}); err != nil {
				return
			}
		}
	}()
	for {
		out, err := up.Recv()
		if err != nil {
			return nil
		}
		if err := stream.Send(&v1.ConsoleChunk{Data: out.GetData()}); err != nil {
			return err
		}
	}
}
