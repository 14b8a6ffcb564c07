package server_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/server"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// regionsOnly answers DescribeRegions, to show EC2 calls still reach the
// Query API on the same listener.
type regionsOnly struct{ v1.UnimplementedComputeServer }

func (regionsOnly) DescribeRegions(context.Context, *v1.DescribeRegionsRequest) (*v1.DescribeRegionsResponse, error) {
	return &v1.DescribeRegionsResponse{Regions: []*v1.Region{{RegionName: "lab-1", Endpoint: "http://lab-1"}}}, nil
}

// TestIdentityCallsOnTheEC2Endpoint: the unmodified AWS SDK finds the
// caller's account with STS GetCallerIdentity and IAM GetUser on ec2d's
// HTTP listener (as Terraform and Ansible do), signed for their own
// services, while EC2 calls on the same listener still reach the Query API.
func TestIdentityCallsOnTheEC2Endpoint(t *testing.T) {
	k := auth.Key{AccessKeyID: "AKIAEXAMPLE000000001", SecretAccessKey: "secret-1", AccountID: "123456789012"}
	keys := auth.StaticKeys{k.AccessKeyID: k}
	srv := httptest.NewServer(server.NewHTTPHandler(regionsOnly{}, keys, slog.New(slog.NewTextHandler(io.Discard, nil))))
	defer srv.Close()
	creds := func(secret string) aws.CredentialsProvider {
		return credentials.NewStaticCredentialsProvider(k.AccessKeyID, secret, "")
	}
	ctx := context.Background()

	id, err := sts.New(sts.Options{Region: "lab-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds(k.SecretAccessKey)}).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		t.Fatalf("GetCallerIdentity: %v", err)
	}
	wantArn := "arn:aws:iam::123456789012:user/" + k.AccessKeyID
	if aws.ToString(id.Account) != k.AccountID || aws.ToString(id.Arn) != wantArn || !strings.HasPrefix(aws.ToString(id.UserId), "AIDA") {
		t.Errorf("GetCallerIdentity: account %q arn %q user %q", aws.ToString(id.Account), aws.ToString(id.Arn), aws.ToString(id.UserId))
	}

	u, err := iam.New(iam.Options{Region: "lab-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds(k.SecretAccessKey)}).
		GetUser(ctx, &iam.GetUserInput{})
	if err != nil {
		t.Fatalf("GetUser: %v", err)
	}
	if aws.ToString(u.User.Arn) != wantArn || aws.ToString(u.User.UserName) != k.AccessKeyID {
		t.Errorf("GetUser: %+v", u.User)
	}

	_, err = sts.New(sts.Options{Region: "lab-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds("wrong")}).
		GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "AuthFailure" {
		t.Errorf("GetCallerIdentity with a wrong secret: %v, want AuthFailure", err)
	}
	_, err = iam.New(iam.Options{Region: "lab-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds(k.SecretAccessKey)}).
		GetUser(ctx, &iam.GetUserInput{UserName: aws.String("somebody-else")})
	if !errors.As(err, &apiErr) || apiErr.ErrorCode() != "NoSuchEntity" {
		t.Errorf("GetUser of another user: %v, want NoSuchEntity", err)
	}

	regions, err := ec2.New(ec2.Options{Region: "lab-1", BaseEndpoint: aws.String(srv.URL), Credentials: creds(k.SecretAccessKey)}).
		DescribeRegions(ctx, &ec2.DescribeRegionsInput{})
	if err != nil || len(regions.Regions) != 1 || aws.ToString(regions.Regions[0].RegionName) != "lab-1" {
		t.Errorf("DescribeRegions on the same listener: %v %+v", err, regions)
	}
}
