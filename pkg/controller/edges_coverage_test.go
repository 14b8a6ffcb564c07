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
	"net/url"
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
	code, _ := replay(t, url, acct, name, nil)
	return code
}

// replay posts Action=name with params, signed for acct, and returns the
// EC2 error code and message ("" on success).
func replay(t *testing.T, base, acct, name string, params url.Values) (string, string) {
	t.Helper()
	body := []byte("Action=" + name + "&Version=2016-11-15")
	if len(params) > 0 {
		body = append(body, "&"+params.Encode()...)
	}
	r, err := http.NewRequest(http.MethodPost, base+"/", bytes.NewReader(body))
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
		return "", ""
	}
	var e struct {
		Code    string `xml:"Errors>Error>Code"`
		Message string `xml:"Errors>Error>Message"`
	}
	if err := xml.Unmarshal(raw, &e); err != nil || e.Code == "" {
		t.Fatalf("%s: HTTP %d without an EC2 error: %s", name, resp.StatusCode, raw)
	}
	return e.Code, e.Message
}

// botocoreEC2Operations is the set of operations of botocoreEC2Model and
// the path it was read from.
func botocoreEC2Operations(t *testing.T) (map[string]bool, string) {
	t.Helper()
	m := botocoreEC2Model(t)
	ops := map[string]bool{}
	for name := range m.Operations {
		ops[name] = true
	}
	return ops, m.path
}

// ec2Model is what the tests read of botocore's EC2 service model: the
// operations' input shapes.
type ec2Model struct {
	path       string
	Operations map[string]struct {
		Input struct {
			Shape string `json:"shape"`
		} `json:"input"`
	} `json:"operations"`
	Shapes map[string]*modelShape `json:"shapes"`
}

// modelShape is a shape of the model: a structure's members, a list's
// member.
type modelShape struct {
	Type     string                  `json:"type"`
	Required []string                `json:"required"`
	Members  map[string]*modelMember `json:"members"`
	Member   *modelMember            `json:"member"`
}

// modelMember names a member's shape and its serialized names.
type modelMember struct {
	Shape        string `json:"shape"`
	LocationName string `json:"locationName"`
	QueryName    string `json:"queryName"`
}

// botocoreEC2Model loads the largest botocore EC2 model on the machine
// (the AWS CLI's pyenv botocore, or Debian's python3-botocore); CI fails
// without one.
func botocoreEC2Model(t *testing.T) *ec2Model {
	t.Helper()
	var best *ec2Model
	for _, pattern := range []string{
		"/root/.pyenv/versions/*/lib/python3*/site-packages/botocore/data/ec2/2016-11-15/service-2.json*",
		"/usr/lib/python3/dist-packages/botocore/data/ec2/2016-11-15/service-2.json*",
		"/usr/local/lib/python3*/dist-packages/botocore/data/ec2/2016-11-15/service-2.json*",
	} {
		paths, _ := filepath.Glob(pattern)
		for _, p := range paths {
			if m := readModel(t, p); best == nil || len(m.Operations) > len(best.Operations) {
				best = m
			}
		}
	}
	if best == nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("no botocore EC2 model on this machine (CI=true: failing, not skipping)")
		}
		t.Skip("no botocore EC2 model on this machine")
	}
	return best
}

func readModel(t *testing.T, path string) *ec2Model {
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
	m := &ec2Model{path: path}
	if err := json.NewDecoder(r).Decode(m); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return m
}

// input is the input shape of operation name.
func (m *ec2Model) input(name string) (*modelShape, bool) {
	op, ok := m.Operations[name]
	if !ok {
		return nil, false
	}
	s, ok := m.Shapes[op.Input.Shape]
	return s, ok && s != nil
}

// requiredParams serializes, as the EC2 protocol does, the required
// members of in that values (by member name) has a value for; a list gets
// the value as its one element. Other required members are left out.
func (m *ec2Model) requiredParams(in *modelShape, values map[string]string) url.Values {
	p := url.Values{}
	for _, name := range in.Required {
		mem, v := in.Members[name], values[name]
		if mem == nil || v == "" {
			continue
		}
		key := serializedName(mem, name)
		if s := m.Shapes[mem.Shape]; s != nil && s.Type == "list" {
			if s.Member == nil || m.Shapes[s.Member.Shape] == nil || m.Shapes[s.Member.Shape].Type == "structure" {
				continue
			}
			key += ".1"
		} else if s != nil && s.Type == "structure" {
			continue
		}
		p.Set(key, v)
	}
	return p
}

// serializedName is the EC2 protocol's name of member name: its queryName,
// else its locationName capitalized, else name.
func serializedName(mem *modelMember, name string) string {
	switch {
	case mem.QueryName != "":
		return mem.QueryName
	case mem.LocationName != "":
		return strings.ToUpper(mem.LocationName[:1]) + mem.LocationName[1:]
	}
	return name
}
