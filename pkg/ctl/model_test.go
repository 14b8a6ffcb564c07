package ctl

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/ec2query"
)

// TestModelMatchesAWSCLI regenerates awsmodel.json from the installed AWS
// CLI and botocore for the actions the Query API serves: it must be
// current (go test ./pkg/ctl -run TestModelMatchesAWSCLI -update rewrites
// it).
func TestModelMatchesAWSCLI(t *testing.T) {
	aws := newAWSCLI(t, newHarness(t)) // skips under -short and without the AWS CLI
	python := filepath.Join(filepath.Dir(aws.bin), "python3")
	if _, err := os.Stat(python); err != nil {
		python = "python3"
	}
	cmd := exec.Command(python, filepath.Join("testdata", "genmodel.py"))
	cmd.Stdin = strings.NewReader(strings.Join(ec2query.Actions(), "\n") + "\n")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	got, err := cmd.Output()
	if err != nil {
		t.Fatalf("genmodel.py: %v\n%s", err, stderr.String())
	}
	if *update {
		if err := os.WriteFile("awsmodel.json", got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if !bytes.Equal(got, awsModelJSON) {
		t.Errorf("awsmodel.json is not what the installed AWS CLI says (go test ./pkg/ctl -run TestModelMatchesAWSCLI -update)")
	}
}

// TestModelCoversVerbs: every served action is in the model, and every
// command of the model has the AWS CLI's required options and, where the
// AWS CLI paginates, its pagination options.
func TestModelCoversVerbs(t *testing.T) {
	root := NewRootCommand()
	for _, action := range ec2query.Actions() {
		verb := kebabName(action)
		v := verbModel(verb)
		if v == nil {
			t.Errorf("%s: not in awsmodel.json (go test ./pkg/ctl -run TestModelMatchesAWSCLI -update)", verb)
			continue
		}
		cmd, _, err := root.Find([]string{verb})
		if err != nil {
			continue // TestEveryQueryActionHasAVerb reports it
		}
		want := append([]string{"cli-input-json", "cli-input-yaml", "generate-cli-skeleton"}, v.Required...)
		if v.Paginated {
			want = append(want, "max-items", "page-size", "starting-token")
		}
		for _, name := range want {
			if cmd.Flags().Lookup(name) == nil {
				t.Errorf("%s has no --%s", verb, name)
			}
		}
	}
}

// TestRequiredOptions: every command refuses to run without the options
// the AWS CLI requires, naming them in its order, and sends nothing.
func TestRequiredOptions(t *testing.T) {
	h := newHarness(t)
	for verb, v := range loadModel().Verbs {
		if len(v.Required) == 0 {
			continue
		}
		t.Run(verb, func(t *testing.T) {
			h.fake.lastReq = nil
			_, errOut, code := h.run(verb)
			want := "the following arguments are required: --" + strings.Join(v.Required, ", --") + "\n"
			if code != ExitUsage || !strings.HasPrefix(errOut, want) || h.fake.lastReq != nil {
				t.Errorf("exit %d, %q, sent %v; want %q", code, errOut, h.fake.lastReq, want)
			}
		})
	}
}
