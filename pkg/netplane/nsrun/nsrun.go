// Package nsrun runs code inside a network namespace: what the thread
// that opens /proc/sys/net, a socket or a netlink handle is in decides the
// namespace it works in.
package nsrun

import (
	"fmt"
	"runtime"

	"github.com/vishvananda/netns"
)

// Run runs fn on an OS thread switched into ns, or at once on the caller's
// goroutine when ns is not open (the host's own namespace). Sockets fn
// opens stay in ns when used from any thread later.
func Run(ns netns.NsHandle, fn func() error) error {
	if !ns.IsOpen() {
		return fn()
	}
	errc := make(chan error, 1)
	go func() {
		// Never unlocked: the thread, left in ns, exits with the goroutine.
		runtime.LockOSThread()
		if err := netns.Set(ns); err != nil {
			errc <- fmt.Errorf("enter netns: %w", err)
			return
		}
		errc <- fn()
	}()
	return <-errc
}
