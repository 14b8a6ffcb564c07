package auth

import (
	"bufio"
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
)

// WriteCredentialsFile sets profile in the AWS CLI credentials file at path
// (aws_access_key_id, aws_secret_access_key, region), keeping other
// profiles. The file is replaced atomically by a temp file created 0600, so
// the secret is never readable by others, even briefly.
func WriteCredentialsFile(path, profile string, k Key, region string) error {
	old, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		return fmt.Errorf("read credentials %s: %w", path, err)
	}
	var sec bytes.Buffer
	fmt.Fprintf(&sec, "[%s]\naws_access_key_id = %s\naws_secret_access_key = %s\n", profile, k.AccessKeyID, k.SecretAccessKey)
	if region != "" {
		fmt.Fprintf(&sec, "region = %s\n", region)
	}
	data := replaceSection(old, profile, sec.Bytes())
	if err := writePrivate(path, data); err != nil {
		return fmt.Errorf("write credentials %s: %w", path, err)
	}
	return nil
}

// ReadCredentialsFile reads profile from an AWS CLI credentials file. The
// returned Key has no AccountID (the file does not carry one). A missing
// profile wraps fs.ErrNotExist.
func ReadCredentialsFile(path, profile string) (Key, string, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Key{}, "", fmt.Errorf("read credentials: %w", err)
	}
	vals, ok := parseSection(data, profile)
	if !ok {
		return Key{}, "", fmt.Errorf("profile %q in %s: %w", profile, path, fs.ErrNotExist)
	}
	k := Key{AccessKeyID: vals["aws_access_key_id"], SecretAccessKey: vals["aws_secret_access_key"]}
	if k.AccessKeyID == "" || k.SecretAccessKey == "" {
		return Key{}, "", fmt.Errorf("profile %q in %s: missing aws_access_key_id or aws_secret_access_key", profile, path)
	}
	return k, vals["region"], nil
}

func sectionName(line string) (string, bool) {
	line = strings.TrimSpace(line)
	if len(line) < 2 || line[0] != '[' || line[len(line)-1] != ']' {
		return "", false
	}
	return strings.TrimSpace(line[1 : len(line)-1]), true
}

// parseSection returns the key = value pairs of [profile].
func parseSection(data []byte, profile string) (map[string]string, bool) {
	var vals map[string]string
	in := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if name, ok := sectionName(line); ok {
			in = name == profile
			if in && vals == nil {
				vals = map[string]string{}
			}
			continue
		}
		if !in || line == "" || line[0] == '#' || line[0] == ';' {
			continue
		}
		if k, v, ok := strings.Cut(line, "="); ok {
			vals[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return vals, vals != nil
}

// replaceSection drops every [profile] section from data and appends sec.
func replaceSection(data []byte, profile string, sec []byte) []byte {
	var out bytes.Buffer
	skip := false
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		line := sc.Text()
		if name, ok := sectionName(line); ok {
			skip = name == profile
		}
		if !skip {
			out.WriteString(line + "\n")
		}
	}
	trimmed := bytes.TrimRight(out.Bytes(), "\n")
	out.Truncate(len(trimmed))
	if out.Len() > 0 {
		out.WriteString("\n\n")
	}
	out.Write(sec)
	return out.Bytes()
}

func writePrivate(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".credentials-*") // created 0600
	if err != nil {
		return err
	}
	defer os.Remove(f.Name()) // no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}
