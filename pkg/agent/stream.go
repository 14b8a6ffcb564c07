package agent

import (
	"errors"
	"io"
	"strings"

	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/timestamppb"

	agentv1 "github.com/ec2lab/ec2lab/proto/ec2lab/agent/v1"
)

// StreamConsole attaches to an instance's serial console. The first message
// names the instance (its data, if any, is sent too); later messages carry
// keystrokes. Guest output is streamed back until either side ends.
func (a *Agent) StreamConsole(stream grpc.BidiStreamingServer[agentv1.ConsoleIn, agentv1.ConsoleOut]) error {
	ctx := stream.Context()
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	id := first.GetInstanceId()
	if id == "" {
		return missing("InstanceId")
	}
	if _, err := a.hv.Get(ctx, a.domainName(id)); err != nil {
		return orInstanceNotFound(id, err)
	}
	pr, pw := io.Pipe()
	go func() {
		pw.Write(first.GetData())
		for {
			in, err := stream.Recv()
			if err != nil {
				pw.CloseWithError(err)
				return
			}
			if _, err := pw.Write(in.GetData()); err != nil {
				return
			}
		}
	}()
	// Never fail a write: on a write error go-libvirt stops draining the
	// console stream, and the next console packet then blocks its router
	// while it holds the callback lock, which wedges every libvirt call of
	// this agent. Output after the client left is dropped; the session ends
	// through ctx (the input pipe closes, libvirt finishes the stream).
	out := writerFunc(func(p []byte) (int, error) {
		if ctx.Err() == nil {
			_ = stream.Send(&agentv1.ConsoleOut{Data: append([]byte(nil), p...)})
		}
		return len(p), nil
	})
	return a.hv.OpenConsole(ctx, a.domainName(id), pr, out)
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// WatchEvents streams lifecycle events of this agent's instances.
func (a *Agent) WatchEvents(_ *agentv1.WatchEventsRequest, stream grpc.ServerStreamingServer[agentv1.InstanceEvent]) error {
	ctx := stream.Context()
	events, err := a.hv.Events(ctx)
	if err != nil {
		return err
	}
	for ev := range events {
		if !strings.HasPrefix(ev.Name, a.cfg.DomainPrefix) {
			continue
		}
		err := stream.Send(&agentv1.InstanceEvent{
			InstanceId: a.instanceID(ev.Name), State: string(ev.State), Reason: ev.Reason, Time: timestamppb.Now(),
		})
		if err != nil {
			return err
		}
	}
	if ctx.Err() != nil {
		return nil // the client went away
	}
	return errors.New("libvirt event stream ended")
}
