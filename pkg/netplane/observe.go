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
}

// Empty reports whether nothing owned is left.
func (o Observed) Empty() bool {
	return len(o.Bridges)+len(o.VXLANs)+len(o.Taps)+len(o.Dnsmasq)+len(o.StateFiles) == 0
}

// Observe lists the owned devices, processes and state files.
func (p *Plane) Observe() (Observed, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	o := Observed{Dnsmasq: map[string]int{}}
	links, err := p.ownedLinks()
	if err != nil {
		return o, err
	}
	for _, l := range links {
		name := l.Attrs().Name
		switch p.owned(name) {
		case kindBridge:
			o.Bridges = append(o.Bridges, name)
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
