package api

import (
	"context"

	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeAccountAttributes answers the account's attributes (platforms,
// default VPC, the instance quota).
func (c *Compute) DescribeAccountAttributes(ctx context.Context, r *v1.DescribeAccountAttributesRequest) (*v1.DescribeAccountAttributesResponse, error) {
	attrs, err := c.svc.AccountAttributes(ctx, r.GetAttributeNames())
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeAccountAttributesResponse{}
	for _, a := range attrs {
		out.AccountAttributes = append(out.AccountAttributes, &v1.AccountAttribute{AttributeName: a.Name, AttributeValues: a.Values})
	}
	return out, nil
}
