package controller_test

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/throttle"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestQuotaThroughBothEdges: a quota's refusal reaches aws-sdk-go-v2 as
// its EC2 code with HTTP 400 and the gRPC client as ResourceExhausted
// carrying the code; acct2's override lets it go one further; and
// DescribeAccountAttributes reports each account's max-instances.
func TestQuotaThroughBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	rig.SetQuotas(controller.QuotaConfig{Defaults: map[string]int64{controller.QuotaVPCs: 2},
		Accounts: map[string]map[string]int64{rig.Acct2: {controller.QuotaVPCs: 3, controller.QuotaVCPUs: 12}}})
	e := newEdges(t, rig.Svc, rig.Acct1, rig.Acct2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for _, c := range []struct {
		acct         string
		fits         int // VPCs besides the default one
		maxInstances string
	}{{rig.Acct1, 1, "64"}, {rig.Acct2, 2, "12"}} {
		if _, err := e.sdk[c.acct].DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil { // makes the default VPC
			t.Fatal(err)
		}
		for i := range c.fits {
			if _, err := e.sdk[c.acct].CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String(fmt.Sprintf("10.%d.0.0/16", i))}); err != nil {
				t.Fatalf("%s: CreateVpc %d: %v", c.acct, i, err)
			}
		}
		_, err := e.sdk[c.acct].CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.99.0.0/16")})
		if got := sdkOutcome(err); got.code != ec2err.VpcLimitExceeded || got.httpState != http.StatusBadRequest {
			t.Errorf("%s: Query API over the quota: %+v (%v)", c.acct, got, err)
		}
		_, err = e.grpc[c.acct].CreateVpc(ctx, &v1.CreateVpcRequest{CidrBlock: "10.98.0.0/16"})
		if got := grpcOutcome(err); got.code != ec2err.VpcLimitExceeded || got.grpcCode != codes.ResourceExhausted {
			t.Errorf("%s: gRPC over the quota: %+v (%v)", c.acct, got, err)
		}
		out, err := e.sdk[c.acct].DescribeVpcs(ctx, &ec2.DescribeVpcsInput{})
		if err != nil || len(out.Vpcs) != c.fits+1 {
			t.Errorf("%s: %d VPCs after the refusals (%v), want %d", c.acct, len(out.Vpcs), err, c.fits+1)
		}
		attrs, err := e.sdk[c.acct].DescribeAccountAttributes(ctx, &ec2.DescribeAccountAttributesInput{
			AttributeNames: []types.AccountAttributeName{types.AccountAttributeNameDefaultVpc, "max-instances"}})
		if err != nil || len(attrs.AccountAttributes) != 2 ||
			aws.ToString(attrs.AccountAttributes[1].AttributeValues[0].AttributeValue) != c.maxInstances {
			t.Errorf("%s: account attributes %+v (%v), want max-instances %s", c.acct, attrs, err, c.maxInstances)
		}
	}
}

// TestThrottleSharedByBothEdges: the gRPC edge refuses a call over the
// account's bucket with ResourceExhausted carrying RequestLimitExceeded
// and a grpc-retry-pushback-ms trailer; the Query API draws from the same
// bucket (503), while another account's is untouched.
func TestThrottleSharedByBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	lim := throttle.New(throttle.Config{Buckets: map[throttle.Class]throttle.Bucket{
		throttle.UnfilteredNonMutating: {Size: 2, Refill: 0.2}}})
	e := newThrottledEdges(t, rig.Svc, lim, rig.Acct1, rig.Acct2)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range 2 {
		if _, err := e.grpc[rig.Acct1].DescribeVpcs(ctx, &v1.DescribeVpcsRequest{}); err != nil {
			t.Fatalf("call %d within the bucket: %v", i, err)
		}
	}
	var trailer metadata.MD
	_, err := e.grpc[rig.Acct1].DescribeVpcs(ctx, &v1.DescribeVpcsRequest{}, grpc.Trailer(&trailer))
	if got := grpcOutcome(err); got.code != ec2err.RequestLimitExceeded || got.grpcCode != codes.ResourceExhausted {
		t.Fatalf("gRPC over the bucket: %+v (%v)", got, err)
	}
	if ms, _ := strconv.Atoi(first(trailer.Get("grpc-retry-pushback-ms"))); ms < 1000 {
		t.Errorf("grpc-retry-pushback-ms %v, want about 5000", trailer.Get("grpc-retry-pushback-ms"))
	}
	noRetry := func(o *ec2.Options) { o.RetryMaxAttempts = 1 }
	_, err = e.sdk[rig.Acct1].DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}, noRetry)
	if got := sdkOutcome(err); got.code != ec2err.RequestLimitExceeded || got.httpState != http.StatusServiceUnavailable {
		t.Errorf("Query API, same account: %+v (%v)", got, err)
	}
	if _, err := e.sdk[rig.Acct2].DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}, noRetry); err != nil {
		t.Errorf("another account: %v", err)
	}
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}
