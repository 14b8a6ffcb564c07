package ctl

import (
	"fmt"

	pb "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
	"github.com/spf13/cobra"
)

// boolAttr is one of the AWS CLI's "top-level boolean" parameters (its
// toplevelbool customization): an EC2 structure {Value: boolean} given as
// --name (true), --no-name (false), or --name with the structure as
// shorthand or JSON (--name Value=false, --name '{"Value":false}').
type boolAttr struct {
	name string
	raw  string // --name's value, NoOptDefVal when given alone
	neg  bool   // --no-name given
	cmd  *cobra.Command
}

// addBoolAttr registers --name and --no-name on cmd.
func addBoolAttr(cmd *cobra.Command, name, usage string) *boolAttr {
	b := &boolAttr{name: name, cmd: cmd}
	f := cmd.Flags()
	f.StringVar(&b.raw, name, "", usage+" (`Value=true|false` shorthand or JSON; alone: true)")
	f.Lookup(name).NoOptDefVal = "Value=true"
	f.BoolVar(&b.neg, "no-"+name, false, "the same as --"+name+" Value=false")
	markOptionalValue(cmd, name)
	return b
}

// value is the request's field: nil when neither flag was given (EC2 then
// leaves the attribute alone), and nil for a structure without Value, which
// the AWS CLI sends as no parameter at all.
func (b *boolAttr) value() (*pb.AttributeBooleanValue, error) {
	pos := b.cmd.Flags().Changed(b.name)
	switch {
	case pos && b.neg:
		return nil, usageErrorf("Cannot specify both the \"--%s\" option and the \"--no-%s\" option.", b.name, b.name)
	case b.neg:
		return &pb.AttributeBooleanValue{Value: false}, nil
	case !pos:
		return nil, nil
	}
	m, err := oneStruct(b.name, b.raw, "one structure Value=true|false")
	if err != nil {
		return nil, &usageError{err}
	}
	f := newFields("AttributeBooleanValue", m, "Value")
	v := f.boolPtr("Value")
	if f.err != nil {
		return nil, &usageError{fmt.Errorf("--%s: %w", b.name, f.err)}
	}
	if v == nil {
		return nil, nil
	}
	return &pb.AttributeBooleanValue{Value: *v}, nil
}

// boolAttrField pairs a boolAttr flag with its request field.
type boolAttrField struct {
	flag *boolAttr
	dst  **pb.AttributeBooleanValue
}

// readBoolAttrs reads each flag into its field, in order.
func readBoolAttrs(fields ...boolAttrField) error {
	for _, f := range fields {
		v, err := f.flag.value()
		if err != nil {
			return err
		}
		*f.dst = v
	}
	return nil
}
