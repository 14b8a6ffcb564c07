package ctl

import (
	"bytes"
	"encoding/json"
	"io"
)

// jsonPrinter prints like the AWS CLI: 4-space indent, members in order.
type jsonPrinter struct{}

func (jsonPrinter) Print(w io.Writer, _ string, doc any) error {
	if o, ok := doc.(*Object); ok && o.Len() == 0 {
		return nil
	}
	raw, err := marshalJSON(doc)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "    "); err != nil {
		return err
	}
	buf.WriteByte('\n')
	_, err = w.Write(buf.Bytes())
	return err
}
