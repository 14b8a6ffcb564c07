package throttle

import (
	"testing"
	"time"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

type clock struct{ t time.Time }

func (c *clock) now() time.Time { return c.t }

// step is one call: advance the clock, then expect the call admitted or
// refused (with at least minWait as its retry hint).
type step struct {
	advance time.Duration
	req     Request
	ok      bool
	minWait time.Duration
}

func TestAllow(t *testing.T) {
	small := Bucket{Size: 2, Refill: 1}
	cfg := Config{
		Buckets: map[Class]Bucket{Mutating: small, NonMutating: {Size: 3, Refill: 1}, UnfilteredNonMutating: {Size: 1, Refill: 1},
			RunInstancesResource: {Size: 5, Refill: 1}},
		Accounts: map[string]map[Class]Bucket{"222222222222": {Mutating: {Size: 4, Refill: 1}}},
	}
	a, b := "111111111111", "222222222222"
	mut := func(acct, action string) Request { return Request{Account: acct, Action: action} }
	cases := []struct {
		name  string
		steps []step
	}{
		{"bucket empties and refills", []step{
			{0, mut(a, "CreateVpc"), true, 0},
			{0, mut(a, "CreateVpc"), true, 0},
			{0, mut(a, "CreateVpc"), false, 900 * time.Millisecond},
			{time.Second, mut(a, "CreateVpc"), true, 0},
			{0, mut(a, "CreateVpc"), false, 900 * time.Millisecond},
		}},
		{"each action has its own bucket", []step{
			{0, mut(a, "CreateVpc"), true, 0}, {0, mut(a, "CreateVpc"), true, 0},
			{0, mut(a, "CreateSubnet"), true, 0},
		}},
		{"each account has its own bucket, and an override", []step{
			{0, mut(a, "CreateVpc"), true, 0}, {0, mut(a, "CreateVpc"), true, 0}, {0, mut(a, "CreateVpc"), false, 0},
			{0, mut(b, "CreateVpc"), true, 0}, {0, mut(b, "CreateVpc"), true, 0},
			{0, mut(b, "CreateVpc"), true, 0}, {0, mut(b, "CreateVpc"), true, 0}, {0, mut(b, "CreateVpc"), false, 0},
		}},
		{"unfiltered describes get the smaller bucket", []step{
			{0, Request{Account: a, Action: "DescribeVpcs"}, true, 0},
			{0, Request{Account: a, Action: "DescribeVpcs"}, false, 0},
			{0, Request{Account: a, Action: "DescribeVpcs", Filtered: true}, true, 0},
			{0, Request{Account: a, Action: "DescribeVpcs", Filtered: true}, true, 0},
			{0, Request{Account: a, Action: "DescribeVpcs", Filtered: true}, true, 0},
			{0, Request{Account: a, Action: "DescribeVpcs", Filtered: true}, false, 0},
		}},
		{"instances draw resource tokens; a refusal takes none", []step{
			{0, Request{Account: a, Action: "RunInstances", Instances: 3}, true, 0},
			{0, Request{Account: a, Action: "RunInstances", Instances: 3}, false, 900 * time.Millisecond},
			{0, Request{Account: a, Action: "RunInstances", Instances: 2}, true, 0},                    // the request token was given back
			{time.Second, Request{Account: a, Action: "RunInstances", Instances: 9}, false, time.Hour}, // more than the bucket holds
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			clk := &clock{t: time.Unix(1_800_000_000, 0)}
			l := New(cfg)
			l.SetClock(clk.now)
			for i, s := range c.steps {
				clk.t = clk.t.Add(s.advance)
				err := l.Allow(s.req)
				if (err == nil) != s.ok {
					t.Fatalf("step %d %+v: %v, want ok=%v", i, s.req, err, s.ok)
				}
				if err == nil {
					continue
				}
				if ec2err.Code(err) != ec2err.RequestLimitExceeded {
					t.Errorf("step %d: code %s", i, ec2err.Code(err))
				}
				if w, ok := RetryAfter(err); !ok || w < s.minWait {
					t.Errorf("step %d: retry after %v (ok=%v), want at least %v", i, w, ok, s.minWait)
				}
			}
		})
	}
}

func TestDisabledAdmitsAll(t *testing.T) {
	l := New(Config{Disabled: true, Buckets: map[Class]Bucket{Mutating: {Size: 1, Refill: 0.001}}})
	for range 10 {
		if err := l.Allow(Request{Account: "111111111111", Action: "CreateVpc"}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestFromProto(t *testing.T) {
	a := "111111111111"
	for _, c := range []struct {
		name string
		got  Request
		want Request
	}{
		{"unfiltered describe", FromProto(a, "DescribeVpcs", &ec2labv1.DescribeVpcsRequest{}), Request{Account: a, Action: "DescribeVpcs"}},
		{"describe by ID", FromProto(a, "DescribeVpcs", &ec2labv1.DescribeVpcsRequest{VpcIds: []string{"vpc-1"}}),
			Request{Account: a, Action: "DescribeVpcs", Filtered: true}},
		{"describe with filters", FromProto(a, "DescribeInstances", &ec2labv1.DescribeInstancesRequest{
			Filters: []*ec2labv1.Filter{{Name: "instance-state-name", Values: []string{"running"}}}}),
			Request{Account: a, Action: "DescribeInstances", Filtered: true}},
		{"run 4", FromProto(a, "RunInstances", &ec2labv1.RunInstancesRequest{MinCount: 1, MaxCount: 4}),
			Request{Account: a, Action: "RunInstances", Instances: 4}},
		{"terminate 2", FromProto(a, "TerminateInstances", &ec2labv1.InstanceIdsRequest{InstanceIds: []string{"i-1", "i-2"}}),
			Request{Account: a, Action: "TerminateInstances", Filtered: true, Instances: 2}},
	} {
		if c.got != c.want {
			t.Errorf("%s: %+v, want %+v", c.name, c.got, c.want)
		}
	}
}

func TestConfigValidate(t *testing.T) {
	for _, c := range []struct {
		name string
		cfg  Config
		ok   bool
	}{
		{"empty", Config{}, true},
		{"override", Config{Buckets: map[Class]Bucket{Mutating: {Size: 10, Refill: 1}}}, true},
		{"unknown class", Config{Buckets: map[Class]Bucket{"describe": {Size: 10, Refill: 1}}}, false},
		{"zero size", Config{Accounts: map[string]map[Class]Bucket{"1": {Mutating: {Size: 0, Refill: 1}}}}, false},
	} {
		if err := c.cfg.Validate(); (err == nil) != c.ok {
			t.Errorf("%s: %v, want ok=%v", c.name, err, c.ok)
		}
	}
}
