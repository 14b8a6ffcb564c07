package hypervisor

import "libvirt.org/go/libvirtxml"

// backingStore is the <backingStore> chain of layers (nearest first),
// ending in an empty element so libvirt probes no further; nil when layers
// is empty (libvirt probes the chain itself).
func backingStore(layers []BackingFile, secretUUID string) *libvirtxml.DomainDiskBackingStore {
	if len(layers) == 0 {
		return nil
	}
	l := layers[0]
	format := l.Format
	if format == "" {
		format = "qcow2"
	}
	src := &libvirtxml.DomainDiskSource{File: &libvirtxml.DomainDiskSourceFile{File: l.Path}}
	if l.Encrypted && secretUUID != "" {
		src.Encryption = luksEncryption(secretUUID)
	}
	next := backingStore(layers[1:], secretUUID)
	if next == nil {
		next = &libvirtxml.DomainDiskBackingStore{}
	}
	return &libvirtxml.DomainDiskBackingStore{
		Format: &libvirtxml.DomainDiskFormat{Type: format}, Source: src, BackingStore: next}
}

func luksEncryption(secretUUID string) *libvirtxml.DomainDiskEncryption {
	return &libvirtxml.DomainDiskEncryption{
		Format:  "luks",
		Secrets: []libvirtxml.DomainDiskSecret{{Type: "passphrase", UUID: secretUUID}},
	}
}
