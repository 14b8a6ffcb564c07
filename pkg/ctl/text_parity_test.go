package ctl

import (
	"reflect"
	"strings"
	"testing"
)

// TestTextOutputMatchesAWSCLI: --output text prints the AWS CLI's rows and
// columns, in its order, so that cut and awk scripts carry over; the
// members ec2lab adds (DomainType) come after EC2's columns.
func TestTextOutputMatchesAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-instances"},
		{"describe-volumes"},
		{"describe-images"},
		{"describe-security-groups"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			awsOut, awsErr, awsCode := aws.runWith(nil, append(args, "--endpoint-url", aws.srv.URL, "--output", "text")...)
			out, errOut, code := h.run(append(args, "--output", "text")...)
			if code != 0 || awsCode != 0 {
				t.Fatalf("ec2ctl exit %d (%s), aws exit %d (%s)", code, errOut, awsCode, awsErr)
			}
			if !sameColumns(out, awsOut) {
				t.Errorf("ec2ctl printed:\n%s\naws printed:\n%s", out, awsOut)
			}
		})
	}
}

// sameColumns says whether every row of got is the row of want, or that
// row followed by more columns.
func sameColumns(got, want string) bool {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	if len(g) != len(w) {
		return false
	}
	for i := range g {
		if g[i] != w[i] && !strings.HasPrefix(g[i], w[i]+"\t") {
			return false
		}
	}
	return true
}

// TestDescribeJSONMatchesAWSCLI: the same verbs print the same JSON.
func TestDescribeJSONMatchesAWSCLI(t *testing.T) {
	h := newHarness(t)
	aws := newAWSCLI(t, h)
	for _, args := range [][]string{
		{"describe-instances"},
		{"describe-volumes"},
		{"describe-images"},
		{"describe-security-groups"},
	} {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			awsOut, awsErr, awsCode := aws.run(args...)
			out, errOut, code := h.run(append(args, "--output", "json")...)
			if code != 0 || awsCode != 0 {
				t.Fatalf("ec2ctl exit %d (%s), aws exit %d (%s)", code, errOut, awsCode, awsErr)
			}
			got, want := withoutEmpty(awsShaped(t, out), "ProductCodes"), withoutEmpty(withoutQuirks(awsShaped(t, awsOut)), "ProductCodes")
			if !reflect.DeepEqual(got, want) {
				t.Errorf("ec2ctl printed:\n%s\naws printed:\n%s", out, awsOut)
			}
		})
	}
}

// withoutEmpty drops the empty lists named name: EC2 sends an empty
// productCodes set for instances, which the AWS CLI prints as
// "ProductCodes": [] (and ec2ctl too), but not for every shape ec2ctl
// prints it in (images).
func withoutEmpty(v any, name string) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, 0, len(x))
		for _, e := range x {
			out = append(out, withoutEmpty(e, name))
		}
		return out
	case []kv:
		out := make([]kv, 0, len(x))
		for _, e := range x {
			if !isEmptySet(e, name) {
				out = append(out, kv{e.k, withoutEmpty(e.v, name)})
			}
		}
		return out
	}
	return v
}

// TestTextExtrasLast: ec2lab's own members come after EC2's columns, with
// or without --query.
func TestTextExtrasLast(t *testing.T) {
	h := newHarness(t)
	for _, args := range [][]string{
		{"describe-instances", "--output", "text"},
		{"describe-instances", "--output", "text", "--query", "Reservations[].Instances[]"},
	} {
		out, errOut, code := h.run(args...)
		var row string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, "i-0123456789abcdef0\t") && strings.Contains(l, "\tt3.micro\t") {
				row = l
				break
			}
		}
		if code != 0 || !strings.HasSuffix(row, "\tvpc-0123456789abcdef0\tqemu") {
			t.Errorf("%v: exit %d (%s), instance row %q", args, code, errOut, row)
		}
	}
}
