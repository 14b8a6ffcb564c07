package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"libvirt.org/go/libvirtxml"
)

// template is the domain XML ec2lab generated for an instance, with what
// a baseline copy needs: the image layer its root disk sits on, its seed
// ISO and the boot marker its guest prints (the copy boots as the same
// instance id: it is in the seed and the XML).
type template struct {
	xml    string
	layer  string
	seed   string
	marker string
}

// loadTemplate reads the root disk's backing layer and the seed ISO out of
// the domain XML ec2lab generated for instance id, and keeps a copy of the
// seed in dir (ec2lab deletes its own on terminate).
func loadTemplate(ctx context.Context, xml, id, dir string) (*template, error) {
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(xml); err != nil {
		return nil, fmt.Errorf("parse ec2lab's domain XML: %w", err)
	}
	t := &template{xml: xml, marker: "EC2LAB-BOOT-OK instance-id=" + id}
	var root string
	for _, d := range dom.Devices.Disks {
		switch {
		case d.Device == "cdrom" && d.Source != nil && d.Source.File != nil:
			t.seed = d.Source.File.File
		case d.Target != nil && d.Target.Dev == "vda" && d.Source != nil && d.Source.File != nil:
			root = d.Source.File.File
		}
	}
	if root == "" || t.seed == "" {
		return nil, fmt.Errorf("domain XML has no file root disk vda (%q) or seed cdrom (%q)", root, t.seed)
	}
	out, err := exec.CommandContext(ctx, "qemu-img", "info", "-U", "--output=json", root).Output()
	if err != nil {
		return nil, fmt.Errorf("qemu-img info %s: %w", root, err)
	}
	var info struct {
		Backing string `json:"full-backing-filename"`
	}
	if err := json.Unmarshal(out, &info); err != nil || info.Backing == "" {
		return nil, fmt.Errorf("root disk %s has no backing layer (%v): %s", root, err, out)
	}
	t.layer = info.Backing
	keep := filepath.Join(dir, "seed-"+id+".iso")
	if err := copyFile(t.seed, keep); err != nil {
		return nil, err
	}
	t.seed = keep
	slog.Info("baseline template", "layer", t.layer, "seed", t.seed, "marker", t.marker)
	return t, nil
}

// baseline is one prepared `virsh create`.
type baseline struct {
	name, xmlPath, logPath string
}

// prepare writes a copy of the template under a new name with no UUID, a
// fresh qcow2 overlay on the same layer as root disk, its own seed ISO
// copy and console log, and no MAC or tap name (libvirt picks new ones).
// A NIC stays a NIC, on the baseline's own bridge: ec2lab removes its
// bridge with its last instance.
func (e *env) prepare(ctx context.Context, t *template) (baseline, error) {
	e.mu.Lock()
	b := baseline{name: fmt.Sprintf("%s%d", e.basePrefix, e.nextDom)}
	e.nextDom++
	e.mu.Unlock()
	dir := filepath.Join(e.tmp, "baseline", b.name)
	if err := os.Mkdir(dir, 0o755); err != nil {
		return b, fmt.Errorf("baseline dir: %w", err)
	}
	overlay, seed := filepath.Join(dir, "root.qcow2"), filepath.Join(dir, "seed.iso")
	b.xmlPath, b.logPath = filepath.Join(dir, "domain.xml"), filepath.Join(dir, "console.log")
	if out, err := exec.CommandContext(ctx, "qemu-img", "create", "-q", "-f", "qcow2",
		"-b", t.layer, "-F", "qcow2", overlay).CombinedOutput(); err != nil {
		return b, fmt.Errorf("qemu-img create overlay: %w: %s", err, out)
	}
	if err := copyFile(t.seed, seed); err != nil {
		return b, err
	}
	var dom libvirtxml.Domain
	if err := dom.Unmarshal(t.xml); err != nil {
		return b, fmt.Errorf("parse template: %w", err)
	}
	dom.Name, dom.UUID, dom.ID, dom.Metadata = b.name, "", nil, nil
	for i := range dom.Devices.Disks {
		d := &dom.Devices.Disks[i]
		switch {
		case d.Device == "cdrom" && d.Source != nil && d.Source.File != nil:
			d.Source.File.File = seed
		case d.Target != nil && d.Target.Dev == "vda":
			d.Source.File.File, d.BackingStore = overlay, nil
		}
	}
	for i := range dom.Devices.Serials {
		if l := dom.Devices.Serials[i].Log; l != nil {
			l.File = b.logPath
		}
	}
	for i := range dom.Devices.Consoles {
		if l := dom.Devices.Consoles[i].Log; l != nil {
			l.File = b.logPath
		}
	}
	for i := range dom.Devices.Interfaces {
		nic := &dom.Devices.Interfaces[i]
		nic.MAC, nic.Target = nil, nil
		if nic.Source != nil && nic.Source.Bridge != nil {
			br, err := e.ensureBridge(ctx)
			if err != nil {
				return b, err
			}
			nic.Source.Bridge.Bridge = br
		}
	}
	xml, err := dom.Marshal()
	if err != nil {
		return b, fmt.Errorf("marshal baseline XML: %w", err)
	}
	if err := os.WriteFile(b.xmlPath, []byte(xml), 0o644); err != nil {
		return b, fmt.Errorf("write baseline XML: %w", err)
	}
	return b, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("copy %s: %w", src, err)
	}
	defer in.Close()
	out, err := os.OpenFile(dst, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("copy to %s: %w", dst, err)
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return fmt.Errorf("copy %s to %s: %w", src, dst, err)
	}
	return out.Close()
}

// virshCreate prepares n baseline domains, then starts them all at once
// with `virsh create` and times the slowest to the command's return
// (domain running) and to the boot marker in its console log. It destroys
// them afterwards.
func (e *env) virshCreate(ctx context.Context, t *template, n int) (timing, error) {
	bs := make([]baseline, n)
	for i := range bs {
		var err error
		if bs[i], err = e.prepare(ctx, t); err != nil {
			return timing{}, err
		}
	}
	defer func() {
		for _, b := range bs {
			e.destroyDomain(context.WithoutCancel(ctx), b.name)
		}
	}()
	ts, errs := make([]timing, n), make([]error, n)
	var wg sync.WaitGroup
	start := time.Now()
	for i, b := range bs {
		wg.Go(func() { ts[i], errs[i] = e.createOne(ctx, b, t.marker, start) })
	}
	wg.Wait()
	var all timing
	for i := range ts {
		if errs[i] != nil {
			return all, errs[i]
		}
		all.running, all.marker = max(all.running, ts[i].running), max(all.marker, ts[i].marker)
	}
	slog.Info("virsh create: done", "n", n)
	return all, nil
}

// createOne runs `virsh create` of b and waits for marker in its log.
func (e *env) createOne(ctx context.Context, b baseline, marker string, start time.Time) (timing, error) {
	var t timing
	e.mu.Lock()
	e.domains[b.name] = true
	e.mu.Unlock()
	if out, err := exec.CommandContext(ctx, "virsh", "-c", libvirtURI, "create", b.xmlPath).CombinedOutput(); err != nil {
		return t, fmt.Errorf("virsh create %s: %w: %s", b.name, err, out)
	}
	t.running = time.Since(start)
	ctx, cancel := context.WithTimeout(ctx, 10*time.Minute)
	defer cancel()
	for {
		if log, err := os.ReadFile(b.logPath); err == nil && strings.Contains(string(log), marker) {
			t.marker = time.Since(start)
			return t, nil
		}
		if err := sleep(ctx, pollEvery); err != nil {
			return t, fmt.Errorf("%s: no %q in %s: %w", b.name, marker, b.logPath, err)
		}
	}
}

// ensureBridge creates, once, the isolated bridge the baseline's NICs join
// (no address, no uplink: guest traffic stays on it).
func (e *env) ensureBridge(ctx context.Context) (string, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.bridge != "" {
		return e.bridge, nil
	}
	br := "bv" + strings.TrimSuffix(strings.TrimPrefix(e.basePrefix, "benchv"), "-")
	for _, args := range [][]string{{"link", "add", "name", br, "type", "bridge"}, {"link", "set", br, "up"}} {
		if out, err := exec.CommandContext(ctx, "ip", args...).CombinedOutput(); err != nil {
			_ = exec.Command("ip", "link", "del", br).Run()
			return "", fmt.Errorf("ip %s: %w: %s", strings.Join(args, " "), err, out)
		}
	}
	e.bridge = br
	return br, nil
}
