// Package cloudinit owns the NoCloud seed a guest reads at first boot: the
// meta-data document and an ISO 9660 volume labelled "cidata" holding it
// together with the user's user-data.
package cloudinit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"
)

// MaxUserData is the EC2 limit on user-data, in bytes.
const MaxUserData = 16 * 1024

// MetaData is what the guest learns about itself from the seed.
type MetaData struct {
	InstanceID       string
	Hostname         string
	AvailabilityZone string
	Region           string
	InstanceType     string
	ImageID          string
	PublicKeys       []string
}

// field is one meta-data key and its value, in output order.
type field struct{ key, value string }

func (md MetaData) fields() []field {
	return []field{
		{"instance-id", md.InstanceID},
		{"local-hostname", md.Hostname},
		{"availability-zone", md.AvailabilityZone},
		{"region", md.Region},
		{"instance-type", md.InstanceType},
		{"image-id", md.ImageID},
	}
}

// RenderMetaData returns the meta-data YAML. Every value is written as a
// double-quoted scalar (JSON string syntax, which YAML accepts), so no value
// can add keys or change the document's structure. Empty optional values
// are left out.
func RenderMetaData(md MetaData) []byte {
	var b bytes.Buffer
	for _, f := range md.fields() {
		if f.value != "" || f.key == "instance-id" {
			fmt.Fprintf(&b, "%s: %s\n", f.key, quote(f.value))
		}
	}
	if len(md.PublicKeys) > 0 {
		b.WriteString("public-keys:\n")
		for _, k := range md.PublicKeys {
			fmt.Fprintf(&b, "  - %s\n", quote(k))
		}
	}
	return b.Bytes()
}

func quote(s string) string {
	q, _ := json.Marshal(s) // a string always marshals
	return string(q)
}

// Validate rejects meta-data a guest could misread: a missing instance ID,
// and control characters (newlines above all) in any value.
func (md MetaData) Validate() error {
	if strings.TrimSpace(md.InstanceID) == "" {
		return fmt.Errorf("meta-data: instance-id is required")
	}
	for _, f := range md.fields() {
		if err := oneLine(f.key, f.value); err != nil {
			return err
		}
	}
	for i, k := range md.PublicKeys {
		if err := oneLine(fmt.Sprintf("public-keys[%d]", i), k); err != nil {
			return err
		}
	}
	return nil
}

func oneLine(key, v string) error {
	if i := strings.IndexFunc(v, unicode.IsControl); i >= 0 {
		return fmt.Errorf("meta-data: %s: control character %q not allowed", key, v[i])
	}
	return nil
}
