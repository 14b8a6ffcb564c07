package controller_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ec2lab/ec2lab/pkg/controller"
	"github.com/ec2lab/ec2lab/pkg/hypervisor/hvtest"
	v1 "github.com/ec2lab/ec2lab/proto/ec2lab/v1"
)

// TestTerraformLaunchTemplate applies testdata/launch_template.tf with the
// unmodified hashicorp/aws provider against the Query API of a controller
// with fake hosts: the templates are created, a second plan has nothing to
// change (every member reads back as written), a changed user data makes
// version 2 the default, and destroy leaves no template. It needs
// terraform and the provider's filesystem mirror (as test/e2e's Terraform
// test does) but no libvirt; each terraform run costs seconds (the
// provider polls 5 s after a create or modify, as against AWS).
func TestTerraformLaunchTemplate(t *testing.T) {
	hvtest.RequireTool(t, "terraform")
	mirror := os.Getenv("EC2LAB_TF_MIRROR")
	if mirror == "" {
		mirror = "/opt/tf-plugins"
	}
	if m, _ := filepath.Glob(filepath.Join(mirror, "registry.terraform.io/hashicorp/aws/*/*/terraform-provider-aws*")); len(m) == 0 {
		hvtest.Unavailable(t, "no hashicorp/aws provider under %s", mirror)
	}
	rig := controller.NewEdgeRig(t)
	e := newEdges(t, rig.Svc, rig.Acct1)
	ws := newTFWorkspace(t, mirror, e.url, rig.Acct1, imageOf(t, e.sdk[rig.Acct1], rig.Instance))

	ws.run("init")
	ws.run("apply", "-auto-approve")
	if out, code := ws.try("plan", "-detailed-exitcode"); code != 0 {
		t.Fatalf("a second plan wants changes (exit %d):\n%s", code, out)
	}
	ws.run("apply", "-auto-approve", "-var", "greeting=bonjour")
	if got := ws.output("latest_version") + "/" + ws.output("default_version"); got != "2/2" {
		t.Errorf("after a change: latest/default %s, want 2/2", got)
	}
	vs, err := e.grpc[rig.Acct1].DescribeLaunchTemplateVersions(context.Background(),
		&v1.DescribeLaunchTemplateVersionsRequest{LaunchTemplateName: "web", Versions: []string{"$Default"}})
	if err != nil || vs.GetLaunchTemplateVersions()[0].GetVersionNumber() != 2 ||
		vs.GetLaunchTemplateVersions()[0].GetLaunchTemplateData().GetMetadataOptions().GetHttpTokens() != "required" {
		t.Errorf("the default version over gRPC: %v %v", vs, err)
	}
	ws.run("destroy", "-auto-approve", "-var", "greeting=bonjour")
	left, err := e.grpc[rig.Acct1].DescribeLaunchTemplates(context.Background(), &v1.DescribeLaunchTemplatesRequest{})
	if err != nil || len(left.GetLaunchTemplates()) != 0 {
		t.Errorf("after destroy: %v %v", left, err)
	}
}

// tfWorkspace runs terraform in a scratch directory against one endpoint.
type tfWorkspace struct {
	t    *testing.T
	dir  string
	env  []string
	vars []string
	bin  string
}

func newTFWorkspace(t *testing.T, mirror, url, acct, image string) *tfWorkspace {
	t.Helper()
	dir := t.TempDir()
	src, err := os.ReadFile("testdata/launch_template.tf")
	if err != nil {
		t.Fatal(err)
	}
	creds := fmt.Sprintf("[ec2lab]\naws_access_key_id = AKIA%s\naws_secret_access_key = secret-%s\n", acct, acct)
	rc := fmt.Sprintf("provider_installation {\n  filesystem_mirror {\n    path = %q\n    include = [\"registry.terraform.io/hashicorp/aws\"]\n  }\n  direct { exclude = [\"registry.terraform.io/hashicorp/aws\"] }\n}\n", mirror)
	for name, body := range map[string]string{"main.tf": string(src), "credentials": creds, "terraform.rc": rc} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	bin, _ := exec.LookPath("terraform")
	return &tfWorkspace{t: t, dir: dir, bin: bin,
		env: append(os.Environ(), "TF_CLI_CONFIG_FILE="+filepath.Join(dir, "terraform.rc"), "TF_IN_AUTOMATION=1",
			"CHECKPOINT_DISABLE=1", "TF_DATA_DIR="+filepath.Join(dir, ".terraform"), "AWS_CONFIG_FILE=/dev/null",
			"AWS_EC2_METADATA_DISABLED=true"),
		vars: []string{"-var", "endpoint=" + url, "-var", "credentials_file=" + filepath.Join(dir, "credentials"),
			"-var", "image_id=" + image}}
}

// try runs a terraform subcommand (with the workspace's variables unless
// it is init) and returns its output and exit status.
func (w *tfWorkspace) try(sub string, args ...string) (string, int) {
	full := []string{sub, "-input=false", "-no-color"}
	if sub != "init" && sub != "output" {
		full = append(full, w.vars...)
	}
	cmd := exec.Command(w.bin, append(full, args...)...)
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.CombinedOutput()
	if exit, ok := err.(*exec.ExitError); ok {
		return string(out), exit.ExitCode()
	} else if err != nil {
		return string(out) + err.Error(), -1
	}
	return string(out), 0
}

func (w *tfWorkspace) run(sub string, args ...string) string {
	w.t.Helper()
	out, code := w.try(sub, args...)
	if code != 0 {
		w.t.Fatalf("terraform %s %v (exit %d):\n%s", sub, args, code, out)
	}
	return out
}

func (w *tfWorkspace) output(name string) string {
	w.t.Helper()
	cmd := exec.Command(w.bin, "output", "-no-color", "-raw", name)
	cmd.Dir, cmd.Env = w.dir, w.env
	out, err := cmd.Output()
	if err != nil {
		w.t.Fatalf("terraform output %s: %v", name, err)
	}
	return strings.TrimSpace(string(out))
}
