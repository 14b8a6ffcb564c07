package controller_test

import (
	"context"
	"net/http"
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

// TestInstanceAttributesThroughBothEdges: what Terraform's aws_instance
// does with aws-sdk-go-v2 (protect, read the attributes back, be refused
// a terminate) works against the real controller, and the gRPC edge
// answers alike.
func TestInstanceAttributesThroughBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	sdk, g := e.sdk[rig.Acct1], e.grpc[rig.Acct1]
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := sdk.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(rig.Instance),
		DisableApiTermination: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		t.Fatal(err)
	}
	if _, err := sdk.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(rig.Instance),
		InstanceInitiatedShutdownBehavior: &types.AttributeValue{Value: aws.String("terminate")}}); err != nil {
		t.Fatal(err)
	}
	read := func(name types.InstanceAttributeName) *ec2.DescribeInstanceAttributeOutput {
		t.Helper()
		out, err := sdk.DescribeInstanceAttribute(ctx, &ec2.DescribeInstanceAttributeInput{InstanceId: aws.String(rig.Instance), Attribute: name})
		if err != nil || aws.ToString(out.InstanceId) != rig.Instance {
			t.Fatalf("DescribeInstanceAttribute %s: %v %v", name, out, err)
		}
		return out
	}
	if v := read(types.InstanceAttributeNameDisableApiTermination).DisableApiTermination; v == nil || !aws.ToBool(v.Value) {
		t.Errorf("disableApiTermination %v, want true", v)
	}
	if v := read(types.InstanceAttributeNameDisableApiStop).DisableApiStop; v == nil || aws.ToBool(v.Value) {
		t.Errorf("disableApiStop %v, want false", v)
	}
	if v := read(types.InstanceAttributeNameInstanceInitiatedShutdownBehavior).InstanceInitiatedShutdownBehavior; v == nil || aws.ToString(v.Value) != "terminate" {
		t.Errorf("instanceInitiatedShutdownBehavior %v, want terminate", v)
	}
	if v := read(types.InstanceAttributeNameUserData).UserData; v == nil || v.Value != nil {
		t.Errorf("userData %v, want an empty member (no user data)", v)
	}
	if gs := read(types.InstanceAttributeNameGroupSet).Groups; len(gs) != 1 || aws.ToString(gs[0].GroupName) != "default" {
		t.Errorf("groupSet %v, want the default group", gs)
	}
	attr, err := g.DescribeInstanceAttribute(ctx, &v1.DescribeInstanceAttributeRequest{InstanceId: rig.Instance, Attribute: "disableApiTermination"})
	if err != nil || !attr.GetDisableApiTermination().GetValue() {
		t.Errorf("gRPC disableApiTermination: %v %v", attr, err)
	}

	_, gerr := g.TerminateInstances(ctx, &v1.InstanceIdsRequest{InstanceIds: []string{rig.Instance}})
	if got := grpcOutcome(gerr); got.code != ec2err.OperationNotPermitted {
		t.Errorf("gRPC terminate of a protected instance: %+v", got)
	}
	_, qerr := sdk.TerminateInstances(ctx, &ec2.TerminateInstancesInput{InstanceIds: []string{rig.Instance}})
	if got := sdkOutcome(qerr); got.code != ec2err.OperationNotPermitted || got.httpState != http.StatusBadRequest {
		t.Errorf("Query API terminate of a protected instance: %+v", got)
	}
	_, qerr = sdk.ModifyInstanceAttribute(ctx, &ec2.ModifyInstanceAttributeInput{InstanceId: aws.String(rig.Instance),
		UserData: &types.SecureBlobAttributeValue{Value: []byte("#!/bin/sh\n")}})
	if got := sdkOutcome(qerr); got.code != ec2err.IncorrectInstanceState {
		t.Errorf("user data of a running instance: %+v", got)
	}
	_, gerr = g.ModifyInstanceAttribute(ctx, &v1.ModifyInstanceAttributeRequest{InstanceId: rig.Instance,
		DisableApiStop: &v1.AttributeBooleanValue{Value: true}, DisableApiTermination: &v1.AttributeBooleanValue{}})
	if got := grpcOutcome(gerr); got.code != ec2err.InvalidParameterCombination || got.grpcCode != codes.InvalidArgument {
		t.Errorf("gRPC two attributes: %+v", got)
	}
}

// TestInstanceStatusThroughBothEdges: DescribeInstanceStatus answers the
// running instance on both edges; without a heartbeat since the controller
// started, its checks have insufficient data.
func TestInstanceStatusThroughBothEdges(t *testing.T) {
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := e.sdk[rig.Acct1].DescribeInstanceStatus(ctx, &ec2.DescribeInstanceStatusInput{InstanceIds: []string{rig.Instance}})
	if err != nil || len(out.InstanceStatuses) != 1 {
		t.Fatalf("Query API: %v %v", out, err)
	}
	st := out.InstanceStatuses[0]
	if aws.ToString(st.InstanceId) != rig.Instance || st.InstanceState.Name != types.InstanceStateNameRunning ||
		st.SystemStatus.Status != types.SummaryStatusInsufficientData || st.InstanceStatus.Status != types.SummaryStatusInsufficientData ||
		len(st.SystemStatus.Details) != 1 || st.SystemStatus.Details[0].Name != types.StatusNameReachability {
		t.Errorf("Query API status: %+v", st)
	}
	gs, err := e.grpc[rig.Acct1].DescribeInstanceStatus(ctx, &v1.DescribeInstanceStatusRequest{IncludeAllInstances: true})
	if err != nil || len(gs.GetInstanceStatuses()) != 1 || gs.GetInstanceStatuses()[0].GetSystemStatus().GetStatus() != "insufficient-data" {
		t.Errorf("gRPC edge: %v %v", gs, err)
	}
}
