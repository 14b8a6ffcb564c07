package hypervisor

import (
	"strings"
	"testing"
)

func TestDiskXMLEncryptedBackingChain(t *testing.T) {
	const uuid = "6f1c5a2e-0000-4000-8000-000000000002"
	disk := Disk{Path: "/pool/vol-1.snap-2.qcow2", Target: "vdb", SecretUUID: uuid, Backing: []BackingFile{
		{Path: "/pool/vol-1.0.qcow2", Encrypted: true},
		{Path: "/pool/snap-0.qcow2"},
	}}
	d := parse(t, DomainSpec{Name: "x", DomainType: "qemu", VCPUs: 1, MemoryMiB: 64, Disks: []Disk{disk}})
	x := virtioDisks(d)[0]
	b1 := x.BackingStore
	if b1 == nil || b1.Source.File.File != "/pool/vol-1.0.qcow2" || b1.Format.Type != "qcow2" {
		t.Fatalf("first backing = %+v", b1)
	}
	if e := b1.Source.Encryption; e == nil || e.Format != "luks" || e.Secrets[0].UUID != uuid {
		t.Errorf("encrypted layer's encryption = %+v", e)
	}
	b2 := b1.BackingStore
	if b2 == nil || b2.Source.File.File != "/pool/snap-0.qcow2" || b2.Source.Encryption != nil {
		t.Fatalf("second backing = %+v", b2)
	}
	if t3 := b2.BackingStore; t3 == nil || (t3.Source != nil && t3.Source.File != nil) {
		t.Errorf("chain not terminated: %+v", b2.BackingStore)
	}
	plain, err := DiskXML(Disk{Path: "/pool/a.qcow2", Target: "vdc"})
	if err != nil || strings.Contains(plain, "backingStore") {
		t.Errorf("plain disk XML has a backing store (err %v): %s", err, plain)
	}
}
