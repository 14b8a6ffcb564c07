package ec2query

import (
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
)

// strictUnder makes a refuse, rather than ignore, a parameter under any
// of the wire prefixes that names no field of its request: an EC2 member
// ec2lab does not model (LaunchTemplateData.CpuOptions.CoreCount) is
// answered UnsupportedOperation, never dropped.
func strictUnder(a action, prefixes ...string) action {
	a.strict = prefixes
	return a
}

// checkStrict applies a's strict prefixes to the request's parameters.
func checkStrict(a action, p *params, md protoreflect.MessageDescriptor) error {
	for _, prefix := range a.strict {
		for _, k := range p.withPrefix(prefix + ".") {
			if !knownPath(md, strings.Split(k, ".")) {
				return ec2err.New(ec2err.UnsupportedOperation, "The parameter %s is not supported by ec2lab.", clip(k))
			}
		}
	}
	return nil
}

// knownPath reports whether the wire path segs (Name, Name.N, Name.Member,
// …) names a field of md.
func knownPath(md protoreflect.MessageDescriptor, segs []string) bool {
	if len(segs) == 0 {
		return false
	}
	fd := fieldByWireName(md, segs[0])
	if fd == nil || fd.IsMap() {
		return false
	}
	rest := segs[1:]
	if fd.IsList() {
		if len(rest) == 0 {
			return false
		}
		rest = rest[1:] // the index, which the decoder checks
	}
	if fd.Kind() == protoreflect.MessageKind {
		return len(rest) > 0 && knownPath(fd.Message(), rest)
	}
	return len(rest) == 0
}

func fieldByWireName(md protoreflect.MessageDescriptor, name string) protoreflect.FieldDescriptor {
	fields := md.Fields()
	for i := 0; i < fields.Len(); i++ {
		if wireName(fields.Get(i)) == name {
			return fields.Get(i)
		}
	}
	return nil
}
