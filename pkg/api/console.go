package api

import (
	"github.com/ec2lab/ec2lab/pkg/host"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// relayConsole copies keystrokes to the host's console session and console
// bytes back until either side ends.
func relayConsole(stream v1.Compute_StreamConsoleServer, con host.Console, first *v1.ConsoleInput) error {
	if d := first.GetData(); len(d) > 0 {
		if err := con.Send(d); err != nil {
			return err
		}
	}
	go func() {
		for {
			in, err := stream.Recv()
			if err != nil {
				_ = con.CloseSend()
				return
			}
			if err := con.Send(in.GetData()); err != nil {
				return
			}
		}
	}()
	for {
		out, err := con.Recv()
		if err != nil {
			return nil
		}
		if err := stream.Send(&v1.ConsoleChunk{Data: out}); err != nil {
			return err
		}
	}
}
