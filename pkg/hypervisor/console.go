package hypervisor

import (
	"context"
	"fmt"
	"io"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// OpenConsole attaches to the domain's serial console (taking it over from
// any other session): guest output goes to out, bytes read from in go to the
// guest. It returns when ctx ends, when in reaches EOF, or when the domain
// stops. in may be nil for an output-only session.
func (h *Libvirt) OpenConsole(ctx context.Context, name string, in io.Reader, out io.Writer) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	// go-libvirt ends the stream cleanly when its reader returns EOF; the
	// pipe gives that EOF when ctx ends or in is exhausted.
	pr, pw := io.Pipe()
	go func() {
		<-ctx.Done()
		pw.Close()
	}()
	if in != nil {
		go func() {
			_, err := io.Copy(pw, in)
			pw.CloseWithError(err)
		}()
	}
	flags := uint32(golibvirt.DomainConsoleForce)
	err = h.conn().DomainOpenConsoleBidirectional(d, nil, pr, out, flags)
	if err != nil && ctx.Err() == nil {
		return fmt.Errorf("console of %s: %w", name, err)
	}
	return nil
}
