package controller_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	v4 "github.com/aws/aws-sdk-go-v2/aws/signer/v4"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
)

// TestServedOperationsCoverage replays every action the Query API serves,
// signed and without parameters, against a real controller: each must be
// an operation of botocore's EC2 model and answer something other than
// InvalidAction, InternalError or a not-implemented error (a missing
// parameter is a fine answer). It reports the count, which the README
// states.
func TestServedOperationsCoverage(t *testing.T) {
	model, modelPath := botocoreEC2Operations(t)
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	served := ec2query.Actions()
	for _, name := range served {
		if !model[name] {
			t.Errorf("%s is not an operation of botocore's EC2 model", name)
			continue
		}
		if code := replayEmpty(t, e.url, rig.Acct1, name); code == "InvalidAction" || code == "InternalError" || strings.Contains(code, "NotImplemented") {
			t.Errorf("%s answers %s", name, code)
		}
	}
	t.Logf("served %d of the %d operations in %s", len(served), len(model), modelPath)
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	if want := fmt.Sprintf("%d EC2 operations", len(served)); !strings.Contains(string(readme), want) {
		t.Errorf("README.md does not say %q", want)
	}
}

// replayEmpty posts Action=name with no parameters, signed for acct, and
// returns the EC2 error code ("" on success).
func replayEmpty(t *testing.T, url, acct, name string) string {
	t.Helper()
	body := []byte("Action=" + name + "&Version=2016-11-15")
	r, err := http.NewRequest(http.MethodPost, url+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	sum := sha256.Sum256(body)
	creds := aws.Credentials{AccessKeyID: "AKIA" + acct, SecretAccessKey: "secret-" + acct}
	if err := v4.NewSigner().SignHTTP(context.Background(), creds, r, hex.EncodeToString(sum[:]), "ec2", "lab-1", time.Now()); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode == http.StatusOK {
		return ""
	}
	var e struct {
		Code string `xml:"Errors>Error>Code"`
	}
	if err := xml.Unmarshal(raw, &e); err != nil || e.Code == "" {
		t.Fatalf("%s: HTTP %d without an EC2 error: %s", name, resp.StatusCode, raw)
	}
	return e.Code
}

// botocoreEC2Operations loads the largest botocore EC2 model on the machine
// (the AWS CLI's pyenv botocore, or Debian's python3-botocore); CI fails
// without one.
func botocoreEC2Operations(t *testing.T) (map[string]bool, string) {
	t.Helper()
	var best map[string]bool
	var bestPath string
	for _, pattern := range []string{
		"/root/.pyenv/versions/*/lib/python3*/site-packages/botocore/data/ec2/2016-11-15/service-2.json*",
		"/usr/lib/python3/dist-packages/botocore/data/ec2/2016-11-15/service-2.json*",
		"/usr/local/lib/python3*/dist-packages/botocore/data/ec2/2016-11-15/service-2.json*",
	} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if ops := readModelOperations(t, p); len(ops) > len(best) {
				best, bestPath = ops, p
			}
		}
	}
	if best == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no botocore EC2 model on this machine (CI=true: failing, not skipping)")
		}
		t.Skip("no botocore EC2 model on this machine")
	}
	return best, bestPath
}

func readModelOperations(t *testing.T, path string) map[string]bool {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var r io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		if r, err = gzip.NewReader(f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	var m struct {
		Operations map[string]json.RawMessage `json:"operations"`
	}
	if err := json.NewDecoder(r).Decode(&m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	ops := map[string]bool{}
	for name := range m.Operations {
		ops[name] = true
	}
	return ops
}
