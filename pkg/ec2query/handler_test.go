package ec2query

import (
	"bytes"
	"context"
	"encoding/xml"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/ec2lab/ec2lab/pkg/auth"
	"github.com/ec2lab/ec2lab/pkg/ec2err"
	ec2labv1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

var testKey = auth.Key{AccessKeyID: "AKIATESTTESTTEST0001", SecretAccessKey: "secret/for+tests", AccountID: fakeAccount}

// acceptAll stands in for SigV4 in the tests that are not about auth.
func acceptAll(context.Context, *http.Request, []byte, time.Time) (auth.Key, error) {
	return testKey, nil
}

type reply struct {
	status int
	body   string
}

func serve(t *testing.T, h http.Handler, method, query, body string) reply {
	t.Helper()
	r := httptest.NewRequest(method, "/?"+query, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return reply{w.Code, w.Body.String()}
}

func post(t *testing.T, h http.Handler, form string) reply {
	return serve(t, h, http.MethodPost, "", form)
}

func testHandlerLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func testHandler(f *fakeCompute, mod ...func(*Options)) http.Handler {
	o := Options{Compute: f, Verify: acceptAll, Logger: testHandlerLogger()}
	for _, m := range mod {
		m(&o)
	}
	return NewHandler(o)
}

// ec2Error parses EC2's error document.
func ec2Error(t *testing.T, rep reply) xmlError {
	t.Helper()
	var doc errorResponse
	if err := xml.Unmarshal([]byte(rep.body), &doc); err != nil || len(doc.Errors) != 1 || doc.RequestID == "" {
		t.Fatalf("not an EC2 error document (%v): %s", err, rep.body)
	}
	return doc.Errors[0]
}

func TestErrors(t *testing.T) {
	big := "Action=DescribeInstances&Version=2016-11-15&X=" + strings.Repeat("a", 2000)
	tests := []struct {
		name, method, query, body string
		status                    int
		code, msg                 string
	}{
		{"unknown action", "POST", "", "Action=LaunchRockets&Version=2016-11-15", 400, "InvalidAction", "The action LaunchRockets is not valid for this web service."},
		{"no action", "POST", "", "Version=2016-11-15", 400, "MissingParameter", "Action"},
		{"no version", "POST", "", "Action=DescribeInstances", 400, "MissingParameter", "The request must contain the parameter Version"},
		{"empty version", "POST", "", "Action=DescribeInstances&Version=", 400, "MissingParameter", "Version"},
		{"unknown version", "POST", "", "Action=DescribeInstances&Version=2099-01-01", 400, "NoSuchVersion",
			"The requested version (2099-01-01) of service AmazonEC2 does not exist"},
		{"STS version on EC2", "POST", "", "Action=DescribeInstances&Version=2011-06-15", 400, "NoSuchVersion", "(2011-06-15)"},
		{"unknown version in the query string", "GET", "Action=DescribeRegions&Version=2014-01-01", "", 400, "NoSuchVersion", "(2014-01-01)"},
		{"missing list parameter", "POST", "", "Action=TerminateInstances&Version=2016-11-15&InstanceId=i-1", 400, "MissingParameter", "The request must contain the parameter InstanceId"},
		{"missing scalar parameter", "POST", "", "Action=RunInstances&Version=2016-11-15&MinCount=1&ImageId=ami-1", 400, "MissingParameter", "MaxCount"},
		{"bad int", "POST", "", "Action=RunInstances&Version=2016-11-15&MinCount=x&MaxCount=1", 400, "InvalidParameterValue", "MinCount"},
		{"bad user data", "POST", "", "Action=RunInstances&Version=2016-11-15&MinCount=1&MaxCount=1&UserData=%2A%2A%2A", 400, "InvalidParameterValue", "BASE64"},
		{"body over MaxBody", "POST", "", big, 400, CodeRequestTooLarge, "1024 bytes"},
		{"server NotFound", "POST", "", "Action=DescribeInstances&Version=2016-11-15&InstanceId.1=" + missingID, 400, "InvalidInstanceID.NotFound", missingID},
		{"metadata options need an instance", "POST", "", "Action=ModifyInstanceMetadataOptions&Version=2016-11-15&HttpTokens=required", 400, "MissingParameter", "InstanceId"},
		{"bad hop limit type", "POST", "", "Action=ModifyInstanceMetadataOptions&Version=2016-11-15&InstanceId=i-1&HttpPutResponseHopLimit=many", 400, "InvalidParameterValue", "HttpPutResponseHopLimit"},
		{"PUT", "PUT", "", "Action=DescribeInstances&Version=2016-11-15", 400, "UnsupportedOperation", "PUT"},
		// a parameter the action does not have is refused, never dropped
		{"unknown parameter", "POST", "", "Action=CreateVolume&Version=2016-11-15&AvailabilityZone=lab-1a&Size=1&MultiAttachEnabled=true",
			400, "UnknownParameter", "The parameter MultiAttachEnabled is not recognized"},
		{"unknown member of a list item", "POST", "", "Action=DescribeInstances&Version=2016-11-15&Filter.1.Name=a&Filter.1.Value.1=b&Filter.1.Color=red",
			400, "UnknownParameter", "Filter.1.Color"},
		{"deeper key under a scalar list", "POST", "", "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1&InstanceId.1.X=y",
			400, "UnknownParameter", "InstanceId.1.X"},
	}
	h := testHandler(&fakeCompute{}, func(o *Options) { o.MaxBody = 1024 })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := serve(t, h, tt.method, tt.query, tt.body)
			e := ec2Error(t, rep)
			if rep.status != tt.status || e.Code != tt.code || !strings.Contains(e.Message, tt.msg) {
				t.Fatalf("got %d %s %q, want %d %s containing %q", rep.status, e.Code, e.Message, tt.status, tt.code, tt.msg)
			}
		})
	}
}

// erring answers every DescribeInstances with err.
type erring struct {
	fakeCompute
	err error
}

func (e *erring) DescribeInstances(context.Context, *ec2labv1.DescribeInstancesRequest) (*ec2labv1.DescribeInstancesResponse, error) {
	return nil, e.err
}

func TestComputeErrorsKeepCodeAndStatus(t *testing.T) {
	tests := []struct {
		err    error
		status int
		code   string
	}{
		{ec2err.New(ec2err.InsufficientInstanceCapacity, "no host"), 500, ec2err.InsufficientInstanceCapacity},
		{ec2err.New(ec2err.UnauthorizedOperation, "not yours"), 403, ec2err.UnauthorizedOperation},
		{ec2err.New(ec2err.RequestLimitExceeded, "slow down"), 503, ec2err.RequestLimitExceeded},
		{status.Error(codes.Unavailable, "agent down"), 500, ec2err.InternalError},
		{io.ErrUnexpectedEOF, 500, ec2err.InternalError},
	}
	for _, tt := range tests {
		h := testHandler(nil, func(o *Options) { o.Compute = &erring{err: tt.err} })
		rep := post(t, h, "Action=DescribeInstances&Version=2016-11-15")
		if e := ec2Error(t, rep); rep.status != tt.status || e.Code != tt.code || e.Message == "" {
			t.Errorf("%v: got %d %s %q, want %d %s", tt.err, rep.status, e.Code, e.Message, tt.status, tt.code)
		}
	}
}

// panicking panics in DescribeInstances.
type panicking struct{ fakeCompute }

func (*panicking) DescribeInstances(context.Context, *ec2labv1.DescribeInstancesRequest) (*ec2labv1.DescribeInstancesResponse, error) {
	panic("boom")
}

func TestPanicIsInternalError(t *testing.T) {
	h := testHandler(nil, func(o *Options) { o.Compute = &panicking{} })
	rep := post(t, h, "Action=DescribeInstances&Version=2016-11-15")
	if e := ec2Error(t, rep); rep.status != 500 || e.Code != ec2err.InternalError {
		t.Fatalf("got %d %s", rep.status, e.Code)
	}
}

// TestDryRunIsDecidedByCompute: a DryRun reaches Compute with dry_run set
// (the controller checks existence, ownership and parameters, as for the
// gRPC edge) and its DryRunOperation is answered as 412; read-only actions,
// which have no dry_run field, are answered here without a call; the
// Query API's own shape checks still come first.
func TestDryRunIsDecidedByCompute(t *testing.T) {
	mutating := []string{
		"Action=RunInstances&MinCount=1&MaxCount=1&ImageId=ami-1",
		"Action=TerminateInstances&InstanceId.1=i-1",
		"Action=StopInstances&InstanceId.1=i-1",
		"Action=CreateVolume&AvailabilityZone=lab-1a&Size=1",
		"Action=DeleteVolume&VolumeId=vol-1",
		"Action=CreateImage&InstanceId=i-1&Name=x",
		"Action=CreateTags&ResourceId.1=i-1&Tag.1.Key=k&Tag.1.Value=v",
	}
	f := &fakeCompute{}
	h := testHandler(f)
	for _, form := range mutating {
		n := f.count()
		rep := post(t, h, form+"&Version=2016-11-15&DryRun=true")
		if e := ec2Error(t, rep); rep.status != 412 || e.Code != ec2err.DryRunOperation {
			t.Errorf("%s: got %d %s, want 412 DryRunOperation", form, rep.status, e.Code)
		}
		if f.count() != n+1 {
			t.Errorf("%s: Compute was not asked", form)
		}
	}
	for _, m := range f.calls {
		if fd := m.ProtoReflect().Descriptor().Fields().ByName("dry_run"); !m.ProtoReflect().Get(fd).Bool() {
			t.Errorf("Compute got %T without dry_run", m)
		}
	}
	n := f.count()
	if rep := post(t, h, "Action=DescribeInstances&Version=2016-11-15&DryRun=true"); rep.status != 412 || f.count() != n {
		t.Errorf("DescribeInstances DryRun: %d, %d calls", rep.status, f.count()-n)
	}
	rep := post(t, h, "Action=TerminateInstances&Version=2016-11-15&DryRun=true")
	if e := ec2Error(t, rep); e.Code != ec2err.MissingParameter {
		t.Fatalf("dry run without InstanceId: got %s", e.Code)
	}
}

func TestGetAndPostAgree(t *testing.T) {
	f := &fakeCompute{}
	h := testHandler(f)
	q := "Action=DescribeVolumes&Version=2016-11-15&VolumeId.1=vol-1"
	a, b := serve(t, h, "GET", q, ""), post(t, h, q)
	strip := func(s string) string { i := strings.Index(s, "</requestId>"); return s[i:] }
	if a.status != 200 || b.status != 200 || strip(a.body) != strip(b.body) {
		t.Fatalf("GET %d %s\nPOST %d %s", a.status, a.body, b.status, b.body)
	}
}

func TestAuthFailureStopsRequest(t *testing.T) {
	f := &fakeCompute{}
	h := NewHandler(Options{Compute: f, Keys: auth.StaticKeys{testKey.AccessKeyID: testKey},
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	rep := post(t, h, "Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1")
	if e := ec2Error(t, rep); e.Code != auth.CodeMissingAuthenticationToken {
		t.Fatalf("unsigned request: got %d %s", rep.status, e.Code)
	}
	r := httptest.NewRequest("POST", "/", strings.NewReader("Action=TerminateInstances&Version=2016-11-15&InstanceId.1=i-1"))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=AKIANOPE/20261126/lab-1/ec2/aws4_request, SignedHeaders=host;x-amz-date, Signature="+strings.Repeat("0", 64))
	r.Header.Set("X-Amz-Date", time.Now().UTC().Format("20060102T150405Z"))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if e := ec2Error(t, reply{w.Code, w.Body.String()}); w.Code != 401 || e.Code != ec2err.AuthFailure {
		t.Fatalf("unknown key: got %d %s", w.Code, e.Code)
	}
	if f.count() != 0 {
		t.Fatal("an unauthenticated request reached Compute")
	}
}

func TestCallerReachesCompute(t *testing.T) {
	f := &fakeCompute{}
	post(t, testHandler(f), "Action=DescribeInstances&Version=2016-11-15")
	if len(f.caller) != 1 || f.caller[0].AccountID != fakeAccount {
		t.Fatalf("Compute saw caller %v", f.caller)
	}
}

func TestLogLineHasNoSecret(t *testing.T) {
	var buf bytes.Buffer
	h := testHandler(&fakeCompute{}, func(o *Options) { o.Logger = slog.New(slog.NewTextHandler(&buf, nil)) })
	post(t, h, "Action=DescribeInstances&Version=2016-11-15&InstanceId.1="+missingID)
	line := buf.String()
	for _, want := range []string{"request_id=", "action=DescribeInstances", "access_key=" + testKey.AccessKeyID, "code=InvalidInstanceID.NotFound", "duration="} {
		if !strings.Contains(line, want) {
			t.Errorf("log line %q lacks %q", line, want)
		}
	}
	if strings.Contains(line, testKey.SecretAccessKey) {
		t.Fatal("log line carries the secret")
	}
}

func TestSuccessDocument(t *testing.T) {
	rep := post(t, testHandler(&fakeCompute{}), "Action=RebootInstances&Version=2016-11-15&InstanceId.1=i-1")
	want := `<RebootInstancesResponse xmlns="` + Namespace + `"><requestId>`
	if rep.status != 200 || !strings.Contains(rep.body, want) || !strings.Contains(rep.body, "<return>true</return>") {
		t.Fatalf("got %d %s", rep.status, rep.body)
	}
}
