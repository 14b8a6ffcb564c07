package uefivars

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// EC2's variable store: the magic "AMZNUEFI", a CRC-32C of the rest, a
// version (0), then a zlib stream of: the variable count (UINT64), and per
// variable its name (UTF-8) and data, each a UINT64 length and the bytes,
// its 16-byte GUID, UINT32 attributes and, for time-based authenticated
// variables, its 16-byte timestamp and digest (UINT64 length and bytes;
// zeros when it has none). Integers are little-endian.
const (
	awsMagic   = "AMZNUEFI"
	awsVersion = 0
	// emptyDigestLen is the length of the all-zero digest EC2 writes for a
	// time-based authenticated variable without one.
	emptyDigestLen = 32
	// maxAWSVars bounds a decoded store's count (a 540 KiB store holds far
	// fewer).
	maxAWSVars = 1 << 16
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// ErrNotAWS is returned for bytes that are not EC2's variable store.
var ErrNotAWS = errors.New("not an AMZNUEFI variable store")

// EncodeAWS writes vars in EC2's variable store format.
func EncodeAWS(vars []Var) ([]byte, error) {
	var raw bytes.Buffer
	writeU64(&raw, uint64(len(vars)))
	for _, v := range vars {
		writeBytes(&raw, []byte(v.Name))
		writeBytes(&raw, v.Data)
		raw.Write(v.GUID[:])
		_ = binary.Write(&raw, binary.LittleEndian, v.Attr)
		if v.Attr&AttrTimeBasedAuthenticated != 0 {
			raw.Write(v.Timestamp[:])
			digest := v.Digest
			if digest == nil {
				digest = make([]byte, emptyDigestLen)
			}
			writeBytes(&raw, digest)
		}
	}
	var body bytes.Buffer
	_ = binary.Write(&body, binary.LittleEndian, uint32(awsVersion))
	zw, err := zlib.NewWriterLevel(&body, zlib.BestCompression)
	if err != nil {
		return nil, err
	}
	if _, err := zw.Write(raw.Bytes()); err != nil {
		return nil, fmt.Errorf("compress variables: %w", err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("compress variables: %w", err)
	}
	out := bytes.NewBufferString(awsMagic)
	_ = binary.Write(out, binary.LittleEndian, crc32.Checksum(body.Bytes(), castagnoli))
	out.Write(body.Bytes())
	return out.Bytes(), nil
}

// DecodeAWS reads EC2's variable store format.
func DecodeAWS(b []byte) ([]Var, error) {
	if len(b) < 16 || string(b[:8]) != awsMagic {
		return nil, ErrNotAWS
	}
	if crc32.Checksum(b[12:], castagnoli) != binary.LittleEndian.Uint32(b[8:12]) {
		return nil, fmt.Errorf("%w: checksum mismatch", ErrNotAWS)
	}
	if v := binary.LittleEndian.Uint32(b[12:16]); v != awsVersion {
		return nil, fmt.Errorf("%w: version %d", ErrNotAWS, v)
	}
	zr, err := zlib.NewReader(bytes.NewReader(b[16:]))
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAWS, err)
	}
	raw, err := io.ReadAll(zr)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAWS, err)
	}
	return decodeAWSVars(&reader{b: raw})
}

func decodeAWSVars(r *reader) ([]Var, error) {
	n := r.u64()
	if n > maxAWSVars {
		return nil, fmt.Errorf("%w: %d variables", ErrNotAWS, n)
	}
	vars := make([]Var, 0, n)
	for range n {
		v := Var{Name: string(r.bytes()), Data: r.bytes()}
		copy(v.GUID[:], r.next(16))
		v.Attr = uint32(r.u32())
		if v.Attr&AttrTimeBasedAuthenticated != 0 {
			copy(v.Timestamp[:], r.next(16))
			v.Digest = r.bytes()
			if bytes.Equal(v.Digest, make([]byte, emptyDigestLen)) {
				v.Digest = nil
			}
		}
		vars = append(vars, v)
	}
	if r.err != nil {
		return nil, fmt.Errorf("%w: %v", ErrNotAWS, r.err)
	}
	return vars, nil
}

func writeU64(w *bytes.Buffer, v uint64) { _ = binary.Write(w, binary.LittleEndian, v) }

func writeBytes(w *bytes.Buffer, b []byte) {
	writeU64(w, uint64(len(b)))
	w.Write(b)
}

// reader reads little-endian fields, remembering the first overrun.
type reader struct {
	b   []byte
	err error
}

func (r *reader) next(n int) []byte {
	if r.err != nil || n < 0 || n > len(r.b) {
		if r.err == nil {
			r.err = io.ErrUnexpectedEOF
		}
		return make([]byte, max(n, 0))
	}
	out := r.b[:n]
	r.b = r.b[n:]
	return out
}

func (r *reader) u64() uint64 { return binary.LittleEndian.Uint64(r.next(8)) }
func (r *reader) u32() uint64 { return uint64(binary.LittleEndian.Uint32(r.next(4))) }

func (r *reader) bytes() []byte {
	n := r.u64()
	if n > uint64(len(r.b)) {
		r.err = io.ErrUnexpectedEOF
		return nil
	}
	return bytes.Clone(r.next(int(n)))
}
