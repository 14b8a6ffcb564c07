package ec2query

import (
	"net/url"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// fuzzTypes are the request messages the fuzzer builds.
var fuzzTypes = []proto.Message{
	&ec2labv1.RunInstancesRequest{}, &ec2labv1.DescribeInstancesRequest{}, &ec2labv1.CreateTagsRequest{},
	&ec2labv1.DescribeSnapshotsRequest{}, &ec2labv1.RegisterImageRequest{}, &ec2labv1.ImportKeyPairRequest{},
	&ec2labv1.CreateVolumeRequest{}, &ec2labv1.DescribeImagesRequest{}, &ec2labv1.StopInstancesRequest{},
}

// FuzzParse: arbitrary parameters never panic the parser, and a random
// request encoded as parameters parses back equal.
func FuzzParse(f *testing.F) {
	f.Add([]byte("InstanceId.1=i-a&Filter.1.Name=x&Filter.1.Value.1=y"), uint8(0))
	f.Add([]byte("BlockDeviceMapping.1.Ebs.VolumeSize=8&TagSpecification.1.Tag.1.Key=k&UserData=aGk="), uint8(1))
	f.Add([]byte("\x00\x01\x02\x03\xff\xfe\x10\x20abcdef"), uint8(2))
	f.Fuzz(func(t *testing.T, data []byte, kind uint8) {
		typ := fuzzTypes[int(kind)%len(fuzzTypes)]
		if v, err := url.ParseQuery(string(data)); err == nil {
			_ = decodeMessage(newParams(v), "", typ.ProtoReflect().New()) // must not panic
		}
		want := typ.ProtoReflect().New()
		g := &gen{data: data}
		g.message(want, 0)
		wire := Encode(want.Interface()).Encode()
		vals, err := url.ParseQuery(wire)
		if err != nil {
			t.Fatalf("encoded form does not parse: %v", err)
		}
		got := typ.ProtoReflect().New()
		if err := decodeMessage(newParams(vals), "", got); err != nil {
			t.Fatalf("decode %s: %v", wire, err)
		}
		if !proto.Equal(got.Interface(), want.Interface()) {
			t.Fatalf("round trip of %s\ngot  %s\nwant %s", wire, prototext.Format(got.Interface()), prototext.Format(want.Interface()))
		}
	})
}

// gen fills messages deterministically from fuzz bytes. It only builds
// what the wire can carry: no empty list elements of structure type and no
// empty sub-structures.
type gen struct {
	data []byte
	pos  int
}

func (g *gen) byte() byte {
	if g.pos >= len(g.data) {
		return 0
	}
	b := g.data[g.pos]
	g.pos++
	return b
}

func (g *gen) str() string {
	n := int(g.byte() % 12)
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(g.byte())
	}
	return strings.ToValidUTF8(b.String(), "é")
}

// message sets some fields of m and reports whether it set any.
func (g *gen) message(m protoreflect.Message, depth int) bool {
	fields := m.Descriptor().Fields()
	set := false
	for i := 0; i < fields.Len(); i++ {
		fd := fields.Get(i)
		if g.byte()%3 != 0 {
			continue
		}
		switch {
		case fd.IsList():
			list := m.Mutable(fd).List()
			for n := int(g.byte() % 4); n > 0; n-- {
				if v, ok := g.value(list.NewElement, fd, depth); ok {
					list.Append(v)
				}
			}
			if list.Len() == 0 {
				m.Clear(fd)
			}
		case fd.Kind() == protoreflect.MessageKind:
			if depth < 3 && g.message(m.Mutable(fd).Message(), depth+1) {
				break
			}
			m.Clear(fd)
		default:
			v, _ := g.value(nil, fd, depth)
			m.Set(fd, v)
		}
		set = set || m.Has(fd)
	}
	return set
}

func (g *gen) value(newElem func() protoreflect.Value, fd protoreflect.FieldDescriptor, depth int) (protoreflect.Value, bool) {
	switch fd.Kind() {
	case protoreflect.MessageKind:
		v := newElem()
		return v, depth < 3 && g.message(v.Message(), depth+1)
	case protoreflect.StringKind:
		return protoreflect.ValueOfString(g.str()), true
	case protoreflect.BoolKind:
		return protoreflect.ValueOfBool(g.byte()%2 == 1), true
	case protoreflect.Int32Kind:
		return protoreflect.ValueOfInt32(int32(g.byte()) - 100), true
	case protoreflect.Int64Kind:
		return protoreflect.ValueOfInt64(int64(g.byte()) << 33), true
	case protoreflect.BytesKind:
		return protoreflect.ValueOfBytes([]byte(g.str())), true
	}
	return protoreflect.Value{}, false
}
