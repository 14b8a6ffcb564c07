package ctl

import (
	"slices"
	"strconv"
	"strings"
	"testing"
)

// servedWaiters are botocore's EC2 waiters whose operation ec2lab serves:
// every one must be an ec2ctl waiter.
var servedWaiters = []string{
	"image-available", "image-exists", "instance-exists", "internet-gateway-exists", "instance-running", "instance-status-ok",
	"instance-stopped", "instance-terminated", "key-pair-exists", "nat-gateway-available", "nat-gateway-deleted", "network-interface-available",
	"security-group-exists", "snapshot-completed", "subnet-available", "system-status-ok",
	"volume-available", "volume-deleted", "volume-in-use", "vpc-available", "vpc-exists",
}

// TestWaitersAreBotocores: each served waiter is a `wait` subcommand with
// botocore's delay and attempts as defaults, and the model has no waiter
// ec2ctl cannot poll.
func TestWaitersAreBotocores(t *testing.T) {
	root := NewRootCommand()
	model := loadModel().Waiters
	for _, name := range servedWaiters {
		w := model[name]
		if w == nil {
			t.Errorf("%s: not in awsmodel.json", name)
			continue
		}
		cmd, _, err := root.Find([]string{"wait", name})
		if err != nil || cmd.Name() != name {
			t.Errorf("no ec2ctl wait %s: %v", name, err)
			continue
		}
		if d, n := cmd.Flags().Lookup("delay").DefValue, cmd.Flags().Lookup("max-attempts").DefValue; d != strconv.Itoa(w.Delay) || n != strconv.Itoa(w.MaxAttempts) {
			t.Errorf("%s: --delay %s --max-attempts %s, botocore has %d and %d", name, d, n, w.Delay, w.MaxAttempts)
		}
	}
	for name, w := range model {
		if _, ok := waiterSources[w.Op]; !ok {
			t.Errorf("%s polls %s, which has no waiterSources entry", name, w.Op)
		}
		if !slices.Contains(servedWaiters, name) {
			t.Errorf("%s is new in botocore: add it to servedWaiters and test it", name)
		}
	}
}

// TestWaiterMatchers decides single polls with botocore's acceptors: the
// path, status and error matchers the newer waiters use.
func TestWaiterMatchers(t *testing.T) {
	notFound := func(code string) *ServiceError { return &ServiceError{Op: "x", Code: code, Message: "m"} }
	obj := func(k string, v any) *Object { return NewObject().Set(k, v) }
	tests := []struct {
		waiter string
		doc    any
		err    *ServiceError
		state  string
		reason string
	}{
		{"instance-exists", obj("Reservations", []any{obj("ReservationId", "r-1")}), nil, "success",
			"For expression \"length(Reservations[]) > `0`\" we matched expected path: \"True\""},
		{"instance-exists", obj("Reservations", []any{}), nil, "", ""},
		{"instance-exists", nil, notFound("InvalidInstanceID.NotFound"), "retry", "Matched expected service error code: InvalidInstanceID.NotFound"},
		{"image-exists", obj("Images", []any{}), nil, "", ""},
		{"key-pair-exists", obj("KeyPairs", []any{obj("KeyName", "lab")}), nil, "success", ""},
		{"key-pair-exists", nil, notFound("InvalidKeyPair.NotFound"), "retry", ""},
		{"security-group-exists", nil, notFound("InvalidGroup.NotFound"), "retry", ""},
		{"internet-gateway-exists", obj("InternetGateways", []any{obj("InternetGatewayId", "igw-1")}), nil, "success", ""},
		// botocore retries on InvalidInternetGateway.NotFound, not on the code EC2 answers.
		{"internet-gateway-exists", nil, notFound("InvalidInternetGateway.NotFound"), "retry", ""},
		{"nat-gateway-available", obj("NatGateways", []any{obj("State", "pending")}), nil, "", ""},
		{"nat-gateway-available", obj("NatGateways", []any{obj("State", "available")}), nil, "success", ""},
		{"nat-gateway-available", obj("NatGateways", []any{obj("State", "deleting")}), nil, "failure", ""},
		{"nat-gateway-available", nil, notFound("NatGatewayNotFound"), "retry", ""},
		{"nat-gateway-deleted", obj("NatGateways", []any{obj("State", "deleting")}), nil, "", ""},
		{"nat-gateway-deleted", obj("NatGateways", []any{obj("State", "deleted")}), nil, "success", ""},
		{"nat-gateway-deleted", nil, notFound("NatGatewayNotFound"), "success", ""},
		{"vpc-exists", obj("Vpcs", []any{}), nil, "success", "Matched expected HTTP status code: 200"},
		{"vpc-exists", nil, notFound("InvalidVpcID.NotFound"), "retry", ""},
		{"vpc-exists", nil, notFound("UnauthorizedOperation"), "failure", ""},
		{"volume-deleted", nil, notFound("InvalidVolume.NotFound"), "success", "Matched expected service error code: InvalidVolume.NotFound"},
		{"volume-deleted", obj("Volumes", []any{obj("State", "deleting")}), nil, "", ""},
		{"network-interface-available", nil, notFound("InvalidNetworkInterfaceID.NotFound"), "failure", ""},
		{"network-interface-available", obj("NetworkInterfaces", []any{obj("Status", "available")}), nil, "success", ""},
		{"subnet-available", obj("Subnets", []any{obj("State", "pending")}), nil, "", ""},
		{"vpc-available", obj("Vpcs", []any{obj("State", "available"), obj("State", "available")}), nil, "success", ""},
	}
	specs := map[string]*waiterSpec{}
	for _, w := range waiterSpecs() {
		specs[w.use] = w
	}
	for _, tt := range tests {
		var callErr error
		if tt.err != nil {
			callErr = tt.err
		}
		state, reason, err := specs[tt.waiter].decide(tt.doc, callErr)
		if err != nil || state != tt.state || (tt.reason != "" && reason != tt.reason) {
			t.Errorf("%s: got %q %q %v, want %q %q", tt.waiter, state, reason, err, tt.state, tt.reason)
		}
	}
}

// TestNewWaitersMatchAWSCLI: the waiters polling VPCs, subnets, key
// pairs, security groups and network interfaces end as `aws ec2 wait`
// does over the same fake.
func TestNewWaitersMatchAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"wait", "vpc-available"},
		{"wait", "vpc-exists", "--vpc-ids", sampleVpcID},
		{"wait", "subnet-available", "--subnet-ids", sampleSubnetID},
		{"wait", "key-pair-exists", "--key-names", "lab"},
		{"wait", "security-group-exists", "--group-ids", sampleGroup},
		{"wait", "image-exists", "--image-ids", "ami-0123456789abcdef0"},
		{"wait", "instance-exists", "--instance-ids", "i-0123456789abcdef0"},
		{"wait", "network-interface-available", "--network-interface-ids", "eni-00000000000000000"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			_, awsErr, awsCode := aws.run(args...)
			out, errOut, code := h.run(args...)
			if awsCode == 255 {
				awsCode = ExitOther
			}
			lines := strings.Split(strings.TrimSpace(awsErr), "\n")
			if code != awsCode || out != "" || !strings.Contains(errOut, lines[len(lines)-1]) {
				t.Errorf("ec2ctl exit %d: %s\naws exit %d: %s", code, errOut, awsCode, awsErr)
			}
		})
	}
}
