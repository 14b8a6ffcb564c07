package ctl

import (
	"errors"
	"fmt"
	"io/fs"
	"path/filepath"
	"time"

	"github.com/ec2lab/ec2lab/pkg/auth"
)

// DefaultEndpoint is where ec2d listens unless configured otherwise.
const DefaultEndpoint = "127.0.0.1:7700"

// globalFlags are the flags every command takes (like the AWS CLI's).
type globalFlags struct {
	endpointURL string
	region      string
	profile     string
	output      string
	query       string
	caBundle    string
	debug       bool
	aws         awsGlobalFlags
	noPaginate  bool
}

// settings are the resolved connection and output settings.
type settings struct {
	endpoint  string // as given, for messages
	source    string // where endpoint came from, for messages
	target    string // host:port
	tls       bool
	region    string
	profile   string
	key       *auth.Key
	output    string
	caBundle  string
	credsPath string
	// From the AWS CLI's global options.
	noVerifySSL    bool
	noSign         bool
	readTimeout    time.Duration
	connectTimeout time.Duration
}

func (e *env) home() string {
	if h := e.getenv("HOME"); h != "" {
		return h
	}
	return "/root"
}

func (e *env) configPath() string {
	if p := e.getenv("EC2LAB_CONFIG_FILE"); p != "" {
		return p
	}
	return filepath.Join(e.home(), ".ec2lab", "config")
}

func (e *env) credentialsPath() string {
	if p := e.getenv("AWS_SHARED_CREDENTIALS_FILE"); p != "" {
		return p
	}
	return filepath.Join(e.home(), ".aws", "credentials")
}

// profileName: --profile, else AWS_PROFILE, else "ec2lab" when the
// credentials file has it, else "default".
func (e *env) profileName(flag string) string {
	if flag != "" {
		return flag
	}
	if p := e.getenv("AWS_PROFILE"); p != "" {
		return p
	}
	if _, _, err := auth.ReadCredentialsFile(e.credentialsPath(), "ec2lab"); err == nil {
		return "ec2lab"
	}
	return "default"
}

// namedProfile reports whether the user chose the profile (--profile or
// AWS_PROFILE) rather than getting the default.
func (e *env) namedProfile(flag string) bool {
	return flag != "" || e.getenv("AWS_PROFILE") != ""
}

// resolve applies the precedence flag > environment > files > default.
func (e *env) resolve(g *globalFlags) (*settings, error) {
	s := &settings{profile: e.profileName(g.profile), caBundle: g.caBundle, credsPath: e.credentialsPath(),
		noVerifySSL: g.aws.noVerifySSL, noSign: g.aws.noSignRequest,
		readTimeout:    time.Duration(g.aws.readTimeout) * time.Second,
		connectTimeout: time.Duration(g.aws.connectTimeout) * time.Second}
	cfg, err := readINI(e.configPath())
	if err != nil {
		return nil, &configError{err}
	}
	if err := e.resolveEndpoint(s, g, cfg); err != nil {
		return nil, &configError{err}
	}
	if s.caBundle == "" {
		s.caBundle = firstNonEmpty(e.getenv("AWS_CA_BUNDLE"), cfg.get(s.profile, "ca_bundle"))
	}
	fileRegion := ""
	if id, secret := e.getenv("AWS_ACCESS_KEY_ID"), e.getenv("AWS_SECRET_ACCESS_KEY"); id != "" && secret != "" {
		s.key = &auth.Key{AccessKeyID: id, SecretAccessKey: secret}
	} else if k, r, err := auth.ReadCredentialsFile(s.credsPath, s.profile); err == nil {
		s.key, fileRegion = &k, r
	} else if errors.Is(err, fs.ErrNotExist) && e.namedProfile(g.profile) && !cfg.has(s.profile) {
		// A mistyped --profile would otherwise go out unsigned and come
		// back as a puzzling AuthFailure.
		//lint:ignore ST1005 the AWS CLI's own wording, which scripts match on
		return nil, &configError{fmt.Errorf("The config profile (%s) could not be found", s.profile)}
	}
	s.region = firstNonEmpty(g.region, e.getenv("AWS_REGION"), e.getenv("AWS_DEFAULT_REGION"), cfg.get(s.profile, "region"), fileRegion)
	s.output = firstNonEmpty(g.output, e.getenv("AWS_DEFAULT_OUTPUT"), cfg.get(s.profile, "output"))
	if s.output == "" {
		s.output = OutputJSON
		if e.stdoutTTY {
			s.output = OutputTable
		}
	}
	return s, nil
}

func firstNonEmpty(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}
