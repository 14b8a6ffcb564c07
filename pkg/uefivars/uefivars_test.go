package uefivars_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"reflect"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/uefivars"
	"github.com/ec2lab/ec2lab/pkg/uefivars/uefivarstest"
)

var (
	guidGlobal = [16]byte{0x61, 0xdf, 0xe4, 0x8b, 0xca, 0x93, 0xd2, 0x11, 0xaa, 0x0d, 0x00, 0xe0, 0x98, 0x03, 0x2b, 0x8c}
	guidImage  = [16]byte{0xcb, 0xb2, 0x19, 0xd7, 0x3a, 0x3d, 0x96, 0x45, 0xa3, 0xbc, 0xda, 0xd0, 0x0e, 0x67, 0x65, 0x6f}
)

// TestParseEDK2: live variables in store order, a deleted one left out, a
// variable in deleted transition replaced by its new copy, certdb's digest
// given to its variable and certdb itself left out.
func TestParseEDK2(t *testing.T) {
	stamp := [16]byte{0xea, 0x07, 12, 7}
	digest := bytes.Repeat([]byte{0xab}, 32)
	boot := uefivars.Var{Name: "BootOrder", GUID: guidGlobal, Attr: 7, Data: []byte{0, 0, 1, 0}}
	db := uefivars.Var{Name: "db", GUID: guidImage, Attr: 0x27, Data: []byte("signature list"), Timestamp: stamp}
	store := uefivarstest.EDK2Store([]uefivarstest.Stored{
		{Var: uefivars.Var{Name: "Timeout", GUID: guidGlobal, Attr: 7, Data: []byte{5, 0}}, State: uefivarstest.Deleted},
		{Var: uefivars.Var{Name: "BootOrder", GUID: guidGlobal, Attr: 7, Data: []byte{0, 0}}, State: uefivarstest.InTransition},
		{Var: db, State: uefivarstest.Added},
		{Var: uefivarstest.CertDB("db", guidImage, digest), State: uefivarstest.Added},
		{Var: boot, State: uefivarstest.Added},
		{Var: uefivars.Var{Name: "Lang", GUID: guidGlobal, Attr: 7, Data: []byte("eng")}, State: uefivarstest.InTransition},
	})
	got, err := uefivars.ParseEDK2(store)
	if err != nil {
		t.Fatal(err)
	}
	db.Digest = digest
	want := []uefivars.Var{boot, db, {Name: "Lang", GUID: guidGlobal, Attr: 7, Data: []byte("eng")}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("got  %+v\nwant %+v", got, want)
	}
}

// TestParseEDK2Refusals: what is no EDK2 store, or a broken one.
func TestParseEDK2Refusals(t *testing.T) {
	good := uefivarstest.EDK2Store([]uefivarstest.Stored{{Var: uefivars.Var{Name: "Lang", GUID: guidGlobal, Attr: 7, Data: []byte("eng")}, State: uefivarstest.Added}})
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
		{"short", good[:40], uefivars.ErrNotEDK2},
		{"not a volume", broken(func(b []byte) { b[16] = 0 }), uefivars.ErrNotEDK2},
		{"no signature", broken(func(b []byte) { b[40] = 'x' }), uefivars.ErrNotEDK2},
		{"plain variable store", broken(func(b []byte) { b[0x48] = 0 }), uefivars.ErrNotEDK2},
		{"variable past the end", broken(func(b []byte) {
			binary.LittleEndian.PutUint32(b[0x48+0x1c+40:], 1<<20)
		}), nil},
	}
	for _, tt := range tests {
		_, err := uefivars.ParseEDK2(tt.b)
		if err == nil || tt.is != nil && !errors.Is(err, tt.is) {
			t.Errorf("%s: %v, want an error (%v)", tt.name, err, tt.is)
		}
	}
}

// TestAWSRoundTrip: uefivars.EncodeAWS's bytes decode to the same variables, the
// authenticated one with its timestamp and digest; a broken store is
// refused.
func TestAWSRoundTrip(t *testing.T) {
	vars := []uefivars.Var{
		{Name: "BootOrder", GUID: guidGlobal, Attr: 7, Data: []byte{0, 0}},
		{Name: "db", GUID: guidImage, Attr: 0x27, Data: []byte("list"), Timestamp: [16]byte{1}, Digest: bytes.Repeat([]byte{7}, 32)},
		{Name: "dbx", GUID: guidImage, Attr: 0x27, Data: []byte("x")},
		{Name: "Empty", GUID: guidGlobal, Attr: 3, Data: []byte{}},
	}
	b, err := uefivars.EncodeAWS(vars)
	if err != nil {
		t.Fatal(err)
	}
	if string(b[:8]) != "AMZNUEFI" || binary.LittleEndian.Uint32(b[12:16]) != 0 {
		t.Fatalf("header % x", b[:16])
	}
	got, err := uefivars.DecodeAWS(b)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, vars) {
		t.Errorf("got  %+v\nwant %+v", got, vars)
	}
	empty, err := uefivars.EncodeAWS(nil)
	if got, derr := uefivars.DecodeAWS(empty); err != nil || derr != nil || len(got) != 0 {
		t.Errorf("empty store: %v, %v, %v", got, err, derr)
	}
	bad := bytes.Clone(b)
	bad[len(bad)-1] ^= 1
	for name, in := range map[string][]byte{"checksum": bad, "magic": append([]byte("AMZNUEFX"), b[8:]...), "short": b[:10]} {
		if _, err := uefivars.DecodeAWS(in); !errors.Is(err, uefivars.ErrNotAWS) {
			t.Errorf("%s: %v, want uefivars.ErrNotAWS", name, err)
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
	vars, err := uefivars.ParseEDK2(b)
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]uefivars.Var{}
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
				found = v.Attr&uefivars.AttrTimeBasedAuthenticated != 0 && len(v.Data) > 0
			}
		}
		if !found {
			t.Errorf("%s: missing or not time-based authenticated", n)
		}
	}
	enc, err := uefivars.EncodeAWS(vars)
	if err != nil {
		t.Fatal(err)
	}
	if back, err := uefivars.DecodeAWS(enc); err != nil || len(back) != len(vars) {
		t.Errorf("AWS round trip: %d variables, %v; want %d", len(back), err, len(vars))
	}
	t.Logf("%s: %d variables, %d bytes as an AWS store", path, len(vars), len(enc))
}
