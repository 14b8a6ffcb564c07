package ctl

import (
	"context"
	"fmt"
	"net"
	"slices"
	"sync/atomic"
	"time"

	"github.com/spf13/pflag"
	"google.golang.org/grpc"
)

// awsGlobalFlags are the AWS CLI's global options people type by habit
// that are not about where to connect or what to print.
type awsGlobalFlags struct {
	noCLIPager      bool
	cliAutoPrompt   bool
	noCLIAutoPrompt bool
	color           string
	noVerifySSL     bool
	noSignRequest   bool
	readTimeout     int
	connectTimeout  int
}

var colorChoices = []string{"on", "off", "auto"}

func (g *awsGlobalFlags) register(f *pflag.FlagSet) {
	f.BoolVar(&g.noCLIPager, "no-cli-pager", false, "accepted for the AWS CLI's sake: ec2ctl never pages its output")
	f.BoolVar(&g.cliAutoPrompt, "cli-auto-prompt", false, "not available: ec2ctl has no auto-prompt (see ec2ctl COMMAND --help)")
	f.BoolVar(&g.noCLIAutoPrompt, "no-cli-auto-prompt", false, "accepted for the AWS CLI's sake: ec2ctl never prompts for a command")
	f.StringVar(&g.color, "color", "auto", "on, off or auto: accepted for the AWS CLI's sake; ec2ctl prints no colour")
	f.BoolVar(&g.noVerifySSL, "no-verify-ssl", false, "with a TLS endpoint (grpcs://, https://), do not verify its certificate")
	f.BoolVar(&g.noSignRequest, "no-sign-request", false, "send no credentials")
	f.IntVar(&g.readTimeout, "cli-read-timeout", 0, "seconds to wait for each answer (0: no limit)")
	f.IntVar(&g.connectTimeout, "cli-connect-timeout", 0, "seconds to wait for a connection (0: the system's limit)")
}

// check refuses what ec2ctl cannot do and values the AWS CLI refuses.
func (g *awsGlobalFlags) check() error {
	switch {
	case g.cliAutoPrompt:
		return usageErrorf("--cli-auto-prompt: ec2ctl has no auto-prompt; give the command and its options " +
			"(ec2ctl help, ec2ctl COMMAND --help, and shell completion: ec2ctl completion --help)")
	case !slices.Contains(colorChoices, g.color):
		return usageErrorf("argument --color: invalid choice: '%s' (choose from 'on', 'off', 'auto')", g.color)
	case g.readTimeout < 0:
		return usageErrorf("argument --cli-read-timeout: must be 0 or more seconds, got %d", g.readTimeout)
	case g.connectTimeout < 0:
		return usageErrorf("argument --cli-connect-timeout: must be 0 or more seconds, got %d", g.connectTimeout)
	}
	return nil
}

// readTimeoutError is a call that got no answer within --cli-read-timeout.
type readTimeoutError struct{ endpoint string }

func (e *readTimeoutError) Error() string {
	return fmt.Sprintf("Read timeout on endpoint URL: %q", e.endpoint)
}

// readTimeoutInterceptor gives each unary call --cli-read-timeout: the
// call is cancelled when no answer came in time (a timer rather than a
// deadline, so that the server's own end of the deadline cannot race it
// and the error is told apart from others).
func readTimeoutInterceptor(d time.Duration, endpoint string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn,
		invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
		callCtx, cancel := context.WithCancel(ctx)
		defer cancel()
		var timedOut atomic.Bool
		timer := time.AfterFunc(d, func() { timedOut.Store(true); cancel() })
		defer timer.Stop()
		err := invoker(callCtx, method, req, reply, cc, opts...)
		if err != nil && timedOut.Load() && ctx.Err() == nil {
			return &readTimeoutError{endpoint}
		}
		return err
	}
}

// timeoutDialer bounds each connection attempt of dial by d.
func timeoutDialer(dial func(ctx context.Context, addr string) (net.Conn, error), d time.Duration) func(ctx context.Context, addr string) (net.Conn, error) {
	if dial == nil {
		nd := &net.Dialer{}
		dial = func(ctx context.Context, addr string) (net.Conn, error) { return nd.DialContext(ctx, "tcp", addr) }
	}
	return func(ctx context.Context, addr string) (net.Conn, error) {
		ctx, cancel := context.WithTimeout(ctx, d)
		defer cancel()
		return dial(ctx, addr)
	}
}
