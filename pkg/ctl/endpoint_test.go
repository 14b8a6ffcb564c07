package ctl

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEndpointPrecedence: --endpoint-url, EC2LAB_ENDPOINT, the AWS CLI's
// AWS_ENDPOINT_URL_EC2 and AWS_ENDPOINT_URL, the config file's services
// section and endpoint_url, then the default; the AWS CLI's switch to
// ignore the configured ones.
func TestEndpointPrecedence(t *testing.T) {
	cfg := "[default]\nendpoint_url = cfg-global:1\n\n" +
		"[profile svc]\nservices = lab\nendpoint_url = cfg-profile:2\n\n" +
		"[services lab]\nec2 =\n  endpoint_url = grpcs://cfg-service\ns3 =\n  endpoint_url = http://not-ec2:9\n\n" +
		"[profile svc-no-ec2]\nservices = other\nendpoint_url = cfg-profile:3\n\n" +
		"[services other]\ns3 =\n  endpoint_url = http://not-ec2:9\n\n" +
		"[profile ignore]\nignore_configured_endpoint_urls = true\nendpoint_url = cfg-profile:4\n\n" +
		"[profile broken]\nservices = missing\n"
	tests := []struct {
		name    string
		env     map[string]string
		flags   globalFlags
		target  string
		tls     bool
		source  string
		wantErr string
	}{
		{"config global", nil, globalFlags{}, "cfg-global:1", true, "endpoint_url in the config file", ""},
		{"config services section", nil, globalFlags{profile: "svc"}, "cfg-service:443", true, "ec2 endpoint_url of [services lab] in the config file", ""},
		{"services section without ec2", nil, globalFlags{profile: "svc-no-ec2"}, "cfg-profile:3", true, "endpoint_url in the config file", ""},
		{"AWS_ENDPOINT_URL beats the config", map[string]string{"AWS_ENDPOINT_URL": "grpc://global-env:5"}, globalFlags{profile: "svc"},
			"global-env:5", false, "AWS_ENDPOINT_URL", ""},
		{"AWS_ENDPOINT_URL_EC2 beats AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": "grpc://global-env:5",
			"AWS_ENDPOINT_URL_EC2": "grpcs://ec2-env:6"}, globalFlags{}, "ec2-env:6", true, "AWS_ENDPOINT_URL_EC2", ""},
		{"grpc:// without a port is ec2d's", map[string]string{"AWS_ENDPOINT_URL_EC2": "grpc://lab"}, globalFlags{},
			"lab:7700", false, "AWS_ENDPOINT_URL_EC2", ""},
		{"EC2LAB_ENDPOINT beats the AWS variables", map[string]string{"AWS_ENDPOINT_URL_EC2": "http://127.0.0.1:7780",
			"EC2LAB_ENDPOINT": "lab-env:7"}, globalFlags{}, "lab-env:7", true, "EC2LAB_ENDPOINT", ""},
		{"--endpoint-url beats all", map[string]string{"EC2LAB_ENDPOINT": "lab-env:7", "AWS_ENDPOINT_URL": "grpc://x:1"},
			globalFlags{endpointURL: "grpc://flag:8"}, "flag:8", false, "--endpoint-url", ""},
		{"ignore configured endpoints (env)", map[string]string{"AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true",
			"AWS_ENDPOINT_URL": "grpc://x:1"}, globalFlags{}, DefaultEndpoint, true, "the default", ""},
		{"ignore configured endpoints (profile)", map[string]string{"AWS_ENDPOINT_URL": "grpc://x:1"}, globalFlags{profile: "ignore"},
			DefaultEndpoint, true, "the default", ""},
		{"ignoring keeps EC2LAB_ENDPOINT", map[string]string{"EC2LAB_ENDPOINT": "lab-env:7"}, globalFlags{profile: "ignore"},
			"lab-env:7", true, "EC2LAB_ENDPOINT", ""},
		{"Query API URL in AWS_ENDPOINT_URL", map[string]string{"AWS_ENDPOINT_URL": "http://127.0.0.1:7780"}, globalFlags{},
			"", false, "", "AWS_ENDPOINT_URL=http://127.0.0.1:7780 is an EC2 Query API URL"},
		{"Query API URL in AWS_ENDPOINT_URL_EC2", map[string]string{"AWS_ENDPOINT_URL_EC2": "https://ec2.lab"}, globalFlags{},
			"", false, "", "set EC2LAB_ENDPOINT=host:port"},
		{"services section missing", nil, globalFlags{profile: "broken"}, "", false, "",
			`The profile is configured to use the services section but the "missing" services configuration does not exist.`},
		{"bad scheme", map[string]string{"EC2LAB_ENDPOINT": "ftp://x"}, globalFlags{}, "", false, "",
			"EC2LAB_ENDPOINT: invalid endpoint URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			home := t.TempDir()
			writeFile(t, filepath.Join(home, ".ec2lab", "config"), cfg)
			vars := map[string]string{"HOME": home, "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s"}
			for k, v := range tt.env {
				vars[k] = v
			}
			e := &env{getenv: func(k string) string { return vars[k] }}
			s, err := e.resolve(&tt.flags)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) || ExitCode(err) != ExitConfig {
					t.Fatalf("got %v (exit %d), want an error with %q", err, ExitCode(err), tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.target != tt.target || s.tls != tt.tls || s.source != tt.source {
				t.Errorf("got target=%s tls=%v source=%q, want %s %v %q", s.target, s.tls, s.source, tt.target, tt.tls, tt.source)
			}
		})
	}
}

// TestServicesSectionMatchesAWSCLI: the AWS CLI reads the same config
// (as ~/.aws/config) to the same choice of endpoint: the services
// section's ec2 endpoint_url over the profile's endpoint_url, both under
// AWS_ENDPOINT_URL.
func TestServicesSectionMatchesAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	bogus := "http://127.0.0.1:9" // nothing listens: a call sent there fails
	cfg := filepath.Join(t.TempDir(), "config")
	writeFile(t, cfg, "[profile svc]\nservices = lab\nendpoint_url = "+bogus+"\n\n[services lab]\nec2 =\n  endpoint_url = "+aws.srv.URL+"\n")
	tests := []struct {
		name string
		env  []string
	}{
		{"services section", []string{"AWS_PROFILE=svc"}},
		{"AWS_ENDPOINT_URL beats the config", []string{"AWS_PROFILE=svc", "AWS_ENDPOINT_URL=" + aws.srv.URL}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, errOut, code := aws.runWith(append(tt.env, "AWS_CONFIG_FILE="+cfg), "describe-regions", "--query", "Regions[0].RegionName", "--output", "text")
			if code != 0 || strings.TrimSpace(out) != "lab-1" {
				t.Errorf("aws: exit %d, %s %s", code, out, errOut)
			}
		})
	}
	home := t.TempDir()
	writeFile(t, filepath.Join(home, ".ec2lab", "config"), "[profile svc]\nservices = lab\nendpoint_url = "+bogus+
		"\n\n[services lab]\nec2 =\n  endpoint_url = grpcs://localhost:1\n")
	h.env["HOME"], h.env["AWS_PROFILE"] = home, "svc"
	if out, errOut, code := h.run("describe-regions", "--query", "Regions[0].RegionName", "--output", "text"); code != 0 || out != "lab-1\n" {
		t.Errorf("ec2ctl: exit %d, %q %s", code, out, errOut)
	}
}

// TestHTTPEndpointHint: a gRPC connection that meets an HTTP/1.1 server
// (the Query API's listener) says what to give instead.
func TestHTTPEndpointHint(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusBadRequest) }))
	t.Cleanup(srv.Close)
	var out, errOut bytes.Buffer
	home := t.TempDir()
	root := NewRootCommand(WithIO(strings.NewReader(""), &out, &errOut),
		WithEnv(func(k string) string { return map[string]string{"HOME": home}[k] }))
	code := Run(context.Background(), root, []string{"describe-regions", "--endpoint-url", srv.URL})
	if code != ExitOther || !strings.Contains(errOut.String(), "ec2d --grpc-addr (default 127.0.0.1:7700)") {
		t.Errorf("exit %d: %s", code, errOut.String())
	}
}

// TestNestedConfigRoundTrip: `configure` rewriting the config file keeps
// the services sections' nested settings.
func TestNestedConfigRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "config")
	body := "[default]\nregion = lab-1\nservices = lab\n\n[services lab]\nec2 =\n  endpoint_url = grpc://h:1\n  x = y\n\n"
	writeFile(t, path, body)
	f, err := readINI(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := f.sections["services lab"]["ec2.endpoint_url"]; got != "grpc://h:1" {
		t.Errorf("nested endpoint_url = %q", got)
	}
	if err := f.write(path); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(path); string(got) != body {
		t.Errorf("rewritten:\n%s\nwant:\n%s", got, body)
	}
}
