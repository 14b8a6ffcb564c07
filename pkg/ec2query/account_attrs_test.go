package ec2query

import (
	"context"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// attrsFake answers DescribeAccountAttributes with attrs, or err.
type attrsFake struct {
	*fakeCompute
	attrs []*ec2labv1.AccountAttribute
	err   error
}

func (f *attrsFake) DescribeAccountAttributes(ctx context.Context, r *ec2labv1.DescribeAccountAttributesRequest) (*ec2labv1.DescribeAccountAttributesResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	return &ec2labv1.DescribeAccountAttributesResponse{AccountAttributes: f.attrs}, f.err
}

// TestDescribeAccountAttributes: the attributes Compute answers are
// encoded as EC2's accountAttributeSet, the names asked for reach Compute,
// and Compute's error is the caller's.
func TestDescribeAccountAttributes(t *testing.T) {
	attrs := []*ec2labv1.AccountAttribute{{AttributeName: "default-vpc", AttributeValues: []string{"vpc-0ddddddddddddddd1"}},
		{AttributeName: "max-instances", AttributeValues: []string{"64"}}}
	tests := []struct {
		name, form string
		err        error
		status     int
		want       []string
	}{
		{"all", "", nil, 200, []string{"<item><attributeName>default-vpc</attributeName><attributeValueSet><item><attributeValue>vpc-0ddddddddddddddd1</attributeValue></item></attributeValueSet></item>",
			"<attributeName>max-instances</attributeName><attributeValueSet><item><attributeValue>64</attributeValue>"}},
		{"refused", "&AttributeName.1=nope", ec2err.New(ec2err.InvalidParameterValue, "Value (nope) for parameter attributeName is invalid"), 400,
			[]string{"<Code>InvalidParameterValue</Code>"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &attrsFake{fakeCompute: &fakeCompute{}, attrs: attrs, err: tt.err}
			h := NewHandler(Options{Compute: f, Verify: acceptAll, Logger: testHandlerLogger()})
			rep := post(t, h, "Action=DescribeAccountAttributes&Version=2016-11-15"+tt.form)
			if rep.status != tt.status {
				t.Errorf("status %d: %s", rep.status, rep.body)
			}
			for _, w := range tt.want {
				if !strings.Contains(rep.body, w) {
					t.Errorf("body lacks %s:\n%s", w, rep.body)
				}
			}
		})
	}
	f := &attrsFake{fakeCompute: &fakeCompute{}, attrs: attrs}
	post(t, NewHandler(Options{Compute: f, Verify: acceptAll, Logger: testHandlerLogger()}),
		"Action=DescribeAccountAttributes&Version=2016-11-15&AttributeName.1=default-vpc&AttributeName.2=max-instances")
	if got := received[*ec2labv1.DescribeAccountAttributesRequest](f.fakeCompute); len(got) != 1 ||
		strings.Join(got[0].GetAttributeNames(), ",") != "default-vpc,max-instances" {
		t.Errorf("Compute got %v", got)
	}
}
