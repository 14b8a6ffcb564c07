package uefivars

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"reflect"
	"testing"
	"unicode/utf16"
)

var (
	guidGlobal = [16]byte{0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c}
	guidImage  = [16]byte{0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f}
)

// stored is a variable as the test writes it into a store, with its state.
type stored struct {
	v     Var
	state byte
}

// edk2Store builds an EDK2 NVRAM file holding vars, as OVMF writes one.
func edk2Store(vars []stored) []byte {
	b := make([]byte, 0x4000)
	copy(b[16:32], guidNVFS[:])
	binary.LittleEndian.PutUint64(b[32:40], uint64(len(b)))
	copy(b[40:44], "_FVH")
	binary.LittleEndian.PutUint16(b[48:50], fvHeaderLen)
	copy(b[fvHeaderLen:], guidAuthVarStore[:])
	b[fvHeaderLen+20], b[fvHeaderLen+21] = storeFormatted, storeHealthy
	off := fvHeaderLen + storeHeaderLen
	for i := off; i < len(b); i++ {
		b[i] = 0xff // erased flash
	}
	for _, s := range vars {
		name := utf16.Encode([]rune(s.v.Name + "\x00"))
		h := b[off : off+varHeaderLen]
		binary.LittleEndian.PutUint16(h[0:2], varStartID)
		h[2], h[3] = s.state, 0
		binary.LittleEndian.PutUint32(h[4:8], s.v.Attr)
		copy(h[16:32], s.v.Timestamp[:])
		binary.LittleEndian.PutUint32(h[36:40], uint32(2*len(name)))
		binary.LittleEndian.PutUint32(h[40:44], uint32(len(s.v.Data)))
		copy(h[44:60], s.v.GUID[:])
		p := off + varHeaderLen
		for i, u := range name {
			binary.LittleEndian.PutUint16(b[p+2*i:], u)
		}
		p += 2 * len(name)
		copy(b[p:], s.v.Data)
		off = (p + len(s.v.Data) + 3) &^ 3
	}
	return b
}

// certDB is EDK2's certdb variable naming one digest.
func certDB(name string, guid [16]byte, digest []byte) Var {
	n := utf16.Encode([]rune(name + "\x00"))
	var e bytes.Buffer
	e.Write(guid[:])
	for _, v := range []int{28 + 2*len(n) + len(digest), len(n), len(digest)} {
		_ = binary.Write(&e, binary.LittleEndian, uint32(v))
	}
	_ = binary.Write(&e, binary.LittleEndian, n)
	e.Write(digest)
	data := binary.LittleEndian.AppendUint32(nil, uint32(4+e.Len()))
	return Var{Name: certDBName, GUID: guidCertDB, Attr: 0x27, Data: append(data, e.Bytes()...)}
}

// TestParseEDK2: live variables in store order, a deleted one left out, a
// variable in deleted transition replaced by its new copy, certdb's digest
// given to its variable and certdb itself left out.
func TestParseEDK2(t *testing.T) {
	stamp := [16]byte{0xea, 0x07, 12, 7}
	digest := bytes.Repeat([]byte{0xab}, 32)
	boot := Var{Name: "BootOrder", GUID: guidGlobal, Attr: 7, Data: []byte{0, 0, 1, 0}}
	db := Var{Name: "db", GUID: guidImage, Attr: 0x27, Data: []byte("signature list"), Timestamp: stamp}
	store := edk2Store([]stored{
		{Var{Name: "Timeout", GUID: guidGlobal, Attr: 7, Data: []byte{5, 0}}, 0x3c}, // deleted
		{Var{Name: "BootOrder", GUID: guidGlobal, Attr: 7, Data: []byte{0, 0}}, varInTransition},
		{db, varAdded},
		{certDB("db", guidImage, digest), varAdded},
		{boot, varAdded},
		{Var{Name: "Lang", GUID: guidGlobal, Attr: 7, Data: []byte("eng")}, varInTransition},
	})
	got, err := ParseEDK2(store)
	if err != nil {
		t.Fatal(err)
	}
	db.Digest = digest
	want := []Var{boot, db, {Name: "Lang", GUID: guidGlobal, Attr: 7, Data: []byte("eng")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestParseEDK2Refusals: what is no EDK2 store, or a broken one.
func TestParseEDK2Refusals(t *testing.T) {
	good := edk2Store([]stored{{Var{Name: "Lang", GUID: guidGlobal, Attr: 7, Data: []byte("eng")}, varAdded}})
	broken := func(edit func([]byte)) []byte {
		b := bytes.Clone(good)
		edit(b)
		return b
	}
	tests := []struct {
		name string
		b    []byte
		is   error
	}{
		{"short", good[:40], ErrNotEDK2},
		{"not a volume", broken(func(b []byte) { b[16] = 0 }), ErrNotEDK2},
		{"no signature", broken(func(b []byte) { b[40] = 'x' }), ErrNotEDK2},
		{"plain variable store", broken(func(b []byte) { b[fvHeaderLen] = 0 }), ErrNotEDK2},
		{"variable past the end", broken(func(b []byte) {
			binary.LittleEndian.PutUint32(b[fvHeaderLen+storeHeaderLen+40:], 1<<20)
		}), nil},
	}
	for _, tt := range tests {
		_, err := ParseEDK2(tt.b)
		if err == nil || tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v, want an error (%v)", tt.name, err, tt.is)
		}
	}
}

// TestAWSRoundTrip: EncodeAWS's bytes decode to the same variables, the
// authenticated one with its timestamp and digest; a broken store is
// refused.
func TestAWSRoundTrip(t *testing.T) {
	vars := []Var{
		{Name: "BootOrder", GUID: guidGlobal, Attr: 7, Data: []byte{0, 0}},
		{Name: "db", GUID: guidImage, Attr: 0x27, Data: []byte("list"), Timestamp: [16]byte{1}, Digest: bytes.Repeat([]byte{7}, 32)},
		{Name: "dbx", GUID: guidImage, Attr: 0x27, Data: []byte("x")},
		{Name: "Empty", GUID: guidGlobal, Attr: 3, Data: []byte{}},
	}
	b, err := EncodeAWS(vars)
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:8]) != "AMZNUEFI" || binary.LittleEndian.Uint32(b[12:16]) != 0 {
		t.Fatalf("header % x", b[:16])
	}
	got, err := DecodeAWS(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, vars) {
		t.Errorf("got  %+v\nwant %+v", got, vars)
	}
	empty, err := EncodeAWS(nil)
	if got, derr := DecodeAWS(empty); err != nil || derr != nil || len(got) != 0 {
		t.Errorf("empty store: %v, %v, %v", got, err, derr)
	}
	bad := bytes.Clone(b)
	bad[len(bad)-1] ^= 1
	for name, in := range map[string][]byte{"checksum": bad, "magic": append([]byte("AMZNUEFX"), b[8:]...), "short": b[:10]} {
		if _, err := DecodeAWS(in); !errors.Is(err, ErrNotAWS) {
			t.Errorf("%s: %v, want ErrNotAWS", name, err)
		}
	}
}

// TestOVMFVarsFile reads the OVMF variable store templates the host has
// (Debian's ovmf package), when it has them: Microsoft's keys enrolled,
// boot entries, and an AWS store of them decodes to the same.
func TestOVMFVarsFile(t *testing.T) {
	const path = "/usr/share/OVMF/OVMF_VARS_4M.ms.fd"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Skipf("no OVMF template here: %v", err)
	}
	vars, err := ParseEDK2(b)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]Var{}
	for _, v := range vars {
		if _, dup := names[v.Name+string(v.GUID[:])]; dup {
			t.Errorf("%s twice", v.Name)
		}
		names[v.Name+string(v.GUID[:])] = v
	}
	for _, n := range []string{"PK", "KEK", "db", "dbx"} {
		found := false
		for _, v := range vars {
			if v.Name == n {
				found = v.Attr&AttrTimeBasedAuthenticated != 0 && len(v.Data) > 0
			}
		}
		if !found {
			t.Errorf("%s: missing or not time-based authenticated", n)
		}
	}
	enc, err := EncodeAWS(vars)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := DecodeAWS(enc); err != nil || len(back) != len(vars) {
		t.Errorf("AWS round trip: %d variables, %v; want %d", len(back), err, len(vars))
	}
	t.Logf("%s: %d variables, %d bytes as an AWS store", path, len(vars), len(enc))
}
