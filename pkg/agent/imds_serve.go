package agent

import (
	"context"
	"errors"
	"fmt"
	"net"
	"slices"

	"github.com/ec2lab/ec2lab/pkg/imds"
	"github.com/ec2lab/ec2lab/pkg/netplane"
)

// bridgeListener is a host service's listener on one bridge (the metadata
// service's, a DNS server's). SO_BINDTODEVICE holds the bridge's interface
// index, so a bridge recreated under the same name needs a new listener.
type bridgeListener struct {
	ifindex int
	cancel  context.CancelFunc
	done    chan struct{}
}

func (s *bridgeListener) alive() bool {
	select {
	case <-s.done:
		return false
	default:
		return true
	}
}

func (s *bridgeListener) stop() {
	s.cancel()
	<-s.done
}

// subnetBridges are the data plane's bridges of subnets.
func subnetBridges(p *netplane.Plane, subnets []netplane.Subnet) []string {
	var out []string
	for _, s := range subnets {
		out = append(out, p.BridgeName(s.ID))
	}
	return out
}

// stopMetadataExcept stops the listeners of bridges not in keep; called
// before the data plane removes those bridges.
func (a *Agent) stopMetadataExcept(keep []string) {
	a.md.serveMu.Lock()
	var stop []*bridgeListener
	for br, s := range a.md.servers {
		if !slices.Contains(keep, br) {
			stop = append(stop, s)
			delete(a.md.servers, br)
			a.log.Info("metadata service stopped", "bridge", br)
		}
	}
	a.md.serveMu.Unlock()
	for _, s := range stop {
		s.stop()
	}
}

// StopMetadata stops every metadata listener of this agent (the bridges
// and their addresses stay); a later SyncNetwork starts them again.
func (a *Agent) StopMetadata() { a.stopMetadataExcept(nil) }

// serveMetadata makes sure every bridge in bridges has a listener on
// 169.254.169.254:80 bound to it; called after the data plane gave the
// bridges that address. A failing bridge does not stop the others.
func (a *Agent) serveMetadata(ctx context.Context, bridges []string) error {
	if len(bridges) == 0 {
		return nil
	}
	a.md.serveMu.Lock()
	defer a.md.serveMu.Unlock()
	if a.md.secret == nil {
		s, err := a.metadataSecret()
		if err != nil {
			return err
		}
		a.md.secret = s
	}
	if a.md.servers == nil {
		a.md.servers = map[string]*bridgeListener{}
	}
	var errs []error
	for _, br := range bridges {
		var ifi *net.Interface
		err := a.inDataPlaneNS(func() (err error) { ifi, err = net.InterfaceByName(br); return err })
		if err != nil {
			errs = append(errs, fmt.Errorf("metadata service on %s: %w", br, err))
			continue
		}
		if s := a.md.servers[br]; s != nil {
			if s.ifindex == ifi.Index && s.alive() {
				continue
			}
			s.stop() // the bridge was recreated, or serving failed
			delete(a.md.servers, br)
		}
		s, err := a.listenMetadata(ctx, br, ifi.Index)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		a.md.servers[br] = s
	}
	return errors.Join(errs...)
}

// listenMetadata opens the listener synchronously (a missing address is
// the caller's error) and serves it until stopped.
func (a *Agent) listenMetadata(ctx context.Context, br string, ifindex int) (*bridgeListener, error) {
	var ln net.Listener
	err := a.inDataPlaneNS(func() (err error) { ln, err = imds.Listen(ctx, imds.Addr, br); return err })
	if err != nil {
		return nil, err
	}
	h := imds.NewHandler(a.md.lookupOn(br), imds.Options{Secret: a.md.secret, Logger: a.log})
	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	s := &bridgeListener{ifindex: ifindex, cancel: cancel, done: make(chan struct{})}
	go func() {
		defer close(s.done)
		if err := imds.ServeListener(sctx, ln, h); err != nil {
			a.log.Warn("metadata service failed", "bridge", br, "err", err)
		}
	}()
	a.log.Info("metadata service started", "bridge", br, "addr", imds.Addr)
	return s, nil
}

// inDataPlaneNS runs fn in the data plane's network namespace (where the
// bridges are; Config.NetNS), or directly when it has none. A listener
// opened there keeps serving in that namespace.
func (a *Agent) inDataPlaneNS(fn func() error) error {
	if a.cfg.NetNS == "" {
		return fn()
	}
	p, err := a.Plane()
	if err != nil {
		return err
	}
	return p.InNetNS(fn)
}
