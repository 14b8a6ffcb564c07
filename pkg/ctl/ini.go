package ctl

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
)

// iniFile is a minimal INI document as used by ~/.aws/credentials and
// ~/.ec2lab/config: [section] headers and "key = value" lines, and, as
// botocore reads them, nested settings: indented "key = value" lines under
// a "name =" line without a value (the services sections' "ec2 ="),
// stored as "name.key".
type iniFile struct {
	order    []string
	sections map[string]map[string]string
}

func readINI(path string) (*iniFile, error) {
	f := &iniFile{sections: map[string]map[string]string{}}
	fh, err := os.Open(path)
	if os.IsNotExist(err) {
		return f, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	cur, parent := "", ""
	for sc.Scan() {
		raw := sc.Text()
		line := strings.TrimSpace(raw)
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			cur, parent = strings.TrimSpace(strings.TrimPrefix(strings.Trim(line, "[]"), "profile ")), ""
			f.section(cur)
		default:
			k, v, ok := strings.Cut(line, "=")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			indented := raw != strings.TrimLeft(raw, " \t")
			switch {
			case indented && parent != "":
				f.section(cur)[parent+"."+k] = v
			case v == "":
				parent = k
			default:
				parent = ""
				f.section(cur)[k] = v
			}
		}
	}
	return f, sc.Err()
}

func (f *iniFile) section(name string) map[string]string {
	s, ok := f.sections[name]
	if !ok {
		s = map[string]string{}
		f.sections[name] = s
		f.order = append(f.order, name)
	}
	return s
}

func (f *iniFile) has(name string) bool { _, ok := f.sections[name]; return ok }

// get looks key up in profile's section, then in [default].
func (f *iniFile) get(profile, key string) string {
	if v := f.sections[profile][key]; v != "" {
		return v
	}
	return f.sections["default"][key]
}

// write saves the file with mode 0600 (it may hold secrets).
func (f *iniFile) write(path string) error {
	var b strings.Builder
	for _, name := range f.order {
		if name == "" && len(f.sections[name]) == 0 {
			continue
		}
		fmt.Fprintf(&b, "[%s]\n", name)
		writeSection(&b, f.sections[name])
		b.WriteString("\n")
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// writeSection writes a section's keys, the nested ones ("ec2.endpoint_url")
// indented under their "ec2 =" line.
func writeSection(b *strings.Builder, sec map[string]string) {
	var nested []string
	for _, k := range sortedMapKeys(sec) {
		if strings.Contains(k, ".") {
			nested = append(nested, k)
			continue
		}
		fmt.Fprintf(b, "%s = %s\n", k, sec[k])
	}
	parent := ""
	for _, k := range nested {
		p, sub, _ := strings.Cut(k, ".")
		if p != parent {
			fmt.Fprintf(b, "%s =\n", p)
			parent = p
		}
		fmt.Fprintf(b, "  %s = %s\n", sub, sec[k])
	}
}

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
