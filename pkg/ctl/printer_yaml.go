package ctl

import (
	"io"

	"go.yaml.in/yaml/v3"
)

// yamlPrinter prints the document as YAML, members in order.
type yamlPrinter struct{}

func (yamlPrinter) Print(w io.Writer, _ string, doc any) error {
	if o, ok := doc.(*Object); ok && o.Len() == 0 {
		return nil
	}
	enc := yaml.NewEncoder(w)
	enc.SetIndent(2)
	if err := enc.Encode(yamlNode(doc)); err != nil {
		return err
	}
	return enc.Close()
}

func yamlNode(v any) *yaml.Node {
	switch t := v.(type) {
	case *Object:
		n := &yaml.Node{Kind: yaml.MappingNode}
		for _, k := range t.keys {
			n.Content = append(n.Content, yamlScalar(k), yamlNode(t.vals[k]))
		}
		return n
	case []any:
		n := &yaml.Node{Kind: yaml.SequenceNode}
		for _, e := range t {
			n.Content = append(n.Content, yamlNode(e))
		}
		return n
	case string:
		return yamlScalar(t)
	case nil:
		return &yaml.Node{Kind: yaml.ScalarNode, Tag: "!!null", Value: "null"}
	}
	n := &yaml.Node{}
	_ = n.Encode(v)
	return n
}

func yamlScalar(s string) *yaml.Node {
	n := &yaml.Node{}
	_ = n.Encode(s)
	return n
}
