package ctl

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/asgquery"
	"github.com/ec2lab/ec2lab/pkg/ec2query"
)

// modelFiles are the models ec2ctl embeds: the file, the AWS CLI service
// it is written from, the actions served and the command they are under
// ("" for the root).
var modelFiles = []struct {
	file, service string
	actions       func() []string
	group         string
	model         func() *cliModel
}{
	{"awsmodel.json", "ec2", ec2query.Actions, "", loadModel},
	{"awsmodel_autoscaling.json", "autoscaling", asgquery.Actions, "autoscaling", loadAutoScalingModel},
}

// TestModelMatchesAWSCLI regenerates awsmodel.json and
// awsmodel_autoscaling.json from the installed AWS CLI and botocore for
// the actions the Query APIs serve: they must be current (go test
// ./pkg/ctl -run TestModelMatchesAWSCLI -update rewrites them).
func TestModelMatchesAWSCLI(t *testing.T) {
	aws := newAWSCLI(t, newHarness(t)) // skips under -short and without the AWS CLI
	python := filepath.Join(filepath.Dir(aws.bin), "python3")
	if _, err := os.Stat(python); err != nil {
		python = "python3"
	}
	for _, mf := range modelFiles {
		cmd := exec.Command(python, filepath.Join("testdata", "genmodel.py"), mf.service)
		cmd.Stdin = strings.NewReader(strings.Join(mf.actions(), "\n") + "\n")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		got, err := cmd.Output()
		if err != nil {
			t.Fatalf("genmodel.py %s: %v\n%s", mf.service, err, stderr.String())
		}
		if *update {
			if err := os.WriteFile(mf.file, got, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if want, err := os.ReadFile(mf.file); err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s is not what the installed AWS CLI says (go test ./pkg/ctl -run TestModelMatchesAWSCLI -update)", mf.file)
		}
	}
}

// inGroup is args under the command group ("" for the root).
func inGroup(group string, args ...string) []string {
	if group == "" {
		return args
	}
	return append([]string{group}, args...)
}

// TestModelCoversVerbs: every served action is in the model, and every
// command of the model has the AWS CLI's required options and, where the
// AWS CLI paginates, its pagination options.
func TestModelCoversVerbs(t *testing.T) {
	root := NewRootCommand()
	for _, mf := range modelFiles {
		for _, action := range mf.actions() {
			verb := kebabName(action)
			v := mf.model().Verbs[verb]
			if v == nil {
				t.Errorf("%s: not in %s (go test ./pkg/ctl -run TestModelMatchesAWSCLI -update)", verb, mf.file)
				continue
			}
			cmd, _, err := root.Find(inGroup(mf.group, verb))
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
}

// TestRequiredOptions: every command refuses to run without the options
// the AWS CLI requires, naming them in its order, and sends nothing.
func TestRequiredOptions(t *testing.T) {
	h := newHarness(t)
	for _, mf := range modelFiles {
		for verb, v := range mf.model().Verbs {
			if len(v.Required) == 0 {
				continue
			}
			t.Run(verb, func(t *testing.T) {
				h.fake.lastReq = nil
				h.groups.reset()
				_, errOut, code := h.run(inGroup(mf.group, verb)...)
				want := "the following arguments are required: --" + strings.Join(v.Required, ", --") + "\n"
				if code != ExitUsage || !strings.HasPrefix(errOut, want) || h.fake.lastReq != nil || h.groups.lastCall() != "" {
					t.Errorf("exit %d, %q, sent %v %q; want %q", code, errOut, h.fake.lastReq, h.groups.lastCall(), want)
				}
			})
		}
	}
}
