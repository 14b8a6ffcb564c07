package ctl

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Printer writes one command result. title is the API operation name
// (the table title, as in the AWS CLI); doc is a document made of
// *Object, []any and scalars.
type Printer interface {
	Print(w io.Writer, title string, doc any) error
}

// Output formats.
const (
	OutputJSON  = "json"
	OutputYAML  = "yaml"
	OutputTable = "table"
	OutputText  = "text"
)

// NewPrinter returns the printer for an --output value.
func NewPrinter(format string) (Printer, error) {
	switch format {
	case OutputJSON:
		return jsonPrinter{}, nil
	case OutputYAML:
		return yamlPrinter{}, nil
	case OutputTable:
		return tablePrinter{}, nil
	case OutputText:
		return textPrinter{}, nil
	}
	return nil, fmt.Errorf("invalid --output %q: valid choices are json, yaml, table, text", format)
}

// scalarString renders a scalar the way the AWS CLI's text and table
// formats do (Python's str()).
func scalarString(v any) string {
	switch t := v.(type) {
	case nil:
		return "None"
	case string:
		return t
	case bool:
		if t {
			return "True"
		}
		return "False"
	case int64:
		return strconv.FormatInt(t, 10)
	case float64:
		if t == float64(int64(t)) && !strings.ContainsAny(strconv.FormatFloat(t, 'g', -1, 64), "e") {
			return strconv.FormatInt(int64(t), 10)
		}
		return strconv.FormatFloat(t, 'g', -1, 64)
	}
	return fmt.Sprint(v)
}

func isScalar(v any) bool {
	switch v.(type) {
	case *Object, []any:
		return false
	}
	return true
}
