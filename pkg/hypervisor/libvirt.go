package hypervisor

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	golibvirt "github.com/digitalocean/go-libvirt"
)

// DefaultURI is the local system libvirtd.
const DefaultURI = "qemu:///system"

// Libvirt implements Hypervisor over a go-libvirt connection
// (qemu:///system through /run/libvirt/libvirt-sock, or qemu+tcp://host/system)
// that it redials whenever libvirtd goes away (see keepConnected).
type Libvirt struct {
	uri  string
	dial func() (*golibvirt.Libvirt, error)
	done chan struct{} // closed by Close

	mu     sync.RWMutex
	l      *golibvirt.Libvirt
	events *eventHub // the current connection's subscription
	closed bool
}

var _ Hypervisor = (*Libvirt)(nil)

// Connect dials libvirtd at uri (DefaultURI when empty).
func Connect(ctx context.Context, uri string) (*Libvirt, error) {
	if uri == "" {
		uri = DefaultURI
	}
	u, err := url.Parse(uri)
	if err != nil {
		return nil, fmt.Errorf("libvirt URI %q: %w", uri, err)
	}
	h := &Libvirt{uri: uri, done: make(chan struct{}),
		dial: func() (*golibvirt.Libvirt, error) { return golibvirt.ConnectToURI(u) }}
	l, err := call(ctx, h.dial)
	if err != nil {
		return nil, fmt.Errorf("connect %s: %w", uri, err)
	}
	h.use(l)
	go h.keepConnected()
	return h, nil
}

// Raw exposes the current go-libvirt client for calls outside the interface.
func (h *Libvirt) Raw() *golibvirt.Libvirt { return h.conn() }

// call runs fn (a go-libvirt call, which takes no context) so that the
// caller returns when ctx ends; fn itself finishes in the background.
func call[T any](ctx context.Context, fn func() (T, error)) (T, error) {
	var zero T
	if err := ctx.Err(); err != nil {
		return zero, err
	}
	type result struct {
		v   T
		err error
	}
	ch := make(chan result, 1)
	go func() {
		v, err := fn()
		ch <- result{v, err}
	}()
	select {
	case r := <-ch:
		return r.v, r.err
	case <-ctx.Done():
		return zero, ctx.Err()
	}
}

// do is call for functions that only return an error.
func do(ctx context.Context, fn func() error) error {
	_, err := call(ctx, func() (struct{}, error) { return struct{}{}, fn() })
	return err
}

func (h *Libvirt) lookup(ctx context.Context, name string) (golibvirt.Domain, error) {
	d, err := call(ctx, func() (golibvirt.Domain, error) { return h.conn().DomainLookupByName(name) })
	if golibvirt.IsNotFound(err) {
		return d, fmt.Errorf("domain %s: %w", name, ErrNotFound)
	}
	if err != nil {
		return d, fmt.Errorf("look up domain %s: %w", name, err)
	}
	return d, nil
}

func isCode(err error, code golibvirt.ErrorNumber) bool {
	var e golibvirt.Error
	return errors.As(err, &e) && e.Code == uint32(code)
}

// Define creates or replaces the persistent definition of spec.Name.
func (h *Libvirt) Define(ctx context.Context, spec DomainSpec) error {
	x, err := BuildDomainXML(spec)
	if err != nil {
		return err
	}
	if _, err := call(ctx, func() (golibvirt.Domain, error) {
		return h.conn().DomainDefineXMLFlags(x, golibvirt.DomainDefineValidate)
	}); err != nil {
		return fmt.Errorf("define %s: %w", spec.Name, err)
	}
	return nil
}

// Start boots a defined domain.
func (h *Libvirt) Start(ctx context.Context, name string) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := do(ctx, func() error { return h.conn().DomainCreate(d) }); err != nil {
		return fmt.Errorf("start %s: %w", name, err)
	}
	return nil
}

// Destroy forces the domain off; a domain already off or gone is no error.
func (h *Libvirt) Destroy(ctx context.Context, name string) error {
	d, err := h.lookup(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	err = do(ctx, func() error { return h.conn().DomainDestroyFlags(d, golibvirt.DomainDestroyDefault) })
	if err != nil && !isCode(err, golibvirt.ErrOperationInvalid) {
		return fmt.Errorf("destroy %s: %w", name, err)
	}
	return nil
}

// Reboot asks the guest to reboot through ACPI.
func (h *Libvirt) Reboot(ctx context.Context, name string) error {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return err
	}
	if err := do(ctx, func() error { return h.conn().DomainReboot(d, golibvirt.DomainRebootAcpiPowerBtn) }); err != nil {
		return fmt.Errorf("reboot %s: %w", name, err)
	}
	return nil
}

// Undefine removes the definition; an absent domain is no error.
func (h *Libvirt) Undefine(ctx context.Context, name string) error {
	d, err := h.lookup(ctx, name)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	flags := golibvirt.DomainUndefineManagedSave | golibvirt.DomainUndefineNvram
	err = do(ctx, func() error { return h.conn().DomainUndefineFlags(d, flags) })
	if err != nil && !golibvirt.IsNotFound(err) {
		return fmt.Errorf("undefine %s: %w", name, err)
	}
	return nil
}

// XML returns the live XML (the persistent one when the domain is off).
func (h *Libvirt) XML(ctx context.Context, name string) (string, error) {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return "", err
	}
	return h.xmlOf(ctx, d, 0)
}

func (h *Libvirt) xmlOf(ctx context.Context, d golibvirt.Domain, flags golibvirt.DomainXMLFlags) (string, error) {
	x, err := call(ctx, func() (string, error) { return h.conn().DomainGetXMLDesc(d, flags) })
	if golibvirt.IsNotFound(err) {
		return "", fmt.Errorf("domain %s: %w", d.Name, ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("XML of %s: %w", d.Name, err)
	}
	return x, nil
}

// Get returns a domain's state and metadata.
func (h *Libvirt) Get(ctx context.Context, name string) (Domain, error) {
	d, err := h.lookup(ctx, name)
	if err != nil {
		return Domain{}, err
	}
	return h.describe(ctx, d)
}

func (h *Libvirt) describe(ctx context.Context, d golibvirt.Domain) (Domain, error) {
	st, err := h.state(ctx, d)
	if err != nil {
		return Domain{}, err
	}
	x, err := h.xmlOf(ctx, d, 0)
	if err != nil {
		return Domain{}, err
	}
	md, err := ParseMetadata(x)
	if err != nil {
		return Domain{}, fmt.Errorf("domain %s: %w", d.Name, err)
	}
	return Domain{Name: d.Name, State: st, Metadata: md}, nil
}

// List returns the domains whose names start with prefix.
func (h *Libvirt) List(ctx context.Context, prefix string) ([]Domain, error) {
	flags := golibvirt.ConnectListDomainsActive | golibvirt.ConnectListDomainsInactive
	doms, err := call(ctx, func() ([]golibvirt.Domain, error) {
		ds, _, err := h.conn().ConnectListAllDomains(1, flags)
		return ds, err
	})
	if err != nil {
		return nil, fmt.Errorf("list domains: %w", err)
	}
	var out []Domain
	for _, d := range doms {
		if !strings.HasPrefix(d.Name, prefix) {
			continue
		}
		dom, err := h.describe(ctx, d)
		if errors.Is(err, ErrNotFound) {
			continue // went away while listing
		}
		if err != nil {
			return nil, err
		}
		out = append(out, dom)
	}
	return out, nil
}

// LibVersion is libvirtd's version ("9.0.0").
func (h *Libvirt) LibVersion(ctx context.Context) (string, error) {
	v, err := call(ctx, h.conn().ConnectGetLibVersion)
	if err != nil {
		return "", fmt.Errorf("libvirt version: %w", err)
	}
	return fmt.Sprintf("%d.%d.%d", v/1000000, v/1000%1000, v%1000), nil
}
