package storage

import "strings"

// opened describes how to name an image to qemu-img: either "-f fmt path"
// or, when a key is needed, --object + --image-opts with one key-secret per
// encrypted layer of the chain.
type opened struct {
	args   []string // image arguments, to be placed last
	object []string // --object …, placed first
	opts   bool     // true when --image-opts is used
	sec    *secret
}

func (o *opened) Close() { o.sec.Close() }

// openInfo prepares the arguments for the image info names, with its
// backing chain. Without a key, or with a plain chain, the image is named
// as a file.
func (p *Pool) openInfo(info Info, key []byte) (*opened, error) {
	path := p.Path(info.Name)
	if len(key) == 0 || !anyEncrypted(info) {
		return &opened{args: []string{"-f", info.Format, path}}, nil
	}
	sec, err := newSecret(key)
	if err != nil {
		return nil, err
	}
	opts := []string{"driver=" + info.Format, "file.filename=" + optEscape(path)}
	for i, l := range info.Layers {
		if l.Encrypted {
			opts = append(opts, strings.Repeat("backing.", i)+"encrypt.key-secret=sec0")
		}
	}
	return &opened{
		args:   []string{"--image-opts", strings.Join(opts, ",")},
		object: sec.objectArgs(),
		opts:   true,
		sec:    sec,
	}, nil
}

func anyEncrypted(info Info) bool {
	for _, l := range info.Layers {
		if l.Encrypted {
			return true
		}
	}
	return false
}

// cmd assembles: sub, object, extra, image.
func (o *opened) cmd(sub string, extra ...string) []string {
	args := append([]string{sub}, o.object...)
	args = append(args, extra...)
	return append(args, o.args...)
}
