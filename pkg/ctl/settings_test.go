package ctl

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestResolveSettings(t *testing.T) {
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".ec2lab", "config"), "[default]\nendpoint_url = https://lab.example:7443\nregion = lab-1\n\n[profile dev]\nendpoint_url = http://10.0.0.1:7700\n")
	writeFile(t, filepath.Join(home, ".aws", "credentials"), "[default]\naws_access_key_id = AKDEF\naws_secret_access_key = s1\n\n[ec2lab]\naws_access_key_id = AKLAB\naws_secret_access_key = s2\n")
	tests := []struct {
		name    string
		env     map[string]string
		flags   globalFlags
		target  string
		tls     bool
		region  string
		profile string
		keyID   string
	}{
		{"files; ec2lab profile preferred", nil, globalFlags{}, "lab.example:7443", true, "lab-1", "ec2lab", "AKLAB"},
		{"env endpoint", map[string]string{"EC2LAB_ENDPOINT": "127.0.0.2:9"}, globalFlags{}, "127.0.0.2:9", true, "lab-1", "ec2lab", "AKLAB"},
		{"flag beats env", map[string]string{"EC2LAB_ENDPOINT": "127.0.0.2:9"}, globalFlags{endpointURL: "http://h:1"}, "h:1", false, "lab-1", "ec2lab", "AKLAB"},
		{"AWS_PROFILE", map[string]string{"AWS_PROFILE": "default"}, globalFlags{}, "lab.example:7443", true, "lab-1", "default", "AKDEF"},
		{"profile section", nil, globalFlags{profile: "dev", region: "lab-2"}, "10.0.0.1:7700", false, "lab-2", "dev", ""},
		{"env keys", map[string]string{"AWS_ACCESS_KEY_ID": "AKENV", "AWS_SECRET_ACCESS_KEY": "x"}, globalFlags{}, "lab.example:7443", true, "lab-1", "ec2lab", "AKENV"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"HOME": home}
			for k, v := range tt.env {
				vars[k] = v
			}
			e := &env{getenv: func(k string) string { return vars[k] }}
			s, err := e.resolve(&tt.flags)
			if err != nil {
				t.Fatal(err)
			}
			keyID := ""
			if s.key != nil {
				keyID = s.key.AccessKeyID
			}
			if s.target != tt.target || s.tls != tt.tls || s.region != tt.region || s.profile != tt.profile || keyID != tt.keyID {
				t.Errorf("got target=%s tls=%v region=%s profile=%s key=%s", s.target, s.tls, s.region, s.profile, keyID)
			}
		})
	}
}

func TestDefaultEndpointAndConfigFileEnv(t *testing.T) {
	home := t.TempDir()
	e := &env{getenv: func(k string) string { return map[string]string{"HOME": home}[k] }}
	s, err := e.resolve(&globalFlags{})
	if err != nil || s.target != DefaultEndpoint || !s.tls || s.profile != "default" || s.output != OutputJSON {
		t.Fatalf("defaults: %+v, %v", s, err)
	}
	cfg := filepath.Join(t.TempDir(), "cfg")
	writeFile(t, cfg, "[default]\nendpoint_url = 127.0.0.9:1\n")
	e.getenv = func(k string) string { return map[string]string{"HOME": home, "EC2LAB_CONFIG_FILE": cfg}[k] }
	if s, _ := e.resolve(&globalFlags{}); s.target != "127.0.0.9:1" {
		t.Errorf("EC2LAB_CONFIG_FILE ignored: %s", s.target)
	}
}

func TestConfigure(t *testing.T) {
	h := newHarness(t)
	h.stdin = "AKNEW\nsecret-new\nhttp://127.0.0.1:7711\nlab-9\n\n"
	out, errOut, code := h.run("configure")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "AWS Access Key ID [None]: ") || !strings.Contains(out, "EC2lab endpoint URL [127.0.0.1:7700]: ") {
		t.Errorf("prompts: %q", out)
	}
	home := h.env["HOME"]
	cfg, _ := os.ReadFile(filepath.Join(home, ".ec2lab", "config"))
	creds, _ := os.ReadFile(filepath.Join(home, ".aws", "credentials"))
	if string(cfg) != "[default]\nendpoint_url = http://127.0.0.1:7711\nregion = lab-9\n\n" {
		t.Errorf("config file %q", cfg)
	}
	if string(creds) != "[default]\naws_access_key_id = AKNEW\naws_secret_access_key = secret-new\n" {
		t.Errorf("credentials file %q", creds)
	}
	if st, _ := os.Stat(filepath.Join(home, ".aws", "credentials")); st.Mode().Perm() != 0o600 {
		t.Errorf("credentials mode %v", st.Mode())
	}
	// Non-interactive, into a named profile, keeping other sections.
	_, errOut, code = h.run("configure", "--profile", "ec2lab", "--non-interactive", "--region", "lab-2",
		"--access-key-id", "AK2", "--secret-access-key", "S2")
	creds, _ = os.ReadFile(filepath.Join(home, ".aws", "credentials"))
	if code != 0 || !strings.Contains(string(creds), "[default]\naws_access_key_id = AKNEW") ||
		!strings.Contains(string(creds), "[ec2lab]\naws_access_key_id = AK2\naws_secret_access_key = S2") {
		t.Errorf("exit %d (%s), credentials %q", code, errOut, creds)
	}
}

func TestParseEndpoint(t *testing.T) {
	tests := []struct {
		in, target string
		tls, ok    bool
	}{
		{"127.0.0.1:7700", "127.0.0.1:7700", true, true}, // TLS, as ec2d serves by default
		{"http://127.0.0.1:7700", "127.0.0.1:7700", false, true},
		{"https://lab.example", "lab.example:443", true, true},
		{"https://[::1]:8443", "[::1]:8443", true, true},
		{"ftp://x", "", false, false},
		{"grpc://lab.example:7701", "lab.example:7701", false, true},
		{"grpc://lab.example", "lab.example:7700", false, true},
		{"grpcs://lab.example", "lab.example:443", true, true},
		{"GRPCS://[::1]:9443", "[::1]:9443", true, true},
		{"grpc://", "", false, false},
	}
	for _, tt := range tests {
		target, tls, err := parseEndpoint(tt.in)
		if (err == nil) != tt.ok || target != tt.target || tls != tt.tls {
			t.Errorf("parseEndpoint(%q) = %q, %v, %v", tt.in, target, tls, err)
		}
	}
}

func TestResolveUnknownProfile(t *testing.T) {
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".ec2lab", "config"), "[profile cfgonly]\nendpoint_url = 127.0.0.1:9\n")
	writeFile(t, filepath.Join(home, ".aws", "credentials"), "[ec2lab]\naws_access_key_id = AK\naws_secret_access_key = s\n")
	tests := []struct {
		name    string
		env     map[string]string
		flag    string
		wantErr bool
	}{
		{"--profile typo", nil, "ec2lba", true},
		{"AWS_PROFILE typo", map[string]string{"AWS_PROFILE": "nope"}, "", true},
		{"profile only in config", nil, "cfgonly", false},
		{"implicit default without credentials", map[string]string{"AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}, "", false},
		{"env keys need no profile", map[string]string{"AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s"}, "nope", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vars := map[string]string{"HOME": home}
			for k, v := range tt.env {
				vars[k] = v
			}
			e := &env{getenv: func(k string) string { return vars[k] }}
			_, err := e.resolve(&globalFlags{profile: tt.flag})
			if (err != nil) != tt.wantErr {
				t.Fatalf("resolve: %v, want error %v", err, tt.wantErr)
			}
			if err != nil && (ExitCode(err) != ExitConfig || !strings.Contains(err.Error(), "could not be found")) {
				t.Errorf("error %v exits %d, want %d and 'could not be found'", err, ExitCode(err), ExitConfig)
			}
		})
	}
}
