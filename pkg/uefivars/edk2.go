package uefivars

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"unicode/utf16"
)

// EDK2 flash layout: a firmware volume header (fvHeaderLen bytes), the
// authenticated variable store header, then variables, each 4-byte
// aligned, until a header without the start ID (erased flash).
const (
	fvHeaderLen    = 0x48
	storeHeaderLen = 0x1c
	varHeaderLen   = 60
	varStartID     = 0x55aa
	// varAdded is the state of a live variable; one in deleted transition
	// (varAdded&^1) stays live until its replacement is added.
	varAdded          = 0x3f
	varInTransition   = 0x3e
	certDBName        = "certdb"
	storeFormatted    = 0x5a
	storeHealthy      = 0xfe
	fvSignatureOffset = 40
)

var (
	// guidNVFS is the firmware volume type of an NV variable store.
	guidNVFS = [16]byte{0x8d, 0x2b, 0xf1, 0xff, 0x96, 0x76, 0x8b, 0x4c, 0xa9, 0x85, 0x27, 0x47, 0x07, 0x5b, 0x4f, 0x50}
	// guidAuthVarStore is gEfiAuthenticatedVariableGuid, the store format
	// with authenticated variable headers.
	guidAuthVarStore = [16]byte{0x78, 0x2c, 0xf3, 0xaa, 0x7b, 0x94, 0x9a, 0x43, 0xa1, 0x80, 0x2e, 0x14, 0x4e, 0xc3, 0x77, 0x92}
	// guidCertDB is the vendor GUID of EDK2's certdb variable, which keeps
	// the certificate digests of time-based authenticated variables.
	guidCertDB = [16]byte{0x6e, 0xe5, 0xbe, 0xd9, 0xdc, 0x75, 0xd9, 0x49, 0xb4, 0xd7, 0xb5, 0x34, 0x21, 0x0f, 0x63, 0x7a}
)

// ErrNotEDK2 is returned for bytes that are not an EDK2 variable store.
var ErrNotEDK2 = errors.New("not an EDK2 authenticated variable store")

// ParseEDK2 reads the live variables of an EDK2 NVRAM file (OVMF_VARS.fd
// and the per-domain copies libvirt makes of it), in store order; the
// certdb variable is not one of them: its digests go to the variables
// they belong to.
func ParseEDK2(b []byte) ([]Var, error) {
	if err := checkEDK2Headers(b); err != nil {
		return nil, err
	}
	var vars []Var
	var certdb []byte
	for off := fvHeaderLen + storeHeaderLen; off+varHeaderLen <= len(b); {
		v, state, next, err := readEDK2Var(b, off)
		if err != nil {
			return nil, err
		}
		if next < 0 {
			break
		}
		switch {
		case state != varAdded && state != varInTransition:
		case v.Name == certDBName && v.GUID == guidCertDB:
			certdb = v.Data
		default:
			vars = supersede(vars, v, state)
		}
		off = next
	}
	if certdb != nil {
		if err := applyCertDB(vars, certdb); err != nil {
			return nil, err
		}
	}
	return vars, nil
}

// checkEDK2Headers checks the firmware volume and variable store headers.
func checkEDK2Headers(b []byte) error {
	if len(b) < fvHeaderLen+storeHeaderLen {
		return fmt.Errorf("%w: %d bytes", ErrNotEDK2, len(b))
	}
	switch {
	case !bytes.Equal(b[16:32], guidNVFS[:]):
		return fmt.Errorf("%w: firmware volume type", ErrNotEDK2)
	case string(b[fvSignatureOffset:fvSignatureOffset+4]) != "_FVH":
		return fmt.Errorf("%w: no _FVH signature", ErrNotEDK2)
	case binary.LittleEndian.Uint16(b[48:50]) != fvHeaderLen:
		return fmt.Errorf("%w: header length %#x", ErrNotEDK2, binary.LittleEndian.Uint16(b[48:50]))
	case !bytes.Equal(b[fvHeaderLen:fvHeaderLen+16], guidAuthVarStore[:]):
		return fmt.Errorf("%w: variable store format", ErrNotEDK2)
	case b[fvHeaderLen+20] != storeFormatted || b[fvHeaderLen+21] != storeHealthy:
		return fmt.Errorf("%w: store not formatted or not healthy", ErrNotEDK2)
	}
	return nil
}

// readEDK2Var reads the variable at off: it, its state and where the next
// one starts (-1 when off holds none: the end of the store).
func readEDK2Var(b []byte, off int) (Var, byte, int, error) {
	h := b[off : off+varHeaderLen]
	if binary.LittleEndian.Uint16(h[0:2]) != varStartID {
		return Var{}, 0, -1, nil
	}
	state := h[2]
	v := Var{Attr: binary.LittleEndian.Uint32(h[4:8])}
	copy(v.Timestamp[:], h[16:32])
	nameLen, dataLen := int(binary.LittleEndian.Uint32(h[36:40])), int(binary.LittleEndian.Uint32(h[40:44]))
	copy(v.GUID[:], h[44:60])
	start := off + varHeaderLen
	if nameLen < 0 || dataLen < 0 || start+nameLen+dataLen > len(b) || nameLen%2 != 0 {
		return Var{}, 0, 0, fmt.Errorf("variable at %#x: sizes %d+%d run past the store", off, nameLen, dataLen)
	}
	v.Name = utf16String(b[start : start+nameLen])
	v.Data = bytes.Clone(b[start+nameLen : start+nameLen+dataLen])
	return v, state, (start + nameLen + dataLen + 3) &^ 3, nil
}

// supersede adds v: a live variable replaces one of the same name and GUID
// in deleted transition, and such a one never replaces a live one.
func supersede(vars []Var, v Var, state byte) []Var {
	for i := range vars {
		if vars[i].Name == v.Name && vars[i].GUID == v.GUID {
			if state == varAdded {
				vars[i] = v
			}
			return vars
		}
	}
	return append(vars, v)
}

// applyCertDB gives each time-based authenticated variable its digest from
// certdb: a UINT32 total size, then per entry a vendor GUID, UINT32 node
// size, name size (in UTF-16 units), digest size, the name, the digest.
func applyCertDB(vars []Var, db []byte) error {
	if len(db) < 4 || int(binary.LittleEndian.Uint32(db)) != len(db) {
		return fmt.Errorf("certdb: bad length")
	}
	for off := 4; off < len(db); {
		if off+28 > len(db) {
			return fmt.Errorf("certdb: entry at %d truncated", off)
		}
		var guid [16]byte
		copy(guid[:], db[off:off+16])
		nameLen := 2 * int(binary.LittleEndian.Uint32(db[off+20:off+24]))
		digestLen := int(binary.LittleEndian.Uint32(db[off+24 : off+28]))
		end := off + 28 + nameLen + digestLen
		if end > len(db) {
			return fmt.Errorf("certdb: entry at %d truncated", off)
		}
		name := utf16String(db[off+28 : off+28+nameLen])
		for i := range vars {
			if vars[i].Name == name && vars[i].GUID == guid {
				vars[i].Digest = bytes.Clone(db[off+28+nameLen : end])
			}
		}
		off = end
	}
	return nil
}

// utf16String decodes UTF-16LE, dropping the terminating NULs.
func utf16String(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	for len(u) > 0 && u[len(u)-1] == 0 {
		u = u[:len(u)-1]
	}
	return string(utf16.Decode(u))
}
