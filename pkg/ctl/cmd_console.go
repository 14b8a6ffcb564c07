package ctl

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
	"golang.org/x/term"
)

// consoleEscape is Ctrl-], which leaves the console (as in telnet and
// virsh console).
const consoleEscape = 0x1d

func newConsoleCmd(a *app) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "console INSTANCE_ID",
		Short: "Attach to an instance's serial console (ec2lab; Ctrl-] leaves)",
		Args:  cobra.ExactArgs(1),
		ValidArgsFunction: func(cmd *cobra.Command, args []string, _ string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return completeInstanceIDs(cmd.Context(), a), cobra.ShellCompDirectiveNoFileComp
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			return a.console(cmd.Context(), args[0])
		},
	}
	return cmd
}

func (a *app) console(parent context.Context, id string) error {
	c, err := a.client(parent)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(parent)
	defer cancel()
	stream, err := c.StreamConsole(ctx)
	if err == nil {
		err = stream.Send(&pb.ConsoleInput{InstanceId: id})
	}
	if err != nil {
		return callError("StreamConsole", a.s.endpoint, err)
	}
	if a.env.stdinTTY {
		old, err := term.MakeRaw(a.env.stdinFd)
		if err != nil {
			return fmt.Errorf("console: raw terminal: %w", err)
		}
		defer func() { _ = term.Restore(a.env.stdinFd, old) }()
	}
	fmt.Fprintf(a.env.stderr, "Connected to %s. Escape character is '^]'.\r\n", id)
	escaped := make(chan bool, 1)
	go func() { escaped <- pumpInput(a.env.stdin, stream) }()
	recvErr := make(chan error, 1)
	go func() { recvErr <- pumpOutput(stream, a.env.stdout) }()
	select {
	case esc := <-escaped:
		if esc {
			cancel()
			fmt.Fprintf(a.env.stderr, "\r\nLeft the console of %s.\r\n", id)
			return nil
		}
		// End of input: keep showing output until the server ends the stream.
		return a.consoleEnd(id, <-recvErr)
	case err := <-recvErr:
		return a.consoleEnd(id, err)
	}
}

func (a *app) consoleEnd(id string, err error) error {
	if err == nil || errors.Is(err, io.EOF) {
		fmt.Fprintf(a.env.stderr, "\r\nConsole of %s closed.\r\n", id)
		return nil
	}
	return callError("StreamConsole", a.s.endpoint, err)
}

type consoleSender interface {
	Send(*pb.ConsoleInput) error
	CloseSend() error
}

// pumpInput copies keystrokes to the stream until Ctrl-] (true) or the
// end of input (false).
func pumpInput(in io.Reader, s consoleSender) bool {
	buf := make([]byte, 1024)
	for {
		n, err := in.Read(buf)
		chunk := buf[:n]
		esc := bytes.IndexByte(chunk, consoleEscape)
		if esc >= 0 {
			chunk = chunk[:esc]
		}
		if len(chunk) > 0 {
			if serr := s.Send(&pb.ConsoleInput{Data: append([]byte(nil), chunk...)}); serr != nil {
				return false // the receive side reports the stream's error
			}
		}
		if esc >= 0 || err != nil {
			_ = s.CloseSend()
			return esc >= 0
		}
	}
}

func pumpOutput(s interface {
	Recv() (*pb.ConsoleChunk, error)
}, out io.Writer) error {
	for {
		chunk, err := s.Recv()
		if err != nil {
			return err
		}
		if _, err := out.Write(chunk.GetData()); err != nil {
			return err
		}
	}
}
