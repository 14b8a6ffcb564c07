package controller

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/ec2err"
	"github.com/ec2lab/ec2lab/pkg/ids"
	"github.com/ec2lab/ec2lab/pkg/store"
)

// DescribeInternetGateways lists the caller's internet gateways.
func (s *Service) DescribeInternetGateways(ctx context.Context, idList []string, filters []Filter, p Page) ([]InternetGateway, string, error) {
	acct, err := account(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := checkMaxResults(p, len(idList) > 0, 5, 1000); err != nil {
		return nil, "", err
	}
	for _, id := range idList {
		if !ids.Valid(ids.InternetGateway, id) {
			return nil, "", ec2err.New(ec2err.InvalidInternetGatewayIDMalformed, "Invalid id: \"%s\" (expecting \"igw-...\")", id)
		}
	}
	all, err := store.ListJSON[InternetGateway](ctx, s.st, prefixInternetGateway)
	if err != nil {
		return nil, "", err
	}
	return selectPage(all, selection[InternetGateway]{IDs: idList, Filters: filters, Page: p,
		ID: func(g InternetGateway) string { return g.ID }, Field: internetGatewayField,
		Keep:     func(g InternetGateway) bool { return g.Owner == acct },
		NotFound: internetGatewayNotFound})
}

// internetGatewayField answers the filters EC2 documents for
// DescribeInternetGateways.
func internetGatewayField(g InternetGateway, name string) ([]string, bool) {
	switch name {
	case "internet-gateway-id":
		return []string{g.ID}, true
	case "owner-id":
		return []string{g.Owner}, true
	case "attachment.vpc-id":
		return memberValues([]string{g.VpcID}, func(v string) string { return v }), true
	case "attachment.state":
		if g.VpcID == "" {
			return nil, true
		}
		return []string{GatewayAttachmentAvailable}, true
	}
	return tagField(g.Tags, name)
}
