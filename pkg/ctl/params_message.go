package ctl

import (
	"sort"
	"strings"

	"google.golang.org/protobuf/reflect/protoreflect"
)

// toMessage fills msg from a parsed structure parameter (JSON or
// shorthand) whose member names are the EC2 model's. It serves messages
// whose fields are named after the model's members (LaunchTemplateData:
// image_id is ImageId): unknown members and wrong types are refused the
// way the AWS CLI refuses them.
func toMessage(m map[string]any, msg protoreflect.Message) error {
	fds := msg.Descriptor().Fields()
	byName := map[string]protoreflect.FieldDescriptor{}
	allowed := make([]string, 0, fds.Len())
	for i := 0; i < fds.Len(); i++ {
		name := memberName(fds.Get(i))
		byName[name] = fds.Get(i)
		allowed = append(allowed, name)
	}
	f := newFields(string(msg.Descriptor().Name()), m, allowed...)
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if f.err != nil {
			break
		}
		if err := setMember(f, msg, byName[k], k); err != nil {
			return err
		}
	}
	return f.err
}

// setMember sets the field fd of msg from member key of f.
func setMember(f *fields, msg protoreflect.Message, fd protoreflect.FieldDescriptor, key string) error {
	switch {
	case fd.IsList() && fd.Kind() == protoreflect.MessageKind:
		list := msg.Mutable(fd).List()
		for _, sm := range f.structs(key) {
			el := list.NewElement()
			if err := toMessage(sm, el.Message()); err != nil {
				return err
			}
			list.Append(el)
		}
	case fd.IsList():
		list := msg.Mutable(fd).List()
		for _, s := range f.strings(key) {
			list.Append(protoreflect.ValueOfString(s))
		}
	case fd.Kind() == protoreflect.MessageKind:
		if sub := f.sub(key); sub != nil {
			return toMessage(sub, msg.Mutable(fd).Message())
		}
	case fd.Kind() == protoreflect.BoolKind:
		if b := f.boolPtr(key); b != nil {
			msg.Set(fd, protoreflect.ValueOfBool(*b))
		}
	case fd.Kind() == protoreflect.Int32Kind:
		msg.Set(fd, protoreflect.ValueOfInt32(f.int32(key)))
	default:
		msg.Set(fd, protoreflect.ValueOfString(f.str(key)))
	}
	return nil
}

// memberName is the EC2 member name of a field: its name in CamelCase.
func memberName(fd protoreflect.FieldDescriptor) string {
	var b strings.Builder
	for _, part := range strings.Split(string(fd.Name()), "_") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}
