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
// ~/.ec2lab/config: [section] headers and "key = value" lines.
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
	cur := ""
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#") || strings.HasPrefix(line, ";"):
		case strings.HasPrefix(line, "[") && strings.HasSuffix(line, "]"):
			cur = strings.TrimSpace(strings.TrimPrefix(strings.Trim(line, "[]"), "profile "))
			f.section(cur)
		default:
			k, v, ok := strings.Cut(line, "=")
			if ok {
				f.section(cur)[strings.TrimSpace(k)] = strings.TrimSpace(v)
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
		for _, k := range sortedMapKeys(f.sections[name]) {
			fmt.Fprintf(&b, "%s = %s\n", k, f.sections[name][k])
		}
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

func sortedMapKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
