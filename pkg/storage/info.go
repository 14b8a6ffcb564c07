package storage

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
)

// Info describes a volume file and its backing chain.
type Info struct {
	Name        string
	Format      string
	Backing     string // backing file name as stored in the header, "" for none
	VirtualSize int64
	ActualSize  int64    // bytes allocated on disk by this file alone
	Chain       []string // file names, head first
	Encrypted   bool
	Layers      []Layer // one per Chain entry, head first
}

// Layer describes one file of a backing chain.
type Layer struct {
	Name        string
	Format      string
	Backing     string
	VirtualSize int64
	ActualSize  int64
	Encrypted   bool
}

// imgInfo is the subset of `qemu-img info --output=json` this package reads.
type imgInfo struct {
	Filename       string `json:"filename"`
	Format         string `json:"format"`
	VirtualSize    int64  `json:"virtual-size"`
	ActualSize     int64  `json:"actual-size"`
	Backing        string `json:"backing-filename"`
	FullBacking    string `json:"full-backing-filename"`
	Encrypted      bool   `json:"encrypted"`
	DirtyFlag      bool   `json:"dirty-flag"`
	FormatSpecific struct {
		Type string `json:"type"`
		Data struct {
			DataFile string `json:"data-file"`
			Corrupt  bool   `json:"corrupt"`
		} `json:"data"`
	} `json:"format-specific"`
}

// Info reports the volume and its chain. It opens files shared (-U), so it
// works while a VM has the volume open, and needs no key.
func (p *Pool) Info(ctx context.Context, name string) (Info, error) {
	path, err := p.existing(name)
	if err != nil {
		return Info{}, err
	}
	out, err := run(ctx, p.Dir, "info", "--output=json", "--backing-chain", "-U", path)
	if err != nil {
		return Info{}, fmt.Errorf("info %s: %w", name, err)
	}
	var chain []imgInfo
	if err := json.Unmarshal(out, &chain); err != nil {
		return Info{}, fmt.Errorf("info %s: parse: %w", name, err)
	}
	if len(chain) == 0 {
		return Info{}, fmt.Errorf("info %s: empty answer from qemu-img", name)
	}
	return toInfo(name, chain), nil
}

func toInfo(name string, chain []imgInfo) Info {
	head := chain[0]
	info := Info{
		Name:        name,
		Format:      head.Format,
		Backing:     head.Backing,
		VirtualSize: head.VirtualSize,
		ActualSize:  head.ActualSize,
		Encrypted:   head.Encrypted,
	}
	for _, c := range chain {
		l := Layer{
			Name:        filepath.Base(c.Filename),
			Format:      c.Format,
			Backing:     c.Backing,
			VirtualSize: c.VirtualSize,
			ActualSize:  c.ActualSize,
			Encrypted:   c.Encrypted,
		}
		info.Chain = append(info.Chain, l.Name)
		info.Layers = append(info.Layers, l)
	}
	info.Chain[0] = name
	info.Layers[0].Name = name
	return info
}
