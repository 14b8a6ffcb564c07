package ctl

import (
	"context"
	"fmt"
	"io"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"google.golang.org/grpc"
)

// app is the state shared by all commands of one invocation.
type app struct {
	env  *env
	g    globalFlags
	s    *settings
	conn *grpc.ClientConn
}

// settings resolves (once) the connection and output settings.
func (a *app) settings() (*settings, error) {
	if a.s != nil {
		return a.s, nil
	}
	s, err := a.env.resolve(&a.g)
	if err != nil {
		return nil, err
	}
	if _, err := NewPrinter(s.output); err != nil {
		return nil, &usageError{err}
	}
	a.s = s
	return s, nil
}

// client returns the Compute client, connecting on first use.
func (a *app) client(ctx context.Context) (pb.ComputeClient, error) {
	s, err := a.settings()
	if err != nil {
		return nil, err
	}
	if a.conn == nil {
		if a.conn, err = a.env.dial(ctx, s, a.g.debug); err != nil {
			return nil, err
		}
	}
	return pb.NewComputeClient(a.conn), nil
}

func (a *app) close() {
	if a.conn != nil {
		_ = a.conn.Close()
		a.conn = nil
	}
}

// call runs one API operation and prints its document (nil prints
// nothing, like the AWS CLI for operations without output).
func (a *app) call(ctx context.Context, op string, fn func(context.Context, pb.ComputeClient) (any, error)) error {
	if capture, ok := ctx.Value(captureKey{}).(*callFunc); ok { // a waiter polls through this command
		*capture = fn
		return nil
	}
	doc, err := a.fetch(ctx, op, fn)
	if err != nil {
		return err
	}
	return a.print(op, doc)
}

// fetch runs one API operation and returns its document.
func (a *app) fetch(ctx context.Context, op string, fn func(context.Context, pb.ComputeClient) (any, error)) (any, error) {
	c, err := a.client(ctx)
	if err != nil {
		return nil, err
	}
	doc, err := fn(ctx, c)
	if err != nil {
		return nil, callError(op, a.s.endpoint, err)
	}
	return doc, nil
}

// print applies --query and writes doc with the selected printer.
func (a *app) print(title string, doc any) error {
	if doc == nil {
		return nil
	}
	s, err := a.settings()
	if err != nil {
		return err
	}
	if a.g.query != "" {
		if doc, err = applyQuery(a.g.query, doc); err != nil {
			return &usageError{err}
		}
		if doc == nil {
			return printNull(a.env.stdout, s.output)
		}
	}
	p, err := NewPrinter(s.output)
	if err != nil {
		return &usageError{err}
	}
	if _, ok := p.(tablePrinter); ok && a.env.stdoutTTY {
		p = tablePrinter{width: terminalWidth()}
	}
	return p.Print(a.env.stdout, title, doc)
}

// printNull prints a query result of null as the AWS CLI does.
func printNull(w io.Writer, output string) error {
	var err error
	switch output {
	case OutputJSON, OutputYAML:
		_, err = fmt.Fprintln(w, "null")
	case OutputText:
		_, err = fmt.Fprintln(w, "None")
	}
	return err
}
