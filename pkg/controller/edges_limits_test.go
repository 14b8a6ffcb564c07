package controller_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"google.golang.org/grpc/codes"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestRunCountsRefusedOnBothEdges: MinCount/MaxCount of zero, negative or
// MinCount above MaxCount are InvalidParameterValue on the gRPC edge and
// through the AWS SDK (before, 0/0 launched one instance on both), and
// nothing is launched; a valid 1/1 launches one.
func TestRunCountsRefusedOnBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	g, q := e.grpc[rig.Acct1], e.sdk[rig.Acct1]
	count := func() int {
		t.Helper()
		out, err := g.DescribeInstances(ctx, &v1.DescribeInstancesRequest{})
		if err != nil {
			t.Fatal(err)
		}
		n := 0
		for _, r := range out.GetReservations() {
			n += len(r.GetInstances())
		}
		return n
	}
	before := count()
	tests := []struct {
		name          string
		min, max      int32
		wantInMessage string
	}{
		{"both zero", 0, 0, "Value (0) for parameter minCount is invalid"},
		{"MinCount zero", 0, 1, "Value (0) for parameter minCount is invalid"},
		{"MaxCount zero", 1, 0, "Value (0) for parameter maxCount is invalid"},
		{"MinCount above MaxCount", 3, 2, "Value (3) for parameter minCount is invalid"},
		{"negative MinCount", -1, 1, "Value (-1) for parameter minCount is invalid"},
		{"negative MaxCount", 1, -2, "Value (-2) for parameter maxCount is invalid"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, gerr := g.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: rig.AMI, InstanceType: "lab.tiny", MinCount: tt.min, MaxCount: tt.max})
			if got := grpcOutcome(gerr); got.code != ec2err.InvalidParameterValue || got.grpcCode != codes.InvalidArgument {
				t.Errorf("gRPC edge: %+v (%v), want InvalidParameterValue / InvalidArgument", got, gerr)
			}
			_, qerr := q.RunInstances(ctx, &ec2.RunInstancesInput{ImageId: aws.String(rig.AMI), InstanceType: types.InstanceType("lab.tiny"),
				MinCount: aws.Int32(tt.min), MaxCount: aws.Int32(tt.max)})
			if got := sdkOutcome(qerr); got.code != ec2err.InvalidParameterValue || got.httpState != http.StatusBadRequest {
				t.Errorf("Query API: %+v (%v), want InvalidParameterValue / 400", got, qerr)
			}
			for _, err := range []error{gerr, qerr} {
				if err == nil || !strings.Contains(err.Error(), tt.wantInMessage) {
					t.Errorf("message %v, want it to contain %q", err, tt.wantInMessage)
				}
			}
		})
	}
	if got := count(); got != before {
		t.Fatalf("%d instances after the refused launches, want %d (nothing launched)", got, before)
	}
	if _, err := g.RunInstances(ctx, &v1.RunInstancesRequest{ImageId: rig.AMI, InstanceType: "lab.tiny", MinCount: 1, MaxCount: 1}); err != nil {
		t.Fatalf("MinCount=MaxCount=1: %v", err)
	}
	if got := count(); got != before+1 {
		t.Errorf("%d instances after a valid launch, want %d", got, before+1)
	}
}
