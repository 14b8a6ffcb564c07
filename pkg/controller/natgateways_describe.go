package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// DescribeNatGateways lists the caller's NAT gateways (deleted ones stay
// listed for natGatewayKept, as in EC2).
func (s *Service) DescribeNatGateways(ctx context.Context, idList []string, filters []Filter, p Page) ([]NatGateway, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	for _, id := range idList {
		if !ids.Valid(ids.NatGateway, id) {
			return nil, "", ec2err.New(ec2err.NatGatewayMalformed, "The NAT gateway ID '%s' is malformed", id)
		}
	}
	all, err := store.ListJSON[NatGateway](ctx, s.st, prefixNatGateway)
	if err != nil {
		return nil, "", err
	}
	return selectPage(all, selection[NatGateway]{IDs: idList, Filters: filters, Page: p,
		ID: func(g NatGateway) string { return g.ID }, Field: natGatewayField,
		Keep:     func(g NatGateway) bool { return g.Owner == acct },
		NotFound: natGatewayNotFound})
}

// natGatewayField answers the filters EC2 documents for
// DescribeNatGateways.
func natGatewayField(g NatGateway, name string) ([]string, bool) {
	switch name {
	case "nat-gateway-id":
		return []string{g.ID}, true
	case "state":
		return []string{g.State}, true
	case "subnet-id":
		return []string{g.SubnetID}, true
	case "vpc-id":
		return []string{g.VpcID}, true
	}
	return tagField(g.Tags, name)
}
