package throttle

import (
	"strings"

	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// FromProto is the Request of a call to action with message m, as both
// edges decode it: a non-mutating call is filtered when it names IDs or
// names, filters or a page; a lifecycle call acts on max_count instances
// (RunInstances) or on its instance_ids.
func FromProto(account, action string, m proto.Message) Request {
	r := Request{Account: account, Action: action}
	if m == nil {
		return r
	}
	msg := m.ProtoReflect()
	msg.Range(func(fd protoreflect.FieldDescriptor, v protoreflect.Value) bool {
		name := string(fd.Name())
		switch {
		case name == "filters", name == "max_results", name == "next_token",
			fd.IsList() && (strings.HasSuffix(name, "_ids") || strings.HasSuffix(name, "names")):
			r.Filtered = true
		}
		switch {
		case name == "max_count" && fd.Kind() == protoreflect.Int32Kind:
			r.Instances = int(v.Int())
		case name == "instance_ids" && fd.IsList():
			r.Instances = v.List().Len()
		}
		return true
	})
	if action == "RunInstances" && r.Instances == 0 { // MaxCount defaults to MinCount, at least 1
		r.Instances = 1
	}
	return r
}
