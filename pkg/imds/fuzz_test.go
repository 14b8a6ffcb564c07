package imds

import (
	"net/netip"
	"testing"
	"time"
)

// FuzzVerifyToken: a session token validates for the caller it was issued
// to, and never once any byte of it is altered, inserted or removed; an
// arbitrary string never validates.
func FuzzVerifyToken(f *testing.F) {
	f.Add("", uint16(0), byte(1), byte(0))
	f.Add("AAAA.BBBB", uint16(5), byte(0x20), byte(1))
	f.Add("MTc2NDE2MDAwMHwxMC4wLjAuMnxpLTE.x", uint16(200), byte(0), byte(2))
	f.Add("", uint16(47), byte(1), byte(0))
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	h := &handler{opts: Options{Secret: []byte("fuzz-secret-0123456789abcdef0123"), Now: func() time.Time { return now }}}
	inst := Instance{InstanceID: "i-0123456789abcdef0"}
	remote := netip.MustParseAddr("10.0.0.2")
	good := h.signToken(now.Add(time.Hour), inst, remote)
	if _, err := h.verifyToken(good, inst, remote); err != nil {
		f.Fatalf("fresh token refused: %v", err)
	}
	f.Fuzz(func(t *testing.T, arbitrary string, pos uint16, b byte, op byte) {
		if arbitrary != good {
			if _, err := h.verifyToken(arbitrary, inst, remote); err == nil {
				t.Fatalf("arbitrary token %q validated", arbitrary)
			}
		}
		tok := []byte(good)
		i := int(pos) % (len(tok) + 1)
		switch op % 3 {
		case 0: // flip bits of one byte
			if i == len(tok) || b == 0 {
				return
			}
			tok[i] ^= b
		case 1: // insert a byte
			tok = append(tok[:i], append([]byte{b}, tok[i:]...)...)
		case 2: // remove a byte
			if i == len(tok) {
				return
			}
			tok = append(tok[:i], tok[i+1:]...)
		}
		if _, err := h.verifyToken(string(tok), inst, remote); err == nil {
			t.Fatalf("altered token %q (issued %q) validated", tok, good)
		}
	})
}
