package api

import (
	"context"
	"time"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// ReportInstanceStatus records the caller's report about its instances.
func (c *Compute) ReportInstanceStatus(ctx context.Context, r *v1.ReportInstanceStatusRequest) (*v1.ReportInstanceStatusResponse, error) {
	req := controller.ReportRequest{InstanceIDs: r.GetInstanceIds(), Status: r.GetStatus(), Reasons: r.GetReasonCodes(),
		Description: r.GetDescription(), DryRun: r.GetDryRun()}
	for _, t := range []struct {
		name, v string
		dst     *time.Time
	}{{"StartTime", r.GetStartTime(), &req.Start}, {"EndTime", r.GetEndTime(), &req.End}} {
		if t.v == "" {
			continue
		}
		parsed, err := time.Parse(time.RFC3339, t.v)
		if err != nil {
			return nil, ec2err.New(ec2err.InvalidParameterValue, "Value (%s) for parameter %s is invalid. Expected an ISO 8601 time", t.v, t.name)
		}
		*t.dst = parsed.UTC()
	}
	if err := c.svc.ReportInstanceStatus(ctx, req); err != nil {
		return nil, err
	}
	return &v1.ReportInstanceStatusResponse{}, nil
}
