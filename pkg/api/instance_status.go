package api

import (
	"context"

	"github.com/ec2lab/ec2lab/pkg/controller"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// DescribeInstanceStatus reports instances' status checks.
func (c *Compute) DescribeInstanceStatus(ctx context.Context, r *v1.DescribeInstanceStatusRequest) (*v1.DescribeInstanceStatusResponse, error) {
	list, next, err := c.svc.DescribeInstanceStatus(ctx, controller.StatusQuery{IDs: r.GetInstanceIds(),
		Filters: filtersIn(r.GetFilters()), IncludeAll: r.GetIncludeAllInstances(), Page: page(r.GetMaxResults(), r.GetNextToken()),
		DryRun: r.GetDryRun()})
	if err != nil {
		return nil, err
	}
	out := &v1.DescribeInstanceStatusResponse{NextToken: next}
	for _, st := range list {
		out.InstanceStatuses = append(out.InstanceStatuses, &v1.InstanceStatus{InstanceId: st.InstanceID,
			AvailabilityZone: st.AZ, InstanceState: state(st.State),
			SystemStatus: statusSummaryOut(st.System), InstanceStatus: statusSummaryOut(st.Instance)})
	}
	return out, nil
}

// statusSummaryOut is EC2's InstanceStatusSummary: the reachability
// detail, when the check applies.
func statusSummaryOut(c controller.StatusCheck) *v1.InstanceStatusSummary {
	out := &v1.InstanceStatusSummary{Status: c.Status}
	if c.Reachability != "" {
		out.Details = []*v1.InstanceStatusDetails{{Name: "reachability", Status: c.Reachability,
			ImpairedSince: ts(c.ImpairedSince)}}
	}
	return out
}
