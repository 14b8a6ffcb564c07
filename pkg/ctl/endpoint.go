package ctl

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// ec2ctl speaks ec2d's gRPC API (ec2d --grpc-addr, default 127.0.0.1:7700),
// not the EC2 Query API the AWS CLI sends to ec2d's HTTP listener (ec2d
// --http-addr, default 127.0.0.1:7780). Its endpoint comes, first found
// first, from:
//
//  1. --endpoint-url;
//  2. EC2LAB_ENDPOINT (ec2ctl's own, so that it can sit beside the AWS
//     CLI's variables below);
//  3. AWS_ENDPOINT_URL_EC2, then AWS_ENDPOINT_URL, as the AWS CLI;
//  4. the config file (~/.ec2lab/config): the ec2 endpoint_url of the
//     services section the profile names (services = NAME, [services NAME]
//     with "ec2 =" and an indented "endpoint_url = ..."), then the
//     profile's endpoint_url, as the AWS CLI reads ~/.aws/config;
//  5. DefaultEndpoint.
//
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true or the profile's
// ignore_configured_endpoint_urls = true skips 3 and 4, as in the AWS CLI.
//
// An endpoint is host:port or grpcs://host[:port] (gRPC over TLS, what ec2d
// serves by default), or grpc://host:port (plaintext gRPC: ec2d
// --grpc-plaintext-loopback). ec2ctl's own sources (1, 2, 4) also take
// https:// and http:// for TLS and plaintext gRPC, as they always have. The
// server's certificate is checked against the system's CAs and the CA
// bundle (--ca-bundle, AWS_CA_BUNDLE, ca_bundle in the config file): ec2d's
// region CA is DATA_DIR/ca/ca.pem unless configured otherwise. The AWS_ENDPOINT_URL variables are shared with the AWS CLI and the
// SDKs, for which an http(s) URL is the Query API's: ec2ctl cannot use
// it, and nothing at that URL tells where gRPC is served, so such a URL is
// refused with a message saying what to set instead.

// endpointSource is one place an endpoint may be configured.
type endpointSource struct {
	name, value string
	queryURL    bool // an AWS variable: http(s) means the Query API
}

// resolveEndpoint sets s.endpoint, s.source, s.target and s.tls.
func (e *env) resolveEndpoint(s *settings, g *globalFlags, cfg *iniFile) error {
	sources := []endpointSource{{name: "--endpoint-url", value: g.endpointURL},
		{name: "EC2LAB_ENDPOINT", value: e.getenv("EC2LAB_ENDPOINT")}}
	if !e.ignoreConfiguredEndpoints(cfg, s.profile) {
		svc, err := servicesEndpoint(cfg, s.profile)
		if err != nil {
			return err
		}
		sources = append(sources,
			endpointSource{name: "AWS_ENDPOINT_URL_EC2", value: e.getenv("AWS_ENDPOINT_URL_EC2"), queryURL: true},
			endpointSource{name: "AWS_ENDPOINT_URL", value: e.getenv("AWS_ENDPOINT_URL"), queryURL: true},
			svc,
			endpointSource{name: "endpoint_url in the config file", value: cfg.get(s.profile, "endpoint_url")})
	}
	src := endpointSource{name: "the default", value: DefaultEndpoint}
	for _, c := range sources {
		if c.value != "" {
			src = c
			break
		}
	}
	s.endpoint, s.source = src.value, src.name
	if src.queryURL && isHTTPURL(src.value) {
		return fmt.Errorf("%s=%s is an EC2 Query API URL (what the AWS CLI uses); ec2ctl speaks ec2d's gRPC API "+
			"(ec2d --grpc-addr, default %s): set EC2LAB_ENDPOINT=host:port or give --endpoint-url host:port "+
			"(either takes precedence over %s), or set %s=grpc://host:port if only ec2ctl reads it",
			src.name, src.value, DefaultEndpoint, src.name, src.name)
	}
	var err error
	if s.target, s.tls, err = parseEndpoint(s.endpoint); err != nil {
		return fmt.Errorf("%s: %w", src.name, err)
	}
	return nil
}

// ignoreConfiguredEndpoints is the AWS CLI's
// AWS_IGNORE_CONFIGURED_ENDPOINT_URLS / ignore_configured_endpoint_urls.
func (e *env) ignoreConfiguredEndpoints(cfg *iniFile, profile string) bool {
	v := firstNonEmpty(e.getenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"), cfg.get(profile, "ignore_configured_endpoint_urls"))
	return strings.EqualFold(v, "true")
}

// servicesEndpoint is the ec2 endpoint_url of the services section the
// profile names; a profile naming a section that does not exist is an
// error, as in the AWS CLI.
func servicesEndpoint(cfg *iniFile, profile string) (endpointSource, error) {
	src := endpointSource{}
	name := cfg.get(profile, "services")
	if name == "" {
		return src, nil
	}
	sec, ok := cfg.sections["services "+name]
	if !ok {
		//lint:ignore ST1005 the AWS CLI's own wording
		return src, fmt.Errorf("The profile is configured to use the services section but the %q services configuration does not exist.", name)
	}
	src.name = fmt.Sprintf("ec2 endpoint_url of [services %s] in the config file", name)
	src.value = sec["ec2.endpoint_url"]
	return src, nil
}

func isHTTPURL(ep string) bool {
	scheme, _, ok := strings.Cut(ep, "://")
	return ok && (strings.EqualFold(scheme, "http") || strings.EqualFold(scheme, "https"))
}

// parseEndpoint accepts bare host:port (gRPC over TLS), grpc://host[:port]
// (plaintext gRPC; ec2d's port 7700 when none is given), grpcs://host[:port]
// (gRPC over TLS), and, meaning the same, http://host[:port] and
// https://host[:port] (ports 80 and 443 by default).
func parseEndpoint(ep string) (target string, useTLS bool, err error) {
	if !strings.Contains(ep, "://") {
		return ep, true, nil
	}
	u, err := url.Parse(ep)
	if err != nil {
		return "", false, fmt.Errorf("invalid endpoint URL %q: %w", ep, err)
	}
	if u.Hostname() == "" {
		return "", false, fmt.Errorf("invalid endpoint URL %q: no host", ep)
	}
	switch strings.ToLower(u.Scheme) {
	case "grpc":
		_, port, _ := net.SplitHostPort(DefaultEndpoint)
		return hostPort(u, port), false, nil
	case "http":
		return hostPort(u, "80"), false, nil
	case "grpcs", "https":
		return hostPort(u, "443"), true, nil
	}
	return "", false, fmt.Errorf("invalid endpoint URL %q: scheme must be grpc, grpcs, http or https", ep)
}

func hostPort(u *url.URL, def string) string {
	if u.Port() == "" {
		return net.JoinHostPort(u.Hostname(), def)
	}
	return u.Host
}
