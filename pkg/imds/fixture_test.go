package imds_test

import (
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sync"
	"time"

	"github.com/ec2lab/ec2lab/pkg/imds"
)

var launch = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// Two instances: a has a key and user data, b has neither and no hostname.
var (
	addrA = netip.MustParseAddr("10.0.0.2")
	addrB = netip.MustParseAddr("10.0.0.3")
	addrX = netip.MustParseAddr("10.0.0.9") // nobody's

	instA = imds.Instance{
		InstanceID: "i-0aaaaaaaaaaaaaaaa", AMIID: "ami-0123456789abcdef0", InstanceType: "t3.nano",
		LocalIPv4: "10.0.0.2", MAC: "02:ec:00:00:00:02", AZ: "us-east-1a", Region: "us-east-1",
		Hostname: "ip-10-0-0-2.ec2.internal", AccountID: "123456789012", KeyName: "mykey",
		PublicKeys: []string{"ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIA mykey"},
		UserData:   []byte("#!/bin/sh\necho hi\n"), LaunchTime: launch,
		Interfaces: []imds.Interface{
			{MAC: "02:EC:00:00:00:02", DeviceNumber: 0, PrivateIPv4s: []string{"10.0.0.2"},
				Hostname: "ip-10-0-0-2.ec2.internal", SubnetID: "subnet-0aaaaaaaaaaaaaaaa"},
			{MAC: "02:ec:00:00:01:02", DeviceNumber: 1, PrivateIPv4s: []string{"10.0.1.2", "10.0.1.9"},
				Hostname: "ip-10-0-1-2.ec2.internal", SubnetID: "subnet-0bbbbbbbbbbbbbbbb"},
		},
	}
	instB = imds.Instance{
		InstanceID: "i-0bbbbbbbbbbbbbbbb", AMIID: "ami-0123456789abcdef0", InstanceType: "t3.micro",
		LocalIPv4: "10.0.0.3", MAC: "02:ec:00:00:00:03", AZ: "eu-west-1b", Region: "eu-west-1",
		AccountID: "210987654321", LaunchTime: launch,
	}
)

// fakeInstances is a Lookup over a mutable address → instance map.
type fakeInstances struct {
	mu sync.Mutex
	m  map[netip.Addr]imds.Instance
}

func newFake() *fakeInstances {
	return &fakeInstances{m: map[netip.Addr]imds.Instance{addrA: instA, addrB: instB}}
}

func (f *fakeInstances) lookup(a netip.Addr) (imds.Instance, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	inst, ok := f.m[a]
	return inst, ok
}

func (f *fakeInstances) set(a netip.Addr, inst imds.Instance) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.m[a] = inst
}

// fakeClock is a settable Options.Now.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// do sends one request to h as if from remote (port 40000).
func do(h http.Handler, method, path string, remote netip.Addr, hdr map[string]string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://169.254.169.254"+path, nil)
	r.RemoteAddr = netip.AddrPortFrom(remote, 40000).String()
	for k, v := range hdr {
		r.Header.Set(k, v)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}
