package ec2query

import (
	"context"
	"strings"
	"testing"

	"google.golang.org/protobuf/encoding/prototext"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// The fake's answers to the instance and account operations
// (testdata/instanceops.py asserts the same).

// DescribeInstanceTypeOfferings answers two zone offerings, one per page
// when MaxResults is given.
func (f *fakeCompute) DescribeInstanceTypeOfferings(ctx context.Context, r *ec2labv1.DescribeInstanceTypeOfferingsRequest) (*ec2labv1.DescribeInstanceTypeOfferingsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	lt := r.GetLocationType()
	if lt == "" {
		lt = "region"
	}
	all := []*ec2labv1.InstanceTypeOffering{{InstanceType: "t3.micro", LocationType: lt, Location: fakeZone},
		{InstanceType: "g4dn.xlarge", LocationType: lt, Location: "lab-1b"}}
	switch {
	case r.GetNextToken() == "page-2":
		return &ec2labv1.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all[1:]}, nil
	case r.GetMaxResults() > 0:
		return &ec2labv1.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all[:1], NextToken: "page-2"}, nil
	}
	return &ec2labv1.DescribeInstanceTypeOfferingsResponse{InstanceTypeOfferings: all}, nil
}

// TestInstanceOpsParameters checks what the wire forms botocore sends
// become.
func TestInstanceOpsParameters(t *testing.T) {
	tests := []struct{ form, want string }{
		{"Action=DescribeInstanceTypeOfferings&LocationType=availability-zone&Filter.1.Name=location&Filter.1.Value.1=lab-1a&MaxResults=5&NextToken=abc&DryRun=true",
			`location_type:"availability-zone" filters:{name:"location" values:"lab-1a"} max_results:5 next_token:"abc" dry_run:true`},
	}
	for _, tt := range tests {
		f := &fakeCompute{}
		rep := post(t, testHandler(f), tt.form+"&Version=2016-11-15")
		if len(f.calls) == 0 {
			t.Errorf("%s: %d %s, no call", tt.form, rep.status, rep.body)
			continue
		}
		if got := f.calls[len(f.calls)-1]; !equalsText(t, got, tt.want) {
			t.Errorf("%s: Compute got\n%s\nwant\n%s", tt.form, prototext.Format(got), tt.want)
		}
	}
}

// TestInstanceOpsDocuments checks the answers' elements.
func TestInstanceOpsDocuments(t *testing.T) {
	tests := []struct{ form, want string }{
		{"Action=DescribeInstanceTypeOfferings&LocationType=availability-zone",
			"<instanceTypeOfferingSet><item><instanceType>t3.micro</instanceType><locationType>availability-zone</locationType><location>lab-1a</location></item>"},
		{"Action=DescribeInstanceTypeOfferings&MaxResults=5", "</instanceTypeOfferingSet><nextToken>page-2</nextToken>"},
	}
	for _, tt := range tests {
		rep := post(t, testHandler(&fakeCompute{}), tt.form+"&Version=2016-11-15")
		if rep.status != 200 || !strings.Contains(rep.body, tt.want) {
			t.Errorf("%s: got %d %s, want it to contain %s", tt.form, rep.status, rep.body, tt.want)
		}
	}
}

// TestBotoInstanceOps runs boto3's calls of the instance and account
// operations against the handler, each answer checked against botocore's
// model (testdata/instanceops.py).
func TestBotoInstanceOps(t *testing.T) {
	needBoto3(t)
	srv, _ := signedServer(t)
	out := runClient(t, srv, "", "python3", "testdata/instanceops.py")
	if !strings.Contains(out, "INSTANCE OPS OK") {
		t.Fatalf("instanceops.py:\n%s", out)
	}
	t.Log(strings.TrimSpace(out))
}
