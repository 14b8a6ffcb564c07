// Command ec2ctl is the command-line client of ec2lab, shaped like `aws ec2`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/ec2lab/ec2lab/pkg/ctl"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := ctl.Run(ctx, ctl.NewRootCommand(), os.Args[1:])
	stop()
	os.Exit(code)
}
