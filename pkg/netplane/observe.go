package netplane

import (
	"fmt"
	"sort"
)

// Observed is what a Plane owns on the host right now.
type Observed struct {
	Bridges []string
	VXLANs  []string
	Taps    []string
	// Dnsmasq maps bridge name to the pid of its dnsmasq.
	Dnsmasq map[string]int
	// StateFiles are the files left in StateDir.
	StateFiles []string
	// Zones maps bridge name to its conntrack zone.
	Zones map[string]uint16
	// Edge reports the edge table (EdgeTable) present.
	Edge bool
	// Routes lists the zones whose return-route rule (fwmark → table)
	// exists.
	Routes []uint16
}

// Empty reports whether nothing owned is left.
func (o Observed) Empty() bool {
	return len(o.Bridges)+len(o.VXLANs)+len(o.Taps)+len(o.Dnsmasq)+len(o.StateFiles)+len(o.Routes) == 0 && !o.Edge
}

// Observe lists the owned devices, processes and state files.
func (p *Plane) Observe() (Observed, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	o := Observed{Dnsmasq: map[string]int{}, Zones: map[string]uint16{}}
	links, err := p.ownedLinks()
	if err != nil {
		return o, err
	}
	for _, l := range links {
		name := l.Attrs().Name
		switch p.owned(name) {
		case kindBridge:
			o.Bridges = append(o.Bridges, name)
			if z := zoneOf(l); z != 0 {
				o.Zones[name] = z
			}
		case kindVXLAN:
			o.VXLANs = append(o.VXLANs, name)
		case kindTap:
			o.Taps = append(o.Taps, name)
		}
	}
	procs, err := p.runningDnsmasq()
	if err != nil {
		return o, err
	}
	for br, proc := range procs {
		o.Dnsmasq[br] = proc.pid
	}
	if o.Edge, err = p.edge.Present(); err != nil {
		return o, err
	}
	used, err := p.usedZones()
	if err != nil {
		return o, err
	}
	if o.Routes, err = p.routeZones(used); err != nil {
		return o, err
	}
	o.StateFiles, err = p.stateFiles()
	sort.Strings(o.Bridges)
	return o, err
}

func (p *Plane) stateFiles() ([]string, error) {
	entries, err := readDirIfExists(p.cfg.StateDir)
	if err != nil {
		return nil, fmt.Errorf("read state dir: %w", err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out, nil
}
