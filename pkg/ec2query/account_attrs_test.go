package ec2query

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"testing"

	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// vpcsFake answers DescribeVpcs with vpcs, honouring the is-default filter.
type vpcsFake struct {
	*fakeCompute
	vpcs []*ec2labv1.Vpc
}

func (f *vpcsFake) DescribeVpcs(ctx context.Context, r *ec2labv1.DescribeVpcsRequest) (*ec2labv1.DescribeVpcsResponse, error) {
	if err := f.record(ctx, r); err != nil {
		return nil, err
	}
	out := &ec2labv1.DescribeVpcsResponse{}
	for _, v := range f.vpcs {
		keep := true
		for _, flt := range r.GetFilters() {
			if flt.GetName() == "is-default" && !slices.Contains(flt.GetValues(), strconv.FormatBool(v.GetIsDefault())) {
				keep = false
			}
		}
		if keep {
			out.Vpcs = append(out.Vpcs, v)
		}
	}
	return out, nil
}

// TestDescribeAccountAttributes: default-vpc is the caller's real default
// VPC (asked of Compute), "none" when it has none.
func TestDescribeAccountAttributes(t *testing.T) {
	tests := []struct {
		name string
		vpcs []*ec2labv1.Vpc
		want string
	}{
		{"default VPC", []*ec2labv1.Vpc{{VpcId: "vpc-0aaaaaaaaaaaaaaa1"}, {VpcId: "vpc-0ddddddddddddddd1", IsDefault: true}},
			"<attributeValue>vpc-0ddddddddddddddd1</attributeValue>"},
		{"none", []*ec2labv1.Vpc{{VpcId: "vpc-0aaaaaaaaaaaaaaa1"}}, "<attributeValue>none</attributeValue>"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := &vpcsFake{fakeCompute: &fakeCompute{}, vpcs: tt.vpcs}
			h := NewHandler(Options{Compute: f, Verify: acceptAll, Logger: testHandlerLogger()})
			rep := post(t, h, "Action=DescribeAccountAttributes&Version=2016-11-15")
			if rep.status != 200 || !strings.Contains(rep.body, "<attributeName>default-vpc</attributeName>") ||
				!strings.Contains(rep.body, tt.want) || !strings.Contains(rep.body, "<attributeValue>VPC</attributeValue>") {
				t.Errorf("got %d %s, want default-vpc %s", rep.status, rep.body, tt.want)
			}
		})
	}
}
