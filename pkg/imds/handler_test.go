package imds_test

import (
	"encoding/json"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/imds"
)

func TestMetadataEndpoints(t *testing.T) {
	h := imds.NewHandler(newFake().lookup, imds.Options{})
	text, octets := "text/plain", "application/octet-stream"
	tests := []struct {
		name   string
		remote netip.Addr
		path   string
		code   int
		body   string
		ctype  string
	}{
		{"versions", addrA, "/", 200, "1.0\n2009-04-04\n2016-09-02\n2018-09-24\n2021-03-23\nlatest", text},
		{"latest listing", addrA, "/latest/", 200, "dynamic\nmeta-data\nuser-data", text},
		{"latest without user data", addrB, "/latest", 200, "dynamic\nmeta-data", text},
		{"meta-data listing", addrA, "/latest/meta-data/", 200,
			"ami-id\nhostname\ninstance-id\ninstance-type\nlocal-hostname\nlocal-ipv4\nmac\nnetwork/\nplacement/\npublic-keys/\nservices/", text},
		{"meta-data listing without slash", addrA, "/latest/meta-data", 200,
			"ami-id\nhostname\ninstance-id\ninstance-type\nlocal-hostname\nlocal-ipv4\nmac\nnetwork/\nplacement/\npublic-keys/\nservices/", text},
		{"meta-data listing without keys", addrB, "/latest/meta-data/", 200,
			"ami-id\nhostname\ninstance-id\ninstance-type\nlocal-hostname\nlocal-ipv4\nmac\nplacement/\nservices/", text},
		{"instance-id", addrA, "/latest/meta-data/instance-id", 200, instA.InstanceID, text},
		{"instance-id of b", addrB, "/latest/meta-data/instance-id", 200, instB.InstanceID, text},
		{"ipv4-mapped caller", netip.MustParseAddr("::ffff:10.0.0.3"), "/latest/meta-data/instance-id", 200, instB.InstanceID, text},
		{"ami-id", addrA, "/latest/meta-data/ami-id", 200, "ami-0123456789abcdef0", text},
		{"instance-type", addrB, "/latest/meta-data/instance-type", 200, "t3.micro", text},
		{"local-ipv4", addrA, "/latest/meta-data/local-ipv4", 200, "10.0.0.2", text},
		{"local-hostname", addrA, "/latest/meta-data/local-hostname", 200, "ip-10-0-0-2.ec2.internal", text},
		{"hostname", addrA, "/latest/meta-data/hostname", 200, "ip-10-0-0-2.ec2.internal", text},
		{"derived hostname", addrB, "/latest/meta-data/hostname", 200, "ip-10-0-0-3.eu-west-1.compute.internal", text},
		{"mac", addrA, "/latest/meta-data/mac", 200, "02:ec:00:00:00:02", text},
		{"placement listing", addrA, "/latest/meta-data/placement/", 200, "availability-zone\nregion", text},
		{"availability-zone", addrA, "/latest/meta-data/placement/availability-zone", 200, "us-east-1a", text},
		{"region", addrB, "/latest/meta-data/placement/region", 200, "eu-west-1", text},
		{"public-keys listing", addrA, "/latest/meta-data/public-keys/", 200, "0=mykey", text},
		{"public key listing", addrA, "/latest/meta-data/public-keys/0/", 200, "openssh-key", text},
		{"openssh-key", addrA, "/latest/meta-data/public-keys/0/openssh-key", 200, instA.PublicKeys[0], text},
		{"no public keys", addrB, "/latest/meta-data/public-keys/", 404, "", ""},
		{"network listing", addrA, "/latest/meta-data/network/interfaces/", 200, "macs/", text},
		{"macs listing", addrA, "/latest/meta-data/network/interfaces/macs/", 200, "02:ec:00:00:00:02/\n02:ec:00:00:01:02/", text},
		{"interface listing", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:00:02/", 200,
			"device-number\nlocal-hostname\nlocal-ipv4s\nmac\nowner-id\nsubnet-id", text},
		{"interface mac", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:00:02/mac", 200, "02:ec:00:00:00:02", text},
		{"primary device-number", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:00:02/device-number", 200, "0", text},
		{"secondary device-number", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:01:02/device-number", 200, "1", text},
		{"local-ipv4s", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:01:02/local-ipv4s", 200, "10.0.1.2\n10.0.1.9", text},
		{"interface local-hostname", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:01:02/local-hostname", 200,
			"ip-10-0-1-2.ec2.internal", text},
		{"subnet-id", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:01:02/subnet-id", 200, "subnet-0bbbbbbbbbbbbbbbb", text},
		{"owner-id", addrA, "/latest/meta-data/network/interfaces/macs/02:ec:00:00:00:02/owner-id", 200, "123456789012", text},
		{"no interfaces", addrB, "/latest/meta-data/network/", 404, "", ""},
		{"services listing", addrB, "/latest/meta-data/services/", 200, "domain\npartition", text},
		{"services domain", addrA, "/latest/meta-data/services/domain", 200, "amazonaws.com", text},
		{"services partition", addrA, "/latest/meta-data/services/partition", 200, "aws", text},
		{"user-data", addrA, "/latest/user-data", 200, "#!/bin/sh\necho hi\n", octets},
		{"no user-data", addrB, "/latest/user-data", 404, "", ""},
		{"dynamic listing", addrA, "/latest/dynamic/", 200, "instance-identity/", text},
		{"identity listing", addrA, "/latest/dynamic/instance-identity/", 200, "document", text},
		{"dated version", addrA, "/2009-04-04/meta-data/instance-id", 200, instA.InstanceID, text},
		{"unknown key", addrA, "/latest/meta-data/nope", 404, "", ""},
		{"unknown version", addrA, "/bogus/meta-data/instance-id", 404, "", ""},
		{"leaf is no directory", addrA, "/latest/meta-data/instance-id/x", 404, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := do(h, http.MethodGet, tt.path, tt.remote, nil)
			if w.Code != tt.code {
				t.Fatalf("GET %s from %s: status %d, want %d (body %q)", tt.path, tt.remote, w.Code, tt.code, w.Body)
			}
			if tt.code != 200 {
				return
			}
			if got := w.Body.String(); got != tt.body {
				t.Errorf("GET %s: body %q, want %q", tt.path, got, tt.body)
			}
			if got := w.Header().Get("Content-Type"); got != tt.ctype {
				t.Errorf("GET %s: Content-Type %q, want %q", tt.path, got, tt.ctype)
			}
		})
	}
}

func TestIdentityDocument(t *testing.T) {
	h := imds.NewHandler(newFake().lookup, imds.Options{})
	w := do(h, http.MethodGet, "/latest/dynamic/instance-identity/document", addrA, nil)
	if w.Code != 200 {
		t.Fatalf("status %d: %s", w.Code, w.Body)
	}
	var got map[string]any
	if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
		t.Fatalf("document is not JSON: %v\n%s", err, w.Body)
	}
	want := map[string]any{
		"accountId": "123456789012", "architecture": "x86_64", "availabilityZone": "us-east-1a",
		"imageId": "ami-0123456789abcdef0", "instanceId": instA.InstanceID, "instanceType": "t3.nano",
		"pendingTime": "2025-03-04T05:06:07Z", "privateIp": "10.0.0.2", "region": "us-east-1",
		"version": "2017-09-30", "billingProducts": nil, "devpayProductCodes": nil,
		"marketplaceProductCodes": nil, "kernelId": nil, "ramdiskId": nil,
	}
	for k, v := range want {
		if gv, ok := got[k]; !ok || gv != v {
			t.Errorf("%s = %v (present %v), want %v", k, gv, ok, v)
		}
	}
	if len(got) != len(want) {
		t.Errorf("document has %d fields, want %d: %s", len(got), len(want), w.Body)
	}
}

// An address no instance owns gets a refusal and none of anyone's data.
func TestUnknownCallerGetsNothing(t *testing.T) {
	h := imds.NewHandler(newFake().lookup, imds.Options{})
	requests := []struct{ method, path string }{
		{"GET", "/"}, {"GET", "/latest/meta-data/"}, {"GET", "/latest/meta-data/instance-id"},
		{"GET", "/latest/user-data"}, {"GET", "/latest/dynamic/instance-identity/document"},
		{"HEAD", "/latest/meta-data/instance-id"},
	}
	for _, rq := range requests {
		w := do(h, rq.method, rq.path, addrX, nil)
		if w.Code != http.StatusForbidden {
			t.Errorf("%s %s from unknown: status %d, want 403", rq.method, rq.path, w.Code)
		}
		body := w.Body.String()
		for _, secret := range []string{instA.InstanceID, instB.InstanceID, "10.0.0", "echo hi"} {
			if strings.Contains(body, secret) {
				t.Errorf("%s %s from unknown leaked %q: %q", rq.method, rq.path, secret, body)
			}
		}
	}
	w := do(h, http.MethodPut, "/latest/api/token", addrX, map[string]string{"X-aws-ec2-metadata-token-ttl-seconds": "60"})
	if w.Code != http.StatusForbidden {
		t.Errorf("token for unknown caller: status %d, want 403", w.Code)
	}
}

func TestMethods(t *testing.T) {
	h := imds.NewHandler(newFake().lookup, imds.Options{})
	tests := []struct {
		method, path string
		code         int
	}{
		{"HEAD", "/latest/meta-data/instance-id", 200},
		{"POST", "/latest/meta-data/instance-id", 405},
		{"PUT", "/latest/meta-data/", 405},
		{"DELETE", "/latest/user-data", 405},
		{"GET", "/latest/api/token", 405},
		{"POST", "/latest/api/token", 405},
	}
	for _, tt := range tests {
		if w := do(h, tt.method, tt.path, addrA, nil); w.Code != tt.code {
			t.Errorf("%s %s: status %d, want %d", tt.method, tt.path, w.Code, tt.code)
		}
	}
}
