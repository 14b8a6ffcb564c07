package ec2query

import (
	"encoding/base64"
	"net/url"
	"strconv"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// Encode writes m as Query API parameters, the inverse of what the handler
// parses: lists as Name.N (from 1), structures as Name.Member, booleans as
// true/false, bytes as base64. An empty element of a list of structures has
// no parameters and so does not survive the trip (as on the EC2 wire).
func Encode(m proto.Message) url.Values {
	out := url.Values{}
	encodeMessage(out, "", m.ProtoReflect())
	return out
}

func encodeMessage(out url.Values, prefix string, m protoreflect.Message) {
	m.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := prefix + wireName(fd)
		switch {
		case fd.IsMap():
		case fd.IsList():
			l := v.List()
			for i := 0; i < l.Len(); i++ {
				encodeValue(out, name+"."+strconv.Itoa(i+1), fd, l.Get(i))
			}
		default:
			encodeValue(out, name, fd, v)
		}
		return true
	})
}

func encodeValue(out url.Values, name string, fd protoreflect.FieldDescriptor, v protoreflect.Value) {
	switch fd.Kind() {
	case protoreflect.MessageKind:
		encodeMessage(out, name+".", v.Message())
	case protoreflect.BoolKind:
		if fieldRules[fd.FullName()].presence {
			if v.Bool() {
				out.Set(name, "")
			}
			return
		}
		out.Set(name, strconv.FormatBool(v.Bool()))
	case protoreflect.BytesKind:
		out.Set(name, base64.StdEncoding.EncodeToString(v.Bytes()))
	case protoreflect.StringKind:
		out.Set(name, v.String())
	default: // the integer kinds
		out.Set(name, strconv.FormatInt(v.Int(), 10))
	}
}
