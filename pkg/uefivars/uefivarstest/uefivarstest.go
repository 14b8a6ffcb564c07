// Package uefivarstest builds EDK2 (OVMF) NVRAM files for tests: the
// bytes a UEFI guest's firmware leaves in its variable store.
package uefivarstest

import (
	"bytes"
	"encoding/binary"
	"unicode/utf16"

	"github.com/ec2lab/ec2lab/pkg/uefivars"
)

// Variable states in an EDK2 store.
const (
	Added        = 0x3f // live
	InTransition = 0x3e // being replaced: live until its new copy is added
	Deleted      = 0x3c
)

// Stored is a variable as a store holds it, with its state.
type Stored struct {
	Var   uefivars.Var
	State byte
}

var (
	guidNVFS         = []byte{0x8d, 0x2b, 0xf1, 0xff, 0x96, 0x76, 0x8b, 0x4c, 0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50}
	guidAuthVarStore = []byte{0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43, 0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92}
	// GUIDCertDB is the vendor GUID of EDK2's certdb variable.
	GUIDCertDB = [16]byte{0x6e, 0xe5, 0xbe, 0xd9, 0xdc, 0x75, 0xd9, 0x49, 0xb4, 0xd7, 0xb5, 0x34, 0x21, 0x0f, 0x63, 0x7a}
)

// EDK2Store is a 16 KiB EDK2 NVRAM file holding vars in order, its free
// space erased (0xff).
func EDK2Store(vars []Stored) []byte {
	const fvHeaderLen, storeHeaderLen, varHeaderLen = 0x48, 0x1c, 60
	b := make([]byte, 0x4000)
	copy(b[16:32], guidNVFS)
	binary.LittleEndian.PutUint64(b[32:40], uint64(len(b)))
	copy(b[40:44], "_FVH")
	binary.LittleEndian.PutUint16(b[48:50], fvHeaderLen)
	copy(b[fvHeaderLen:], guidAuthVarStore)
	b[fvHeaderLen+20], b[fvHeaderLen+21] = 0x5a, 0xfe
	off := fvHeaderLen + storeHeaderLen
	for i := off; i < len(b); i++ {
		b[i] = 0xff
	}
	for _, s := range vars {
		name := utf16.Encode([]rune(s.Var.Name + "\x00"))
		h := b[off : off+varHeaderLen]
		binary.LittleEndian.PutUint16(h[0:2], 0x55aa)
		h[2], h[3] = s.State, 0
		binary.LittleEndian.PutUint32(h[4:8], s.Var.Attr)
		clear(h[8:16])
		copy(h[16:32], s.Var.Timestamp[:])
		clear(h[32:36])
		binary.LittleEndian.PutUint32(h[36:40], uint32(2*len(name)))
		binary.LittleEndian.PutUint32(h[40:44], uint32(len(s.Var.Data)))
		copy(h[44:60], s.Var.GUID[:])
		p := off + varHeaderLen
		for i, u := range name {
			binary.LittleEndian.PutUint16(b[p+2*i:], u)
		}
		p += 2 * len(name)
		copy(b[p:], s.Var.Data)
		off = (p + len(s.Var.Data) + 3) &^ 3
	}
	return b
}

// CertDB is EDK2's certdb variable holding one digest, of the variable
// name of vendor guid.
func CertDB(name string, guid [16]byte, digest []byte) uefivars.Var {
	n := utf16.Encode([]rune(name + "\x00"))
	var e bytes.Buffer
	e.Write(guid[:])
	for _, v := range []int{28 + 2*len(n) + len(digest), len(n), len(digest)} {
		_ = binary.Write(&e, binary.LittleEndian, uint32(v))
	}
	_ = binary.Write(&e, binary.LittleEndian, n)
	e.Write(digest)
	data := binary.LittleEndian.AppendUint32(nil, uint32(4+e.Len()))
	return uefivars.Var{Name: "certdb", GUID: GUIDCertDB, Attr: 0x27, Data: append(data, e.Bytes()...)}
}
